"""A researcher comparing zones in Debian's chromium: the explorer filtered to one
indicator and to targets, then the per-zone comparison, sorted, and its CSV."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"


def test_a_researcher_compares_zones_on_one_indicator(site: str, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"script: {e}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    try:
        page.goto(f"{site}/figures/")
        # Targets only: every row says so.
        with page.expect_navigation():
            page.locator("#f-status").select_option("target")
        statuses = page.locator("table.figures td.status").all_inner_texts()
        assert statuses and set(statuses) == {"目标/预计"}

        # One indicator: the chart is one bar per zone of that indicator.
        page.goto(f"{site}/figures/")
        with page.expect_navigation():
            page.locator("#f-indicator").select_option("总投资")
        chart = page.locator("figure.chart")
        assert chart.get_attribute("data-indicator") == "总投资"
        zones = chart.locator(".bar-label").all_inner_texts()
        assert len(zones) > 1
        page.screenshot(path=ARTIFACTS / "compare-1-explorer.png", full_page=True)

        # → the comparison table, sorted by zone name, then its CSV.
        with page.expect_navigation():
            page.locator("p.more a", has_text="按园区对比").click()
        rows = page.locator("table.compare tbody tr")
        assert rows.count() == len(zones)
        for i in range(rows.count()):
            row = rows.nth(i)
            assert row.locator("td.printed").inner_text() in row.locator("td.quote").inner_text()
        with page.expect_navigation():
            page.locator("#c-sort").select_option("zone")
        assert "sort=zone" in page.url
        page.screenshot(path=ARTIFACTS / "compare-2-table.png", full_page=True)
        with page.expect_download() as event:
            page.locator("a[data-download=csv]").click()
        download = event.value
        assert download.suggested_filename.startswith("parknews-compare-")
        assert "总投资" in download.suggested_filename
        target = ARTIFACTS / "compare.csv"
        download.save_as(target)
        table = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
        assert len(table) == len(zones)
        assert all(r["page"] and r["article_url"].startswith(site) for r in table)
        assert problems == []
    finally:
        context.close()
