"""Date browsing (/issues/ year → month → day), newspaper pages and a zone's timeline."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import ExtractYear

from archive.models import Article, Newspaper, Page
from tests.conftest import SEEDS
from tests.web.html import Node

PAPER = "某某科技报"


@pytest.fixture
def dated(db, page_dir: Path) -> None:
    """Four dated pages: two of one paper's issue on 1 June 2020, two without a paper (one
    of them the first page's text again, three months later)."""
    for name, seed, date, options in [
        ("a.txt", "000_eec577c9bc695ea4.txt", "2020-06-01", {"paper": PAPER, "page_label": "3"}),
        ("b.txt", "001_913c97220e047884.txt", "2020-06-01", {"paper": PAPER, "page_label": "1"}),
        ("c.txt", "003_3b7b63bd7187fec8.txt", "2020-07-15", {}),
        ("d.txt", "000_eec577c9bc695ea4.txt", "2020-09-01", {}),
    ]:
        (page_dir / name).write_text((SEEDS / seed).read_text(encoding="utf-8"), encoding="utf-8")
        call_command("ingest", str(page_dir / name), date=date, stdout=io.StringIO(), **options)


def calendar_days(doc) -> dict[str, str]:
    """Linked days of the calendars: title → href."""
    return {
        a.attrs["title"]: a.attrs["href"]
        for table in doc.find_all("table", cls="cal")
        for a in table.find_all("a")
        if "日：" in a.attrs.get("title", "")
    }


def test_the_index_lists_years_dated_and_estimated(get, dated) -> None:
    _, doc = get("/issues/")
    body = doc.find("table", cls="years").find("tbody")
    rows = {r.find("th").text: [td.text for td in r.find_all("td")] for r in body.find_all("tr")}
    estimated_2020 = Page.objects.filter(issue_date_estimated=True, issue_date__year=2020).count()
    assert rows["2020年"] == ["4", "3", str(estimated_2020)]
    assert PAPER in doc.find("ul", cls="chips").text


def test_a_year_is_twelve_calendars_with_the_dated_days_linked(get, dated) -> None:
    _, doc = get("/issues/2020/")
    assert len(doc.find_all("table", cls="cal")) == 12
    assert calendar_days(doc) == {
        "2020年6月1日：2 版": "/issues/2020/6/1/",
        "2020年7月15日：1 版": "/issues/2020/7/15/",
        "2020年9月1日：1 版": "/issues/2020/9/1/",
    }
    # 1 June 2020 was a Monday: the first cell of June's first week.
    june = doc.find_all("table", cls="cal")[5]
    assert june.find("tbody").find("tr").find_all("td")[0].text == "1"
    estimated = Page.objects.filter(issue_date_estimated=True, issue_date__year=2020)
    listed = doc.by_id("est-h").text
    assert f"{estimated.count()}" in listed


def test_a_month_lists_its_days_and_pages_in_page_order(get, dated) -> None:
    _, doc = get("/issues/2020/6/")
    assert calendar_days(doc) == {"2020年6月1日：2 版": "/issues/2020/6/1/"}
    labels = [p.find("strong").text for p in doc.find_all("li", cls="page-row")]
    assert labels == ["第1版", "第3版"]
    assert doc.find("a", rel="next").attrs["href"] == "/issues/2020/7/"


def test_a_day_groups_pages_by_newspaper(get, dated) -> None:
    _, doc = get("/issues/2020/6/1/")
    assert doc.find("h1").text == "2020年6月1日 星期一"
    section = doc.find("section", cls="issue-paper")
    assert section.find("h2").find("a").text == PAPER
    titles = [a.text for a in section.find_all("a") if a.attrs["href"].startswith("/articles/")]
    expected = Article.objects.public().filter(page__source__in=["a.txt", "b.txt"])
    assert set(titles) == {a.title or "（无标题片段）" for a in expected}


@pytest.mark.parametrize(
    "path", ["/issues/2020/6/2/", "/issues/2020/13/", "/issues/2020/2/30/", "/issues/1800/",
             "/papers/no-such-paper/"],
)
def test_days_without_pages_and_impossible_dates_are_404(get, dated, path: str) -> None:
    get(path, status=404)


def test_a_newspaper_page_lists_its_issues(get, dated) -> None:
    paper = Newspaper.objects.get(title=PAPER)
    _, doc = get(paper.get_absolute_url())
    assert doc.find("h1").text == PAPER
    assert [a.attrs["href"] for a in doc.find("ul", cls="issue-list").find_all("a")] == [
        "/issues/2020/6/1/"
    ]
    assert "1 期，2 个版面" in doc.find("p", cls="lede").text
    _, doc = get("/papers/")
    assert PAPER in doc.find("main").text


def test_a_zone_page_draws_its_coverage_per_year_and_month(get, dated) -> None:
    article = Article.objects.public().get(page__source="a.txt", ordinal=1)
    park = article.park
    _, doc = get(park.get_absolute_url())
    timelines = doc.by_id("timeline").find_all("figure", cls="timeline")
    yearly = timelines[0]
    assert "timeline-year" in yearly.classes
    about = park.articles.public().filter(page__issue_date__isnull=False)
    per_year = dict(
        about.annotate(y=ExtractYear("page__issue_date")).values_list("y").order_by()
        .annotate(n=Count("pk")).values_list("y", "n")
    )  # fmt: skip
    columns = [c for c in yearly.find("ol").children if isinstance(c, Node) and c.tag == "li"]
    drawn = {
        c.find("span", cls="tl-tick").text: c.find("span", cls="tl-n").text.strip()
        for c in columns
        if c.find("span", cls="tl-n").text.strip()
    }
    assert drawn == {str(y): str(n) for y, n in per_year.items()}
    # Dated and estimated parts of a year are two rects; the months are June to September.
    rects = {r.attrs["class"] for r in yearly.find_all("rect")}
    assert rects == {"dated", "estimated"}
    monthly = timelines[1]
    assert "timeline-month" in monthly.classes
    ticks = [t.text for t in monthly.find_all("span", cls="tl-tick")]
    assert ticks == ["6月", "7月", "8月", "9月"]
    links = [a.attrs["href"] for a in monthly.find_all("a")]
    assert links == ["/issues/2020/6/", "/issues/2020/9/"]


def test_the_date_pages_carry_no_inline_script_or_style(client, dated) -> None:
    paper = Newspaper.objects.get(title=PAPER)
    for url in ["/issues/2020/", "/issues/2020/6/", "/issues/2020/6/1/", paper.get_absolute_url()]:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and "style-src 'self'" in response[
            "Content-Security-Policy"
        ]
        assert "<style" not in html and " style=" not in html, url
        assert all(" src=" in tag.split(">")[0] for tag in html.split("<script")[1:]), url
