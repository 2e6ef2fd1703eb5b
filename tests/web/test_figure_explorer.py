"""`/figures/`: filters, sort, readable money, CSV and JSON of the selection, a chart."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urlencode

import pytest
from django.db.models import Count
from django.urls import reverse

from archive.indicators import indicator_named
from archive.models import Article, Figure, Park
from tests.web.html import parse, squash

URL = reverse("archive:figures")

pytestmark = pytest.mark.django_db


def public() -> list[Figure]:
    return list(
        Figure.objects.filter(deleted=False)
        .exclude(article__body="")
        .select_related("park", "article__page", "article__park")
    )


def effective_year(figure: Figure) -> int | None:
    """The year stated; else, for a result (not a target), the year of the issue."""
    if figure.year or figure.status != Figure.Status.REPORTED:
        return figure.year
    return figure.article.page.issue_date.year if figure.article.page.issue_date else None


def download(client, fmt: str, **params) -> bytes:
    """The downloaded file: streamed, so that a big selection is never held whole."""
    response = client.get(URL, {**params, "format": fmt})
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


def selection(client, **params) -> list[dict]:
    return json.loads(download(client, "json", **params))["figures"]


def table_ids(doc) -> list[int]:
    rows = doc.find("table", cls="figures").find("tbody").find_all("tr")
    return [
        int(re.search(r"#f-(\d+)$", tr.find("td", cls="source").find("a").attrs["href"]).group(1))
        for tr in rows
    ]


def test_it_pages_through_every_public_figure_once(get) -> None:
    expected = {f.pk for f in public()}
    seen: list[int] = []
    page = 1
    while True:
        _, doc = get(URL, page=page)
        seen += table_ids(doc)
        if not doc.find_all("a", rel="next"):
            break
        page += 1
    assert page > 1
    assert sorted(seen) == sorted(expected)
    get(URL, status=404, page=page + 1)
    get(URL, status=404, page="x")


def test_it_filters_by_park(client) -> None:
    park = Park.objects.annotate(n=Count("figures")).order_by("-n").first()
    rows = selection(client, park=park.slug)
    assert {r["id"] for r in rows} == {f.pk for f in public() if (f.park or f.article.park) == park}
    assert {r["park"] for r in rows} == {park.name}


def test_it_filters_by_province(client) -> None:
    province = Park.objects.annotate(n=Count("figures")).order_by("-n").first().province
    rows = selection(client, province=province)
    assert rows
    assert {r["id"] for r in rows} == {
        f.pk for f in public() if (f.park or f.article.park).province == province
    }


def test_it_filters_by_label_containing_the_words(client) -> None:
    label = (
        Figure.objects.exclude(label="")
        .values("label")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["label"]
    )
    word = label[-2:]
    rows = selection(client, label=word)
    assert {r["id"] for r in rows} == {f.pk for f in public() if word in f.label}
    assert any(r["label"] == label for r in rows)


def test_it_filters_by_unit(client) -> None:
    rows = selection(client, unit="元")
    assert rows and {r["base_unit"] for r in rows} == {"元"}
    assert len(rows) == sum(1 for f in public() if f.base_unit == "元")


def test_it_filters_by_year_stated_or_of_the_issue(client) -> None:
    stated = next(f for f in public() if f.year)
    rows = selection(client, year=stated.year)
    assert {r["id"] for r in rows} == {f.pk for f in public() if effective_year(f) == stated.year}
    assert stated.pk in {r["id"] for r in rows}


def test_it_combines_filters(client) -> None:
    park = Park.objects.annotate(n=Count("figures")).order_by("-n").first()
    rows = selection(client, park=park.slug, unit="元", sort="-value")
    expected = [f for f in public() if (f.park or f.article.park) == park and f.base_unit == "元"]
    assert [r["id"] for r in rows] == [
        f.pk for f in sorted(expected, key=lambda f: (-f.normalized_value, f.pk))
    ]


@pytest.mark.parametrize("sort", ["-value", "value"])
def test_it_sorts_by_value(client, get, sort) -> None:
    values = [r["normalized_value"] for r in selection(client, unit="元", sort=sort)]
    assert values == sorted(values, reverse=sort == "-value")
    _, doc = get(URL, unit="元", sort=sort)
    ids = table_ids(doc)
    figures = Figure.objects.in_bulk(ids)
    shown = [figures[pk].normalized_value for pk in ids]
    assert shown == sorted(shown, reverse=sort == "-value")


def test_it_sorts_newest_issue_first_by_default(client) -> None:
    rows = selection(client)
    dates = [r["issue_date"] for r in rows]
    assert dates == sorted(dates, reverse=True)


def test_it_shows_what_was_printed_and_the_converted_value_beside_it(get) -> None:
    small = Figure.objects.filter(
        base_unit="元", unit="万元", normalized_value__gte=1_000_000
    ).first()
    large = Figure.objects.filter(base_unit="元", unit="亿元").first()
    _, doc = get(URL, unit="元", sort="-value")
    header = [th.text for th in doc.find("thead").find_all("th")]
    assert any("原文写法" in h for h in header) and any("换算" in h for h in header)
    rows = {
        tr.find("td", cls="source").find("a").attrs["href"].rsplit("-", 1)[1]: tr
        for tr in doc.find("tbody").find_all("tr")
    }
    for figure in (small, large):
        if str(figure.pk) in rows:
            row = rows[str(figure.pk)]
            assert row.find("td", cls="printed").text == figure.printed
            assert figure.printed in figure.quote
            cell = row.find("td", cls="num").text
            assert "," not in cell and cell.endswith("亿元"), cell
            assert float(cell.removesuffix("亿元")) == pytest.approx(
                figure.normalized_value / 1e8, rel=1e-3
            )
    assert "万元" in small.unit


def test_it_shows_the_status_of_every_figure_and_filters_by_it(client) -> None:
    # (not the get fixture: its own `status` argument is the HTTP status)
    doc = parse(client.get(URL, {"status": "target"}).content)
    cells = [td.text for td in doc.find("tbody").find_all("td", cls="status")]
    assert cells and set(cells) == {"目标/预计"}
    rows = selection(client, status="target")
    assert {r["status"] for r in rows} == {"target"}
    assert len(rows) == sum(1 for f in public() if f.status == "target")
    everything = selection(client)
    assert {r["status"] for r in everything} == {"reported", "target", "threshold"}


def test_it_filters_by_indicator(client) -> None:
    rows = selection(client, indicator="总投资")
    assert rows and all("总投资" in r["label"] or "投资总额" in r["label"] for r in rows)
    assert {r["base_unit"] for r in rows} == {"元"}


def test_it_says_so_when_nothing_matches(get) -> None:
    _, doc = get(URL, park="no-such-zone")
    assert "没有符合" in doc.find("p", cls="empty").text
    assert not doc.find_all("table")
    assert squash(doc.find("div", cls="result-line").text).startswith("0条")


def test_it_ignores_an_invalid_filter_and_says_so(get) -> None:
    _, doc = get(URL, year="abc", sort="sideways")
    assert "已忽略" in doc.find("p", cls="note").text
    assert len(table_ids(doc)) > 0


def test_it_keeps_the_filters_in_the_download_links(get) -> None:
    province = Figure.objects.filter(park__isnull=False).values_list("park__province", flat=True)[0]
    _, doc = get(URL, province=province, sort="-value", page=1)
    links = {
        a.attrs["data-download"]: a.attrs["href"]
        for a in doc.find("p", cls="downloads").find_all("a")
    }
    # The page number is left out: a download is the whole selection.
    for fmt in ("csv", "json"):
        assert links[fmt] == "?" + urlencode(
            {"province": province, "sort": "-value", "format": fmt}
        )


def test_it_charts_one_indicator_of_reported_figures_only(get) -> None:
    for params in ({}, {"unit": "元"}, {"park": "xian"}):
        _, doc = get(URL, **params)
        chart = doc.find("figure", cls="chart")
        bars = chart.find_all("li")
        charted = [
            Figure.objects.get(pk=int(b.find("a").attrs["href"].rsplit("#f-", 1)[1]))
            for b in bars
        ]
        name = chart.attrs["data-indicator"]
        indicator = indicator_named(name)
        if indicator:
            assert all(indicator.holds(f.label, f.base_unit) for f in charted), params
        else:
            assert {f.label for f in charted} == {name}, params
        assert len({f.base_unit for f in charted}) == 1
        assert {f.status for f in charted} == {"reported"}
        widths = [float(b.find("rect").attrs["width"]) for b in bars]
        assert widths[0] == 100 and widths == sorted(widths, reverse=True)
        assert "换算单位" in chart.find("figcaption").text


def test_it_charts_the_indicator_asked_for_one_bar_per_zone(get) -> None:
    _, doc = get(URL, indicator="总投资")
    chart = doc.find("figure", cls="chart")
    assert chart.attrs["data-indicator"] == "总投资"
    bars = chart.find_all("li")
    charted = [
        Figure.objects.select_related("park", "article__park").get(
            pk=int(b.find("a").attrs["href"].rsplit("#f-", 1)[1])
        )
        for b in bars
    ]
    zones = [(f.park or f.article.park).name for f in charted]
    assert len(zones) == len(set(zones)) > 1
    assert all(f.printed in b.text for f, b in zip(charted, bars, strict=True))
    largest = (
        Figure.objects.public()
        .filter(indicator_named("总投资").q(), status="reported")
        .order_by("-normalized_value")
        .first()
    )
    assert charted[0] == largest  # the seeds' largest is its zone's only 总投资


def test_it_downloads_the_selection_as_csv(client) -> None:
    response = client.get(URL, {"unit": "元", "sort": "-value", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"))))
    expected = selection(client, unit="元", sort="-value")
    assert [int(r["id"]) for r in rows] == [r["id"] for r in expected]
    first = Figure.objects.get(pk=int(rows[0]["id"]))
    assert rows[0]["quote"] == first.quote
    assert rows[0]["converted"].endswith("亿元")
    assert rows[0]["printed"] == first.printed and rows[0]["status"] == first.status
    assert rows[0]["page"] == first.article.page.source
    assert rows[0]["article_url"] == f"http://testserver{first.article.get_absolute_url()}"
    disposition = response["Content-Disposition"]
    assert 'filename="parknews-figures-sort--value-unit-yuan.csv"' in disposition
    assert "filename*=UTF-8''parknews-figures-sort--value-unit-%E5%85%83.csv" in disposition


def test_it_neutralises_formulas_in_the_csv(client) -> None:
    article = Article.objects.public().first()
    Figure.objects.create(
        article=article,
        park=article.park,
        label='=HYPERLINK("x")',
        value=-5,
        value_text="-5",
        unit="%",
        normalized_value=-5,
        base_unit="%",
        quote="@SUM(A1)",
        position=0,
    )
    content = download(client, "csv", label="HYPERLINK").decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(content)))
    assert row["label"] == '\'=HYPERLINK("x")'
    assert row["quote"] == "'@SUM(A1)"
    assert row["value_text"] == "'-5"
    assert row["value"] == "-5"  # numbers stay numbers


def test_it_downloads_the_selection_as_json(client) -> None:
    content = download(client, "json", unit="家", sort="value")
    data = json.loads(content)
    assert data["filters"] == {"unit": "家", "sort": "value"}
    assert data["count"] == len(data["figures"]) == sum(1 for f in public() if f.base_unit == "家")
    figure = Figure.objects.get(pk=data["figures"][0]["id"])
    row = data["figures"][0]
    assert (row["label"], row["quote"], row["unit"]) == (figure.label, figure.quote, figure.unit)
    assert "\\u" not in content.decode()


def test_it_leaves_deleted_figures_out(client) -> None:
    figure = Figure.objects.filter(article__body__gt="").first()
    Figure.objects.filter(pk=figure.pk).update(deleted=True)
    assert figure.pk not in {r["id"] for r in selection(client)}


def test_it_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(12):
        assert client.get(URL, {"unit": "元"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "name"),
    [({"year": "20x0"}, "year"), ({"park": "宁波高新区"}, "park"), ({"sort": "bogus"}, "sort"),
     ({"label": "x" * 65}, "label")],
)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_download_with_an_invalid_filter_is_refused_naming_it(
    client, params: dict, name: str, fmt: str
) -> None:
    response = client.get(URL, {**params, "format": fmt})
    assert response.status_code == 400
    assert response.content.decode().startswith(f"invalid parameter {name}=")
    # The page itself still drops the bad filter and shows the rest.
    assert client.get(URL, params).status_code == 200


def test_its_filter_choices_are_those_of_the_public_figures(client) -> None:
    """The choices come from lean archive-wide queries; they must equal what the public
    figures themselves give (a deleted figure, or one in an empty article, offers none)."""
    figures = public()
    Figure.objects.filter(pk=figures[0].pk).update(deleted=True, year=1999, base_unit="只")
    figures = figures[1:]
    context = client.get(URL).context
    zones = {f.park or f.article.park for f in figures} - {None}
    assert set(context["park_choices"]) == zones
    assert context["province_choices"] == sorted({z.province for z in zones if z.province})
    units: dict[str, int] = {}
    for figure in figures:
        units[figure.base_unit] = units.get(figure.base_unit, 0) + 1
    assert dict(context["unit_choices"]) == units
    assert context["year_choices"] == sorted(
        {y for f in figures if (y := effective_year(f))}, reverse=True
    )
    labels: dict[str, int] = {}
    for figure in figures:
        if figure.label:
            labels[figure.label] = labels.get(figure.label, 0) + 1
    expected = sorted(labels.items(), key=lambda item: (-item[1], item[0]))[:60]
    assert [(row["label"], row["n"]) for row in context["label_choices"]] == expected


def test_the_chart_picks_the_indicator_most_reported_figures_are_of() -> None:
    """One SQL pass classifies figures as indicator_of classifies one label: each counts
    for the first indicator of the file it belongs to. Checked for every zone's figures
    and for the whole archive against indicator_of itself."""
    from archive.indicators import indicator_of
    from archive.views import commonest_indicator, in_zone

    selections = [Figure.objects.public()] + [
        Figure.objects.public().filter(in_zone(park)) for park in Park.objects.all()
    ]
    picked = 0
    for figures in selections:
        counts: dict[tuple[str, str], int] = {}
        for figure in figures.filter(status=Figure.Status.REPORTED):
            if found := indicator_of(figure.label, figure.base_unit):
                key = (found.name, found.base_unit)
                counts[key] = counts.get(key, 0) + 1
        expected = max(counts.items(), key=lambda item: (item[1], item[0]))[0] if counts else None
        chosen = commonest_indicator(figures.filter(status=Figure.Status.REPORTED))
        assert ((chosen.name, chosen.base_unit) if chosen else None) == expected
        picked += chosen is not None
    assert picked > 3


def test_a_figure_of_two_indicators_counts_for_the_first_one_only() -> None:
    """A label of two indicators (first A, then B in the file) counts for A alone: two
    such figures and one of B only make A the commonest, not B (3 against 2)."""
    from archive.indicators import indicators
    from archive.views import commonest_indicator

    pairs = [
        (a, b, a.include[0] + b.include[0], b.include[0])
        for i, a in enumerate(indicators())
        for b in indicators()[i + 1 :]
        if a.base_unit == b.base_unit
    ]
    a, _, both, b_only = next(
        (a, b, both, b_only)
        for a, b, both, b_only in pairs
        if a.holds(both, a.base_unit) and b.holds(both, b.base_unit)
        and b.holds(b_only, b.base_unit) and not a.holds(b_only, a.base_unit)
    )
    article = Article.objects.public().first()
    for label in (both, both, b_only):
        Figure.objects.create(
            article=article, label=label, value=1, unit=a.base_unit, normalized_value=1,
            base_unit=a.base_unit, status=Figure.Status.REPORTED,
        )
    mine = Figure.objects.public().filter(article=article, label__in=[both, b_only])
    assert commonest_indicator(mine) == a
