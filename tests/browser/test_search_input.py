"""What a reader who types traditional characters sees, in Debian's chromium.

The header box takes a traditional query; the results and the article opened from them
mark the printed (simplified) text; the 搜索帮助 panel opens without any script; an
uncovered zone is named. Under gunicorn with the strict CSP, so a violation (inline
script or style) shows as a console error and fails the test.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"


def test_a_traditional_query_marks_the_article_and_help_opens(site: str, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))

    page.goto(f"{site}/parks/")
    page.fill("#site-q", "國家高新區")
    page.press("#site-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    first = page.locator(".search-results .title a").first
    assert page.locator(".search-results mark").first.inner_text() == "国家高新区"

    help_table = page.locator("#search-help table")
    assert not help_table.is_visible()
    page.click("#search-help summary")
    assert help_table.is_visible()
    assert "总投资>=10亿元" in help_table.inner_text()
    page.screenshot(path=ARTIFACTS / "search-help-open.png", full_page=True)

    first.click()
    page.wait_for_url("**/articles/*/?q=*")
    marks = page.locator(".article-body mark, .article-head mark")
    assert marks.count() >= 1 and marks.first.inner_text() == "国家高新区"
    assert marks.first.is_visible()
    assert "处匹配" in page.locator(".search-marks").inner_text()
    page.screenshot(path=ARTIFACTS / "article-marked.png", full_page=True)

    page.goto(f"{site}/search/?q=光谷")
    assert "本档案暂无东湖高新区的报道" in page.locator(".zone-gap").inner_text()
    page.locator(".zone-gap a.nearest").first.click()
    assert page.locator(".search-results .article-item").count() > 0
    assert problems == []
