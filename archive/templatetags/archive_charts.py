"""Bar charts of figures, drawn on the server.

Each bar is a row of real text (label, value) with a one-rect SVG for the bar, so the
chart reads on a phone, prints, needs no script, and uses no inline style (only SVG
presentation attributes), which a strict Content-Security-Policy allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from archive.models import Figure
from archive.templatetags.archive_format import (
    format_number,
    is_money,
    issue_date_text,
    scale_for,
)


@dataclass(frozen=True)
class Bar:
    label: str
    detail: str
    value: str
    width: str  # percent of the widest bar, formatted for an SVG attribute
    url: str


@dataclass(frozen=True)
class Chart:
    unit: str
    base_unit: str
    bars: list[Bar]
    in_unit: int  # figures of the selection in the charted unit
    total: int  # figures in the selection

    @property
    def left_out(self) -> int:
        return self.total - self.in_unit


def pick_chart_unit(counts: Mapping[str, int]) -> str | None:
    """The base unit to chart: money when there is any (the figures people compare
    most), else the unit most figures share."""
    if not counts:
        return None
    money = [u for u in counts if is_money(u)]
    pool = money or list(counts)
    return max(pool, key=lambda u: (counts[u], u == "元", u))


def build_chart(
    figures: Sequence[Figure], base_unit: str, in_unit: int, total: int, detail: str = "park"
) -> Chart | None:
    """A chart of figures (all in base_unit, largest first), scaled to the largest.

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
                value=format_number(round(figure.normalized_value / divisor, 4)),
                # A bar too thin to see would read as zero.
                width=f"{max(share, 0.8):.2f}",
                url=f"{article.get_absolute_url()}#f-{figure.pk}",
            )
        )
    return Chart(unit=unit, base_unit=base_unit, bars=bars, in_unit=in_unit, total=total)
