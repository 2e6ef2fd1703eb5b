"""Zones compared on one indicator: one row per zone, its latest reported figure.

A researcher asking "how many 高新技术企业 does each zone have" wants one number per zone,
not the 13 project investments one article listed for 西安. Only reported figures count
(targets and size thresholds are not results), and only figures of the one indicator,
so the rows share one unit and one chart axis.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet
from pypinyin import lazy_pinyin

from archive.indicators import Indicator
from archive.models import Figure, Park
from archive.templatetags.archive_charts import Bar, Chart
from archive.templatetags.archive_format import plain_number, printed_value, scale_for

COMPARE_SORTS: dict[str, str] = {
    "-value": "数值从大到小",
    "value": "数值从小到大",
    "zone": "按园区名",
    "-count": "数据条数从多到少",
    "-year": "年份从新到旧",
}
DEFAULT_COMPARE_SORT = "-value"
# Newest first: the year the figure is for, then the issue, then reading order.
LATEST_FIRST = (
    F("year_of").desc(nulls_last=True),
    F("article__page__issue_date").desc(nulls_last=True),
    "-article__page_id",
    "article__ordinal",
    "position",
)


@dataclass(frozen=True)
class ZoneRow:
    park: Park
    figure: Figure  # the latest reported figure of the indicator for this zone
    count: int  # reported figures of the indicator for this zone in the selection


def zone_rows(figures: QuerySet[Figure], indicator: Indicator, sort: str) -> list[ZoneRow]:
    """One row per zone of the reported figures of `indicator` in `figures` (which must
    carry public_figures()'s zone_id and year_of); figures of no zone are left out."""
    selected = figures.filter(indicator.q(), status=Figure.Status.REPORTED, zone_id__isnull=False)
    latest: dict[int, Figure] = {}
    counts: dict[int, int] = {}
    for figure in selected.order_by(*LATEST_FIRST):
        latest.setdefault(figure.zone_id, figure)
        counts[figure.zone_id] = counts.get(figure.zone_id, 0) + 1
    parks = Park.objects.in_bulk(list(latest))
    rows = [ZoneRow(parks[zone], figure, counts[zone]) for zone, figure in latest.items()]
    return sort_rows(rows, sort)


def sort_rows(rows: list[ZoneRow], sort: str) -> list[ZoneRow]:
    by_zone = sorted(rows, key=lambda r: lazy_pinyin(r.park.name))
    if sort == "zone":
        return by_zone
    if sort == "value":
        return sorted(by_zone, key=lambda r: r.figure.normalized_value)
    if sort == "-count":
        return sorted(by_zone, key=lambda r: -r.count)
    if sort == "-year":
        return sorted(by_zone, key=lambda r: -(r.figure.year_of or 0))
    return sorted(by_zone, key=lambda r: -r.figure.normalized_value)


def zone_chart(rows: list[ZoneRow], indicator: Indicator) -> Chart | None:
    """One bar per zone, largest first, on the indicator's one converted axis."""
    if not rows:
        return None
    ordered = sorted(rows, key=lambda r: -r.figure.normalized_value)
    largest = max(abs(r.figure.normalized_value) for r in ordered) or 1
    divisor, unit = scale_for(largest, indicator.base_unit)
    bars = [
        Bar(
            label=row.park.name,
            detail=f"{row.figure.year_of}年" if row.figure.year_of else "年份不详",
            value=plain_number(round(row.figure.normalized_value / divisor, 4)),
            printed=printed_value(row.figure),
            width=f"{max(abs(row.figure.normalized_value) / largest * 100, 0.8):.2f}",
            url=f"{row.figure.article.get_absolute_url()}#f-{row.figure.pk}",
        )
        for row in ordered
    ]
    return Chart(
        per_zone=True,
        indicator=indicator.name,
        unit=unit,
        base_unit=indicator.base_unit,
        bars=bars,
        in_unit=len(bars),
        total=len(bars),
    )
