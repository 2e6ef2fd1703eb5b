"""Atom feeds (newest articles, a zone, a search), parsed with feedparser, and their links."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
import pytest

from archive.models import Article, Park

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_atom(client, url: str, **params) -> feedparser.FeedParserDict:
    response = client.get(url, params)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    ET.fromstring(response.content)  # well-formed XML, or this raises
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    # RFC 4287: a feed has an id, a title and an updated; so has every entry.
    assert feed.feed.id and feed.feed.title and feed.feed.updated
    for entry in feed.entries:
        assert entry.id and entry.title and entry.updated and entry.link
    return feed


@pytest.fixture
def zone(db) -> Park:
    return Park.objects.filter(articles__body__gt="").distinct().order_by("name").first()


def test_the_latest_feed_lists_the_newest_articles(client, db) -> None:
    feed = parse_atom(client, "/feeds/latest/")
    newest = Article.objects.public().order_by("-created_at", "-pk")
    assert len(feed.entries) == min(30, newest.count())
    first = newest.first()
    assert feed.entries[0].link == f"http://testserver/articles/{first.public_id}/"
    assert feed.entries[0].id == f"tag:parknews,2026:article:{first.public_id}"


def test_a_zone_feed_lists_its_articles_only(client, zone) -> None:
    feed = parse_atom(client, f"/parks/{zone.slug}/feed/")
    expected = {a.public_id for a in Article.objects.public().filter(park=zone)}
    assert {e.link.rstrip("/").rsplit("/", 1)[-1] for e in feed.entries} == expected
    assert zone.name in feed.feed.title
    assert all(e.tags[0].term == zone.name for e in feed.entries)


def test_a_search_feed_follows_the_search(client, db) -> None:
    hits = client.get("/api/search/", {"q": "复工", "sort": "newest", "per_page": 30}).json()
    feed = parse_atom(client, "/search/feed/", q="复工")
    expected = [f"http://testserver{hit['url']}" for hit in hits["results"]]
    assert [e.link for e in feed.entries] == expected
    assert feed.entries and "复工" in feed.feed.title


def test_unknown_zone_feed_is_404(client, db) -> None:
    assert client.get("/parks/no-such-zone/feed/").status_code == 404


def alternates(doc) -> list[str]:
    return [
        link.attrs["href"]
        for link in doc.find("head").find_all("link", rel="alternate")
        if link.attrs.get("type") == "application/atom+xml"
    ]


def test_pages_link_their_feeds(get, zone) -> None:
    _, doc = get("/")
    assert alternates(doc) == ["/feeds/latest/"]
    _, doc = get(zone.get_absolute_url())
    assert alternates(doc) == ["/feeds/latest/", f"/parks/{zone.slug}/feed/"]
    _, doc = get("/search/", q="复工", park=zone.name)
    feed_url = alternates(doc)[-1]
    assert feed_url.startswith("/search/feed/?") and "park=" in feed_url
    _, doc = get("/search/")
    assert alternates(doc) == ["/feeds/latest/"]
