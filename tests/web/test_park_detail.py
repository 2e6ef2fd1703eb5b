"""`/parks/<slug>/`: one zone's facts, articles, figures (table and chart) and mentions."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count, Q

from archive.indicators import indicator_named
from archive.models import Article, Figure, Page, Park
from archive.templatetags.archive_format import printed_value
from tests.web.html import squash

pytestmark = pytest.mark.django_db


def most_covered() -> Park:
    return (
        Park.objects.annotate(n=Count("articles", filter=~Q(articles__body="")))
        .order_by("-n", "name")
        .first()
    )


def article_ids(node) -> list[int]:
    return [
        Article.objects.get(
            public_id=re.search(r"/articles/(\w+)/", li.find("a").attrs["href"]).group(1)
        ).pk
        for li in node.find_all("li", cls="article-item")
    ]


def test_it_shows_the_zone_facts(get) -> None:
    park = most_covered()
    _, doc = get(park.get_absolute_url())
    assert doc.find("h1").text == park.name
    head = squash(doc.find("header", cls="page-head").text)
    for value in (
        park.full_name,
        park.province,
        park.city,
        f"{park.approved_year}年",
        *park.alias_list,
    ):
        assert squash(value) in head
    crumbs = [squash(li.text) for li in doc.find("nav", cls="crumbs").find_all("li")]
    assert crumbs == ["首页", "园区", park.province, park.name]


def test_it_lists_its_articles_newest_first(get) -> None:
    park = most_covered()
    _, doc = get(park.get_absolute_url())
    ids = article_ids(doc.by_id("articles"))
    assert set(ids) == set(park.articles.public().values_list("pk", flat=True))
    dates = [Article.objects.get(pk=pk).page.issue_date for pk in ids]
    assert dates == sorted(dates, reverse=True)


def figure_of(bar) -> Figure:
    return Figure.objects.get(pk=int(bar.find("a").attrs["href"].rsplit("#f-", 1)[1]))


def test_it_shows_its_figures_in_a_table_and_a_chart(get) -> None:
    park = (
        Figure.objects.filter(base_unit="元")
        .values("park")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]
    )
    park = Park.objects.get(pk=park["park"])
    _, doc = get(park.get_absolute_url())
    section = doc.by_id("figures")
    rows = section.find("table").find("tbody").find_all("tr")
    expected = Figure.objects.filter(park=park, deleted=False)
    assert len(rows) == expected.count()
    chart = section.find("figure", cls="chart")
    caption = chart.find("figcaption").text
    assert "换算单位" in caption
    bars = chart.find_all("li")
    assert 0 < len(bars) <= 12
    # One indicator on the axis, and only what was reported.
    indicator = indicator_named(chart.attrs["data-indicator"])
    charted = [figure_of(bar) for bar in bars]
    assert indicator is not None and indicator.name in caption
    assert all(indicator.holds(f.label, f.base_unit) for f in charted)
    assert all(f.status == Figure.Status.REPORTED for f in charted)
    largest = (
        expected.filter(indicator.q(), status=Figure.Status.REPORTED)
        .order_by("-normalized_value")
        .first()
    )
    assert charted[0] == largest
    assert bars[0].find("rect").attrs["width"] == "100.00"
    assert printed_value(largest) in bars[0].text
    assert section.find("a", href=f"/figures/?park={park.slug}")


@pytest.mark.parametrize("sort", ["-value", "value"])
def test_it_sorts_the_figure_table(get, sort) -> None:
    park = most_covered()
    _, doc = get(park.get_absolute_url(), sort=sort)
    links = [
        tr.find("td", cls="source").find("a").attrs["href"]
        for tr in doc.by_id("figures").find("tbody").find_all("tr")
    ]
    pks = [int(href.rsplit("#f-", 1)[1]) for href in links]
    values = [Figure.objects.get(pk=pk).normalized_value for pk in pks]
    assert values == sorted(values, reverse=sort == "-value")
    header = doc.by_id("figures").find(
        "th", **{"aria-sort": "descending" if sort == "-value" else "ascending"}
    )
    assert "换算" in header.text


def test_it_lists_articles_elsewhere_that_mention_it(get) -> None:
    article = next(
        a
        for a in Article.objects.public().prefetch_related("parks")
        if any(p.pk != a.park_id for p in a.parks.all())
    )
    other = next(p for p in article.parks.all() if p.pk != article.park_id)
    _, doc = get(other.get_absolute_url())
    assert article.pk in article_ids(doc.by_id("mentions"))
    assert article.pk not in article_ids(doc.by_id("articles"))


def test_it_shows_a_zone_without_articles_quietly(get) -> None:
    park = Park.objects.filter(articles__isnull=True, mentioned_in__isnull=True).first()
    _, doc = get(park.get_absolute_url())
    assert doc.by_id("articles").find("li", cls="empty")
    assert "还没有" in doc.by_id("figures").text
    assert not doc.find_all("table")


def test_it_answers_404_for_an_unknown_slug(get) -> None:
    _, doc = get("/parks/no-such-zone/", status=404)
    assert "找不到" in doc.find("h1").text


@pytest.fixture
def crowded_park(db) -> Park:
    """A zone with 25 articles: one full page of 20 and a second page of 5."""
    park = Park.objects.create(name="测试高新区", slug="ceshi", province="测试省")
    page = Page.objects.create(source="crowded.txt", raw_text="x", content_hash="x")
    for n in range(25):
        Article.objects.create(
            page=page, ordinal=n + 1, title=f"测试文章{n + 1}", body="正文", park=park
        )
    return park


def test_it_paginates_articles(get, crowded_park) -> None:
    url = crowded_park.get_absolute_url()
    _, first = get(url)
    assert len(article_ids(first.by_id("articles"))) == 20
    assert first.find("a", rel="next").attrs["href"] == "?page=2#articles"
    _, second = get(url, page=2)
    assert len(article_ids(second.by_id("articles"))) == 5
    assert not second.find_all("a", rel="next")
    assert set(article_ids(first.by_id("articles"))).isdisjoint(
        article_ids(second.by_id("articles"))
    )


@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "2.5"])
def test_it_answers_404_for_a_page_that_is_not_there(get, crowded_park, page) -> None:
    get(crowded_park.get_absolute_url(), status=404, page=page)


def test_it_folds_a_few_orphans_into_the_last_page(get, crowded_park) -> None:
    Article.objects.filter(park=crowded_park, ordinal__gt=22).delete()
    _, doc = get(crowded_park.get_absolute_url())
    assert len(article_ids(doc.by_id("articles"))) == 22
    assert not doc.find_all("nav", cls="pager")
    get(crowded_park.get_absolute_url(), status=404, page=2)


def test_it_lists_the_first_figures_and_links_to_the_rest(get, crowded_park) -> None:
    article = crowded_park.articles.first()
    Figure.objects.bulk_create(
        Figure(
            article=article, park=crowded_park, label="投资", value=n, value_text=str(n),
            unit="亿元", normalized_value=n * 1e8, base_unit="元", position=0,
        )
        for n in range(1, 66)
    )  # fmt: skip
    _, doc = get(crowded_park.get_absolute_url(), sort="-value")
    section = doc.by_id("figures")
    assert "65 条" in section.find("h2").text
    rows = section.find("tbody").find_all("tr")
    assert len(rows) == 60
    assert rows[0].find("td", cls="num").text == "65亿元"
    assert section.find("a", href=f"/figures/?park={crowded_park.slug}")
