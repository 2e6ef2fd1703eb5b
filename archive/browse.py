"""Browsing by date and by newspaper: /issues/ (year → month → day) and /papers/.

Only printed or given dates place a page on a day: a year estimated from the text says
nothing about the day, so such pages are listed under their year, marked, and never
drawn in a calendar.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from archive.models import Article, Newspaper, Page

WEEKDAY_NAMES = "一二三四五六日"


def dated_pages() -> QuerySet[Page]:
    """Pages placed on a day: a printed or given issue date."""
    return Page.objects.filter(issue_date__isnull=False, issue_date_estimated=False)


def estimated_pages() -> QuerySet[Page]:
    return Page.objects.filter(issue_date__isnull=False, issue_date_estimated=True)


@dataclass(frozen=True)
class Day:
    day: int
    pages: int
    url: str | None  # the day's page when it has pages


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    weeks: list[list[Day | None]]  # Monday first, None outside the month
    pages: int
    days: int
    url: str


def month_calendar(year: int, month: int, pages_by_day: dict[int, int]) -> Month:
    """One month as weeks of days, each day with its number of pages."""
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
        weeks.append([
            Day(d, pages_by_day.get(d, 0),
                reverse("archive:issues_day", args=[year, month, d])
                if pages_by_day.get(d) else None)
            if d else None
            for d in week
        ])  # fmt: skip
    return Month(
        year=year,
        month=month,
        weeks=weeks,
        pages=sum(pages_by_day.values()),
        days=len(pages_by_day),
        url=reverse("archive:issues_month", args=[year, month]),
    )


def pages_per_day(pages: QuerySet[Page]) -> dict[dt.date, int]:
    rows = pages.order_by().values("issue_date").annotate(n=Count("pk"))
    return {row["issue_date"]: row["n"] for row in rows}


@require_safe
def issues(request: HttpRequest) -> HttpResponse:
    """Every year with pages: pages on known days, and pages whose year is estimated."""
    dated = dict(
        dated_pages().annotate(y=ExtractYear("issue_date")).order_by()
        .values_list("y").annotate(n=Count("pk")).values_list("y", "n")
    )  # fmt: skip
    estimated = dict(
        estimated_pages().annotate(y=ExtractYear("issue_date")).order_by()
        .values_list("y").annotate(n=Count("pk")).values_list("y", "n")
    )  # fmt: skip
    days = dict(
        dated_pages().annotate(y=ExtractYear("issue_date")).order_by()
        .values_list("y").annotate(n=Count("issue_date", distinct=True)).values_list("y", "n")
    )  # fmt: skip
    years = [
        {
            "year": y,
            "pages": dated.get(y, 0),
            "days": days.get(y, 0),
            "estimated": estimated.get(y, 0),
            "url": reverse("archive:issues_year", args=[y]),
        }
        for y in sorted(set(dated) | set(estimated), reverse=True)
    ]
    context = {
        "years": years,
        "undated": Page.objects.filter(issue_date__isnull=True).count(),
        "papers": Newspaper.objects.annotate(n=Count("pages")).order_by("title"),
    }
    return render(request, "archive/issues.html", context)


def _valid_day(year: int, month: int = 1, day: int = 1) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Http404("没有这一天") from None


@require_safe
def issues_year(request: HttpRequest, year: int) -> HttpResponse:
    """A year's twelve months as calendars, and its pages whose year is only estimated."""
    _valid_day(year)
    per_day = pages_per_day(dated_pages().filter(issue_date__year=year))
    estimated = estimated_pages().filter(issue_date__year=year)
    if not per_day and not estimated.exists():
        raise Http404(f"{year}年没有版面")
    by_month: dict[int, dict[int, int]] = defaultdict(dict)
    for date, n in per_day.items():
        by_month[date.month][date.day] = n
    context = {
        "year": year,
        "months": [month_calendar(year, m, by_month.get(m, {})) for m in range(1, 13)],
        "pages": sum(per_day.values()),
        "estimated": page_rows(estimated),
        "weekdays": WEEKDAY_NAMES,
        **_neighbours(year, None),
    }
    return render(request, "archive/issues_year.html", context)


@require_safe
def issues_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """One month's calendar and the pages of each of its days."""
    _valid_day(year, month)
    pages = dated_pages().filter(issue_date__year=year, issue_date__month=month)
    per_day = {d.day: n for d, n in pages_per_day(pages).items()}
    if not per_day:
        raise Http404(f"{year}年{month}月没有版面")
    context = {
        "year": year,
        "month": month_calendar(year, month, per_day),
        "days": _days(page_rows(pages)),
        "weekdays": WEEKDAY_NAMES,
        **_neighbours(year, month),
    }
    return render(request, "archive/issues_month.html", context)


