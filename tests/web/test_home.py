"""`/`: the search box first, what the archive holds, latest articles, parks, provinces."""

from __future__ import annotations

import pytest
from django.db.models import Count, Q
from django.urls import reverse

from archive.models import Article, Figure, Page, Park
from tests.web.html import squash

pytestmark = pytest.mark.django_db


def test_it_puts_the_search_box_first(get) -> None:
    _, doc = get("/")
    main = doc.find("main")
    form = main.find("form")  # the first form in the main content
    assert form.attrs["action"] == reverse("archive:search")
    assert form.attrs["method"] == "get"
    assert form.find("input", type="search").attrs["name"] == "q"


def test_it_says_how_much_the_archive_holds(get) -> None:
    _, doc = get("/")
    stats = {
        squash(div.find("dt").text): squash(div.find("dd").text)
        for div in doc.find("dl", cls="stats").find_all("div")
    }
    public = Article.objects.public()
    covered = Park.objects.filter(Q(articles__in=public) | Q(mentioned_in__in=public)).distinct()
    assert stats["版面"] == str(Page.objects.count())
    assert stats["文章"] == str(public.count())
    assert stats["报道涉及园区"].startswith(str(covered.count()))
    assert stats["数据"] == str(
        Figure.objects.filter(deleted=False).exclude(article__body="").count()
    )


def test_it_lists_the_latest_articles_newest_first(get) -> None:
    _, doc = get("/")
    items = doc.by_id("latest-h").attrs and doc.find("ol", cls="article-list").find_all(
        "li", cls="article-item"
    )
    assert items
    public_ids = [li.find("a").attrs["href"].strip("/").split("/")[-1] for li in items]
    ids = [Article.objects.get(public_id=public_id).pk for public_id in public_ids]
    dates = [Article.objects.select_related("page").get(pk=pk).page.issue_date for pk in ids]
    assert dates == sorted(dates, reverse=True)
    newest = Page.objects.order_by("-issue_date").first()
    assert any(a.page_id == newest.pk for a in Article.objects.filter(pk__in=ids))


def test_it_ranks_the_parks_with_most_coverage(get) -> None:
    _, doc = get("/")
    ranked = [a.text for a in doc.find("ol", cls="rank").find_all("a")]
    top = (
        Park.objects.annotate(n=Count("articles", filter=~Q(articles__body="")))
        .order_by("-n", "name")
        .first()
    )
    assert ranked[0] == top.name
    assert len(ranked) == len(set(ranked))


def test_it_leads_into_every_province(get) -> None:
    _, doc = get("/")
    links = doc.find("ul", cls="chips").find_all("a")
    provinces = set(Park.objects.exclude(province="").values_list("province", flat=True))
    assert {squash(a.text).rstrip("0123456789") for a in links} == provinces
    first = links[0]
    assert first.attrs["href"].startswith(reverse("archive:parks") + "?province=")
    quiet = [a for a in links if "quiet" in a.classes]
    assert all(squash(a.text).endswith("0") for a in quiet)
