"""A zone's coverage over time: articles per year, and per month where days are known.

Drawn like the figure charts (archive_charts.py): each column is real text (its label and
count) with a one-or-two-rect SVG for the bar, using only SVG presentation attributes,
which a strict Content-Security-Policy allows. Articles whose year was estimated from the
text are a lighter part of their year's bar and have no month.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.urls import reverse

from archive.models import Article, Park

MAX_MONTHS = 120  # beyond ten years of months the yearly bars say it better
FEW_MONTHS = 18  # up to this many months every column is labelled with its month
MIN_HEIGHT = 1.5  # percent: a bar for one article must still be seen


@dataclass(frozen=True)
class Column:
    label: str  # "2020年", "2020年6月"
    tick: str  # the text under the bar ("" to keep a crowded axis readable)
    dated: int
    estimated: int
    dated_y: str  # SVG geometry in a 0–100 box, formatted for attributes
    dated_h: str
    estimated_y: str
    estimated_h: str
    url: str | None

    @property
    def total(self) -> int:
        return self.dated + self.estimated


@dataclass(frozen=True)
class Timeline:
    unit: str  # "year" or "month"
    columns: list[Column]
    peak: int

    @property
    def total(self) -> int:
        return sum(c.total for c in self.columns)

    @property
    def estimated(self) -> int:
        return sum(c.estimated for c in self.columns)

    @property
    def span(self) -> str:
        """'2018年—2020年', '2020年6月—2021年3月'."""
        return f"{self.columns[0].label}—{self.columns[-1].label}"


def _height(n: int, peak: int) -> float:
    return max(n / peak * 100, MIN_HEIGHT) if n else 0.0


def _column(label: str, tick: str, dated: int, estimated: int, peak: int,
            url: str | None) -> Column:
    dated_h, est_h = _height(dated, peak), _height(estimated, peak)
    return Column(
        label=label, tick=tick, dated=dated, estimated=estimated,
        dated_y=f"{100 - dated_h:.2f}", dated_h=f"{dated_h:.2f}",
        estimated_y=f"{100 - dated_h - est_h:.2f}", estimated_h=f"{est_h:.2f}", url=url,
    )  # fmt: skip


def _counts(articles: QuerySet[Article], *fields: str) -> dict[tuple[int, ...], int]:
    extract = {"y": ExtractYear("page__issue_date"), "m": ExtractMonth("page__issue_date")}
    rows = (
        articles.annotate(**{f: extract[f] for f in fields})
        .order_by().values(*fields).annotate(n=Count("pk"))
    )  # fmt: skip
    return {tuple(r[f] for f in fields): r["n"] for r in rows}


def yearly(park: Park, articles: QuerySet[Article]) -> Timeline | None:
    """Articles per year from the first to the last, empty years included."""
    dated = {k[0]: n for k, n in _counts(articles.filter(page__issue_date_estimated=False),
                                          "y").items()}
    estimated = {k[0]: n for k, n in _counts(articles.filter(page__issue_date_estimated=True),
                                              "y").items()}
    years = set(dated) | set(estimated)
    if not years:
        return None
    span = range(min(years), max(years) + 1)
    peak = max(dated.get(y, 0) + estimated.get(y, 0) for y in span)
    columns = [
        _column(f"{y}年", str(y), dated.get(y, 0), estimated.get(y, 0), peak,
                reverse("archive:search") + "?" + urlencode({"park": park.name, "year": y})
                if dated.get(y, 0) + estimated.get(y, 0) else None)
        for y in span
    ]  # fmt: skip
    return Timeline("year", columns, peak)


def monthly(articles: QuerySet[Article]) -> Timeline | None:
    """Articles per month, over the months with a printed or given date."""
    counts = _counts(articles.filter(page__issue_date_estimated=False), "y", "m")
    if not counts:
        return None
    first, last = min(counts), max(counts)
    months = []
    y, m = first
    while (y, m) <= last and len(months) < MAX_MONTHS:
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if (y, m) <= last or len(months) < 2:
        return None  # too long for months, or one month: the yearly bars say it all
    peak = max(counts.get(k, 0) for k in months)
    few = len(months) <= FEW_MONTHS
    columns = [
        _column(f"{y}年{m}月", f"{m}月" if few else (f"{y}" if m == 1 or (y, m) == first else ""),
                counts.get((y, m), 0), 0, peak,
                reverse("archive:issues_month", args=[y, m]) if counts.get((y, m)) else None)
        for y, m in months
    ]  # fmt: skip
    return Timeline("month", columns, peak)


def park_timelines(park: Park) -> list[Timeline]:
    """The timelines a zone's page draws: by year, and by month when there are days."""
    articles = park.articles.public().filter(page__issue_date__isnull=False)
    return [t for t in (yearly(park, articles), monthly(articles)) if t]
