"""`/figures/compare/`: zones side by side on one indicator, in the page, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from archive.indicators import indicator_named
from archive.models import Figure

URL = reverse("archive:figure_compare")

pytestmark = pytest.mark.django_db


def reported(indicator: str, year: int | None = None) -> list[Figure]:
    figures = (
        Figure.objects.public()
        .filter(indicator_named(indicator).q(), status=Figure.Status.REPORTED)
        .select_related("park", "article__park", "article__page")
    )
    out = []
    for f in figures:
        issue = f.article.page.issue_date
        year_of = f.year or (issue.year if issue else None)
        if year is None or year_of == year:
            out.append(f)
    return out


def zone_of(figure: Figure) -> str | None:
    zone = figure.park or figure.article.park
    return zone.name if zone else None


def compare_json(client, **params) -> dict:
    response = client.get(URL, {**params, "format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.parametrize("indicator", ["总投资", "高新技术企业", "营业收入"])
def test_it_gives_one_row_per_zone_with_its_latest_reported_figure(client, indicator) -> None:
    data = compare_json(client, indicator=indicator)
    figures = reported(indicator)
    zones = {zone_of(f) for f in figures} - {None}
    assert zones, f"the seeds hold reported {indicator} figures"
    assert [z["park"] for z in data["zones"]] and len(data["zones"]) == len(zones)
    assert {z["park"] for z in data["zones"]} == zones
    for row in data["zones"]:
        mine = [f for f in figures if zone_of(f) == row["park"]]
        assert row["figures"] == len(mine)
        assert row["status"] == "reported" and row["indicator"] == indicator
        assert row["base_unit"] == indicator_named(indicator).base_unit
        shown = next(f for f in mine if row["article_url"].endswith(f"#f-{f.pk}"))
        assert row["printed"] == shown.printed and shown.printed in row["quote"]
        latest_year = max((f.year or f.article.page.issue_date.year) for f in mine)
        assert row["year"] == latest_year
    values = [z["normalized_value"] for z in data["zones"]]
    assert values == sorted(values, reverse=True)


def test_it_counts_a_zone_once_however_many_projects_one_article_lists(client) -> None:
    data = compare_json(client, indicator="总投资")
    names = [z["park"] for z in data["zones"]]
    assert len(names) == len(set(names))
    xian = next(z for z in data["zones"] if z["park"] == "西安高新区")
    assert xian["figures"] > 1


def test_it_leaves_targets_and_thresholds_out(client) -> None:
    data = compare_json(client, indicator="总投资")
    urls = {z["article_url"].rsplit("#f-", 1)[1] for z in data["zones"]}
    statuses = set(Figure.objects.filter(pk__in=urls).values_list("status", flat=True))
    assert statuses == {"reported"}


def test_it_narrows_to_one_year(client) -> None:
    everything = compare_json(client, indicator="总投资")
    year = everything["zones"][0]["year"]
    data = compare_json(client, indicator="总投资", year=year)
    assert data["zones"] and {z["year"] for z in data["zones"]} == {year}
    assert {z["park"] for z in data["zones"]} == {
        zone_of(f) for f in reported("总投资", year)
    } - {None}


@pytest.mark.parametrize("sort", ["value", "-value", "-count", "zone"])
def test_it_sorts(client, sort) -> None:
    rows = compare_json(client, indicator="总投资", sort=sort)["zones"]
    if sort in ("value", "-value"):
        values = [r["normalized_value"] for r in rows]
        assert values == sorted(values, reverse=sort == "-value")
    elif sort == "-count":
        counts = [r["figures"] for r in rows]
        assert counts == sorted(counts, reverse=True)


def test_the_page_shows_the_table_and_a_chart_of_one_indicator(get) -> None:
    _, doc = get(URL, indicator="总投资")
    rows = doc.find("table", cls="compare").find("tbody").find_all("tr")
    data_rows = reported("总投资")
    assert len(rows) == len({zone_of(f) for f in data_rows} - {None})
    chart = doc.find("figure", cls="chart")
    assert chart.attrs["data-indicator"] == "总投资"
    assert len(chart.find_all("li")) == len(rows)
    header = [th.text for th in doc.find("thead").find_all("th")]
    assert any("换算" in h for h in header) and any("原文写法" in h for h in header)
    for tr in rows:
        printed = tr.find("td", cls="printed").text
        assert printed in tr.find("td", cls="quote").text


def test_the_csv_names_page_and_article_and_what_was_filtered(client) -> None:
    response = client.get(URL, {"indicator": "高新技术企业", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert 'filename="parknews-compare-indicator-gaoxinjishuqiye.csv"' in disposition
    assert "filename*=UTF-8''parknews-compare-indicator-%E9%AB%98" in disposition
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows
    for row in rows:
        assert row["page"].endswith(".txt")
        assert row["article_url"].startswith("http://testserver/articles/")
        assert row["printed"] and row["printed"] in row["quote"]
        assert row["indicator"] == "高新技术企业"


def test_an_unknown_indicator_falls_back_to_the_first_and_says_so(get) -> None:
    _, doc = get(URL, indicator="不存在的指标")
    assert "已忽略" in doc.find("p", cls="note").text
    assert doc.find("h1").text.startswith("园区对比：总投资")
