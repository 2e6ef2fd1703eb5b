"""The 引用 box, a zone's timeline and the calendars as a reader sees them in chromium, at
desktop and phone widths: visible, inside the page's width, no CSP or console errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param], accept_downloads=True)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def test_an_article_shows_its_citation_and_downloads_it(site: str, page) -> None:
    page.goto(f"{site}/")
    page.locator("#main ol.article-list h3 a").first.click()
    page.wait_for_load_state()
    box = page.locator("#cite")
    box.scroll_into_view_if_needed()
    assert box.is_visible()
    gbt = page.locator("#cite-gbt").inner_text()
    assert "[N]. " in gbt and gbt.endswith(".")
    assert page.locator("#cite-apa cite").evaluate("e => getComputedStyle(e).fontStyle") == "italic"
    assert page.locator("#cite .cite-warn").is_visible()  # seeds have no newspaper
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    canonical = page.locator("link[rel=canonical]").get_attribute("href")
    assert page.url.split("#")[0] == canonical
    with page.expect_download() as download:
        page.locator("#cite a", has_text="BibTeX").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("@article{parknews-")
    assert page.problems == []


def test_a_zone_page_draws_its_timeline(site: str, page) -> None:
    page.goto(f"{site}/")
    page.locator("ol.rank a").first.click()
    page.wait_for_load_state()
    timeline = page.locator("#timeline figure.timeline").first
    timeline.scroll_into_view_if_needed()
    assert timeline.is_visible()
    bars = timeline.locator("svg.tl-bar rect")
    assert bars.count() > 0
    assert bars.first.bounding_box()["height"] > 0
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.problems == []


def ingest_copy(site_env: dict[str, str], tmp_path_factory, seed: str, name: str,
                *options: str) -> None:
    """Ingest a copy of a seed page, under a name of its own, into the site's archive."""
    page = tmp_path_factory.mktemp(name) / f"{name}.txt"
    page.write_text((SEEDS / seed).read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run([sys.executable, "manage.py", "ingest", str(page), *options, "-v0"],
                   cwd=ROOT, env=site_env, check=True)


@pytest.fixture(scope="module")
def dated_page(site: str, site_env: dict[str, str], tmp_path_factory) -> str:
    """A page with a given date in the site's archive (the seeds' dates are estimates),
    ingested into the site's own data directory and database."""
    ingest_copy(site_env, tmp_path_factory, "003_3b7b63bd7187fec8.txt", "dated",
                "--date", "2020-06-01", "--paper", "某某科技报", "--page-label", "第3版")
    return "/issues/2020/"


@pytest.fixture(scope="module")
def long_timeline_zone(site: str, site_env: dict[str, str], dated_page: str,
                       tmp_path_factory) -> str:
    """A zone with dated reports three years apart: 厦门火炬, on seed page 003 (dated
    2020-06-01 by dated_page) and on seed page 004, ingested here as a 2017-03-01 issue.
    Forty months are more columns than a phone, or the desktop's main column, can show."""
    ingest_copy(site_env, tmp_path_factory, "004_a47ea2bfe5e6e35c.txt", "dated-2017",
                "--date", "2017-03-01")
    return "/parks/xiamenhuoju/"


def test_a_long_month_timeline_scrolls_inside_itself(site: str, long_timeline_zone: str,
                                                     page) -> None:
    page.goto(f"{site}{long_timeline_zone}")
    months = page.locator("#timeline figure.timeline-month .tl-cols")
    assert months.locator("li").count() == 40  # 2017年3月 … 2020年6月
    # The strip is wider than its column and scrolls on its own; the page does not.
    assert months.evaluate("e => e.scrollWidth > e.clientWidth")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.problems == []


def test_the_year_calendars_fit_the_screen(site: str, dated_page: str, page) -> None:
    page.goto(f"{site}{dated_page}")
    assert page.locator("table.cal").count() == 12
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    first, second = (page.locator("table.cal").nth(i).bounding_box() for i in (0, 1))
    # At least two months side by side, on a phone too.
    assert first["y"] == second["y"] and second["x"] > first["x"]
    day = page.locator("table.cal td.has a")
    assert day.count() == 1
    day.click()
    page.wait_for_load_state()
    assert page.url.endswith("/issues/2020/6/1/")
    assert page.locator("section.issue-paper h2 a").inner_text() == "某某科技报"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.problems == []
