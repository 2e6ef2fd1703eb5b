"""Bar charts of figures, drawn on the server.

Each bar is a row of real text (label, value) with a one-rect SVG for the bar, so the
chart reads on a phone, prints, needs no script, and uses no inline style (only SVG
presentation attributes), which a strict Content-Security-Policy allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archive.models import Figure
from archive.templatetags.archive_format import (
    issue_date_text,
    plain_number,
    printed_value,
    scale_for,
)


@dataclass(frozen=True)
class Bar:
    label: str
    detail: str
    value: str  # converted to the chart's unit
    printed: str  # as the paper printed it
    width: str  # percent of the widest bar, formatted for an SVG attribute
    url: str


@dataclass(frozen=True)
class Chart:
    indicator: str  # the one indicator (or label) every bar is a figure of
    unit: str
    base_unit: str
    bars: list[Bar]
    in_unit: int  # figures of the selection of that indicator, reported
    total: int  # figures in the selection
    per_zone: bool = False  # one bar per zone (its latest figure), not the largest figures

    @property
    def left_out(self) -> int:
        return self.total - self.in_unit


def build_chart(
    figures: Sequence[Figure],
    indicator: str,
    base_unit: str,
    in_unit: int,
    total: int,
    detail: str = "park",
) -> Chart | None:
    """A chart of figures of one indicator (all in base_unit, largest first), scaled to
    the largest.

    detail says what the small text under each label names: "park" in the explorer,
    "date" on a park's page, where every bar is the same park.
    """
    if not figures:
        return None
    largest = max(abs(f.normalized_value) for f in figures) or 1
    divisor, unit = scale_for(largest, base_unit)
    bars = []
    for figure in figures:
        article = figure.article
        if detail == "park":
            park = figure.park or article.park
            note = park.name if park else ""
        else:
            note = issue_date_text(article.page.issue_date, article.page.issue_date_estimated)
        share = abs(figure.normalized_value) / largest * 100
        bars.append(
            Bar(
                label=figure.label or "（未标注）",
                detail=note,
                value=plain_number(round(figure.normalized_value / divisor, 4)),
                printed=printed_value(figure),
                # A bar too thin to see would read as zero.
                width=f"{max(share, 0.8):.2f}",
                url=f"{article.get_absolute_url()}#f-{figure.pk}",
            )
        )
    return Chart(
        indicator=indicator,
        unit=unit,
        base_unit=base_unit,
        bars=bars,
        in_unit=in_unit,
        total=total,
    )