@require_safe
def issues_day(request: HttpRequest, year: int, month: int, day: int) -> HttpResponse:
    """The pages of one day, newspaper by newspaper, page by page, with their articles."""
    date = _valid_day(year, month, day)
    pages = page_rows(dated_pages().filter(issue_date=date))
    if not pages:
        raise Http404(f"{date.isoformat()} 没有版面")
    context = {"date": date, "papers": _by_paper(pages), "weekday": WEEKDAY_NAMES[date.weekday()]}
    return render(request, "archive/issues_day.html", context)


def page_rows(pages: QuerySet[Page]) -> list[Page]:
    """Pages in issue order (date, newspaper, page number), each with its public articles
    as `.listed`."""
    rows = list(
        pages.select_related("newspaper")
        .defer("raw_text")
        .order_by("issue_date", "newspaper__title", "page_number", "page_label", "source")
    )
    articles: dict[int, list[Article]] = defaultdict(list)
    for article in (
        Article.objects.public().filter(page__in=[p.pk for p in rows])
        .select_related("park").only("pk", "public_id", "title", "ordinal", "page_id",
                                     "park__name", "park__slug")
        .order_by("ordinal")
    ):  # fmt: skip
        articles[article.page_id].append(article)
    for page in rows:
        page.listed = articles[page.pk]
    return rows


def _days(pages: list[Page]) -> list[tuple[dt.date, str, list[Page]]]:
    days: dict[dt.date, list[Page]] = defaultdict(list)
    for page in pages:
        days[page.issue_date].append(page)
    return [
        (d, reverse("archive:issues_day", args=[d.year, d.month, d.day]), members)
        for d, members in sorted(days.items())
    ]


def _by_paper(pages: list[Page]) -> list[tuple[Newspaper | None, list[Page]]]:
    papers: dict[int | None, list[Page]] = defaultdict(list)
    for page in pages:
        papers[page.newspaper_id].append(page)
    ordered = sorted(papers.values(), key=lambda ps: (ps[0].newspaper is None,
                                                      ps[0].newspaper.title if ps[0].newspaper
                                                      else ""))
    return [(ps[0].newspaper, ps) for ps in ordered]


def _neighbours(year: int, month: int | None) -> dict[str, str | None]:
    """Links to the previous and next year (or month) that has dated pages."""
    if month is None:
        before = dated_pages().filter(issue_date__year__lt=year).order_by("-issue_date").first()
        after = dated_pages().filter(issue_date__year__gt=year).order_by("issue_date").first()

        def link(p: Page | None) -> str | None:
            return reverse("archive:issues_year", args=[p.issue_date.year]) if p else None
    else:
        start = dt.date(year, month, 1)
        end = dt.date(year + month // 12, month % 12 + 1, 1)
        before = dated_pages().filter(issue_date__lt=start).order_by("-issue_date").first()
        after = dated_pages().filter(issue_date__gte=end).order_by("issue_date").first()

        def link(p: Page | None) -> str | None:
            return (reverse("archive:issues_month", args=[p.issue_date.year, p.issue_date.month])
                    if p else None)
    return {
        "prev_url": link(before),
        "prev_date": before.issue_date if before else None,
        "next_url": link(after),
        "next_date": after.issue_date if after else None,
    }


@require_safe
def papers(request: HttpRequest) -> HttpResponse:
    """Every newspaper with how many pages and issues the archive holds."""
    rows = Newspaper.objects.annotate(
        n_pages=Count("pages", distinct=True),
        n_issues=Count("pages__issue_date", filter=Q(pages__issue_date_estimated=False),
                       distinct=True),
    ).order_by("title")
    return render(request, "archive/papers.html", {"papers": rows})


@require_safe
def paper_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One newspaper: its issues (days with pages) by year, and its pages without a day."""
    paper = get_object_or_404(Newspaper, slug=slug)
    pages = page_rows(paper.pages.all())
    dated = [p for p in pages if p.issue_date and not p.issue_date_estimated]
    years: dict[int, list[tuple[dt.date, str, list[Page]]]] = defaultdict(list)
    for date, url, members in _days(dated):
        years[date.year].append((date, url, members))
    context = {
        "paper": paper,
        "years": sorted(years.items(), reverse=True),
        "issue_count": sum(len(v) for v in years.values()),
        "page_count": len(pages),
        "undated": [p for p in pages if p not in dated],
    }
    return render(request, "archive/paper_detail.html", context)

