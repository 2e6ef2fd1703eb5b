"""A reader's way through the archive in Debian's chromium, at desktop and phone widths.

home → the most covered park → its newest article (and the page text it came from) → the
figure explorer, filtered → a CSV download. The site runs as it does in production:
gunicorn with DEBUG off and whitenoise serving the collected static files, on a fresh
data directory with the seed pages ingested. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_it_takes_a_reader_from_home_to_a_csv(site: str, browser, viewport: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"script: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))

    def shot(step: int, name: str) -> None:
        page.screenshot(path=ARTIFACTS / f"{viewport}-{step}-{name}.png", full_page=True)

    try:
        # Home: the search box first, the stylesheet served by whitenoise.
        page.goto(f"{site}/")
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        search = page.locator("main form[role=search] input[name=q]")
        assert search.is_visible()
        mark = page.locator(".brand-mark")
        assert mark.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(166, 27, 41)"
        shot(1, "home")

        # → the park with most coverage.
        top = page.locator("ol.rank a").first
        park_name = top.inner_text()
        top.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == park_name
        assert "/parks/" in page.url
        assert page.locator("#figures table.figures tbody tr").count() > 0
        assert page.locator("#figures figure.chart svg.bar").count() > 0
        shot(2, "park")

        # → its newest article, figures marked in the text, the page text on request.
        first = page.locator("#articles li.article-item h3 a").first
        title = first.inner_text()
        first.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == title
        marks = page.locator(".article-body a.fig")
        if marks.count():
            marks.first.click()
            assert page.url.split("#")[1].startswith("f-")
            assert page.locator("li:target").is_visible()
        page.locator("details#source summary").click()
        assert page.locator("pre.page-text mark").first.is_visible()
        page.evaluate("window.scrollTo(0, 0)")
        shot(3, "article")

        # → the figure explorer from the header; choosing a unit applies it at once.
        page.locator("header.site nav a", has_text="数据").click()
        page.wait_for_load_state()
        total = page.locator(".result-line strong").inner_text()
        with page.expect_navigation():
            page.locator("#f-unit").select_option("元")
        assert "unit=%E5%85%83" in page.url and "park=" not in page.url
        money = page.locator(".result-line strong").inner_text()
        assert int(money) < int(total)
        cells = page.locator("table.figures td.num").all_inner_texts()
        # The 换算 column: one currency, converted; the printed form is in its own column.
        assert cells and all(c.endswith(("亿元", "万元", "元")) for c in cells)
        shot(4, "figures")

        # → a CSV of just that selection.
        with page.expect_download() as event:
            page.locator("a[data-download=csv]").click()
        download = event.value
        target = ARTIFACTS / f"{viewport}-figures.csv"
        download.save_as(target)
        content = target.read_bytes()
        assert content.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert len(rows) == int(money)
        assert {r["base_unit"] for r in rows} == {"元"}

        # The park directory filters as one types, and keeps the filter in the URL.
        page.goto(f"{site}/parks/")
        page.locator("#park-q").fill(park_name[:2])
        visible = page.locator("[data-key]:visible")
        assert 0 < visible.count() < page.locator("[data-key]").count()
        assert "q=" in page.url
        shot(5, "parks")

        assert not problems, problems

        # A wrong link gets the 404 page in the site's style.
        response = page.goto(f"{site}/parks/no-such-zone/")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "找不到这个页面"
        shot(6, "404")
    finally:
        context.close()
