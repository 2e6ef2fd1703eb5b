"""Facets: counts are right, values are whole, filters narrow and combine and come off."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

import pytest

from archive.models import Article
from archive.search.figure_kinds import figure_kind
from tests.search.conftest import expected

pytestmark = pytest.mark.django_db


def facet_values(article: Article) -> dict[str, set]:
    """What each facet should say about one article, straight from the database."""
    return {
        "park": {article.park.name} if article.park else set(),
        "province": {article.park.province} if article.park and article.park.province else set(),
        "year": {article.page.issue_date.year} if article.page.issue_date else set(),
        "author": set(article.authors),
        "figure_kind": {
            figure_kind(f.base_unit, f.label)
            for f in article.figures.all()
            if not f.deleted and f.status != "threshold"  # a size class is no investment
        },
        "mentions": {p.name for p in article.parks.all()},
    }


def db_counts(ids: set[int]) -> dict[str, Counter]:
    counts: dict[str, Counter] = {}
    articles = (
        Article.objects.filter(pk__in=ids)
        .select_related("park", "page")
        .prefetch_related("parks", "figures")
    )
    for article in articles:
        for facet, values in facet_values(article).items():
            counts.setdefault(facet, Counter()).update(values)
    return counts


def as_counter(pairs: list[list]) -> Counter:
    return Counter({value: count for value, count in pairs})


@pytest.mark.parametrize("q", ["", "项目", "高新区 -西安", "动力电池 OR 光学膜"])
def test_facet_counts_match_the_database(api, found, q: str) -> None:
    result = api(q=q)
    want = db_counts(found(q))
    for facet in ("park", "province", "year", "author", "figure_kind", "mentions"):
        assert as_counter(result["facets"][facet]) == want.get(facet, Counter()), facet


def test_facet_values_are_whole_and_sorted_by_count(api) -> None:
    facets = api()["facets"]
    parks = [value for value, _ in facets["park"]]
    assert "天津滨海高新区" in parks and "嘉兴秀洲高新区" in parks
    assert all(isinstance(year, int) for year, _ in facets["year"])
    assert "厦门火炬高新区" in [v for v, _ in facets["mentions"]]
    counts = [count for _, count in facets["park"]]
    assert counts == sorted(counts, reverse=True)


def test_each_facet_value_filters_to_exactly_its_count(api, found) -> None:
    facets = api(q="项目")["facets"]
    for facet in ("park", "year", "figure_kind", "author"):
        for value, count in facets[facet][:4]:
            ids = found("项目", **{facet: value})
            assert len(ids) == count, (facet, value)
            for article in Article.objects.filter(pk__in=ids).select_related("park", "page"):
                assert value in facet_values(article)[facet]


def test_filters_of_different_facets_combine(found) -> None:
    both = found("", park="西安高新区", year=2020)
    assert both == found("", park="西安高新区") & found("", year=2020)
    assert both
    investment = found("", park="西安高新区", figure_kind="投资额")
    assert investment == {
        a.pk
        for a in Article.objects.filter(park__name="西安高新区").prefetch_related("figures")
        if any(figure_kind(f.base_unit, f.label) == "投资额" for f in a.figures.all())
    }


def test_a_query_and_a_facet_combine(found) -> None:
    assert found("项目", park="西安高新区") == expected(["项目"]) & found("", park="西安高新区")


def test_an_empty_query_with_a_facet_browses_it(found) -> None:
    assert found("", province="陕西省") == set(
        Article.objects.public().filter(park__province="陕西省").values_list("pk", flat=True)
    )


def test_unknown_or_malformed_filters_find_nothing_or_are_ignored(api) -> None:
    assert api(park="没有这个园区")["count"] == 0
    for year in ("二〇二〇", "99999999999999999999", "-5"):
        result = api(q="项目", year=year)
        assert result["count"] == api(q="项目")["count"]
        assert result["notes"]


def test_the_page_removes_filters_one_by_one(client) -> None:
    response = client.get("/search/", {"q": "项目", "park": "西安高新区", "year": "2020"})
    html = response.content.decode()
    removes = re.findall(r'class="remove-filter" href="([^"]+)"', html)
    assert len(removes) == 2
    left = [client.get("/search/" + unescape(url)) for url in removes]
    for response, gone in zip(left, ("park=", "year="), strict=True):
        body = response.content.decode()
        assert response.status_code == 200
        assert len(re.findall(r'class="remove-filter"', body)) == 1
        assert gone not in unescape(re.search(r'class="remove-filter" href="([^"]+)"', body)[1])


def test_the_page_shows_counts_and_links_that_add_a_filter(client, found) -> None:
    html = client.get("/search/", {"q": "项目"}).content.decode()
    facet = re.search(r"<h2>园区</h2>(.*?)</section>", html, re.S)[1]
    link = r'<a href="([^"]+)"><span>([^<]+)</span><span class="count">(\d+)</span>'
    first = re.search(link, facet)
    url, value, count = unescape(first[1]), first[2], int(first[3])
    assert "park=" in url
    assert len(found("项目", park=value)) == count
