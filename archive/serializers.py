"""The JSON shapes of CONTRACT.md: one article, one park, one figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from archive.citations import Citation
from archive.corrections import notes_from, public_history
from archive.models import Article, Correction, Figure, Page, Park
from archive.templatetags.archive_format import issue_date_text


def number(value: float | None) -> float | int | None:
    """7169000000.0 → 7169000000: whole numbers print as integers."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def issue_date_value(date: dt.date | None, estimated: bool) -> str | None:
    """A page's issue date for machines: `2020-06-01`, or `2020` when only the year was
    estimated from the text (an ISO 8601 date of year precision: a guessed year is never
    passed off as a day)."""
    if date is None:
        return None
    return str(date.year) if estimated else date.isoformat()


def issue_date_fields(date: dt.date | None, estimated: bool) -> dict[str, Any]:
    """The three issue-date fields every JSON and CSV output carries, one way everywhere:
    the value, whether it is an estimate, and the text pages show (`约2020年`)."""
    return {
        "issue_date": issue_date_value(date, estimated),
        "issue_date_estimated": bool(date is not None and estimated),
        "issue_date_text": issue_date_text(date, estimated),
    }


def figure_json(
    figure: Figure, article_park: Park | None, corrections: list[Correction] | None = None
) -> dict[str, Any]:
    """A figure; `corrections` are its audit rows (read from the figure when not given)."""
    park = figure.park or article_park
    if corrections is None:
        corrections = list(figure.corrections.all()) if figure.corrected_fields else []
    return {
        "id": figure.pk,
        "label": figure.label,
        "value": number(figure.value),
        "unit": figure.unit,
        "normalized_value": number(figure.normalized_value),
        "base_unit": figure.base_unit,
        "park": park.name if park else None,
        "year": figure.year,
        "quote": figure.quote,
        # Beside CONTRACT.md's keys: the figure as printed and what kind of fact it is.
        "printed": figure.printed,
        "value_text": figure.value_text,
        "value_max": number(figure.value_max),
        "qualifier": figure.qualifier,
        "status": figure.status,
        # Staff corrections: the fields changed, each with the value the page printed.
        "corrected_fields": list(figure.corrected_fields),
        "corrections": [n.as_json() for n in notes_from(corrections, figure.corrected_fields)],
    }


def issue_json(page: Page, site: str = "") -> dict[str, Any]:
    """The issue a page belongs to: newspaper, date and where it came from, page label."""
    paper = page.newspaper if page.newspaper_id else None
    return {
        "newspaper": paper.title if paper else None,
        "newspaper_url": site + paper.get_absolute_url() if paper else None,
        "date": issue_date_value(page.issue_date, page.issue_date_estimated),
        "date_source": page.known_date_source or "unknown",
        "page_label": page.page_label,
        "page_number": page.page_number,
    }


def citation_json(article: Article, site: str = "") -> dict[str, Any]:
    """The article's citation forms; links are absolute when site (scheme://host) is given."""
    url = site + article.get_absolute_url()
    citation = Citation.of(article, url)
    return citation.as_json(
        site + reverse("archive:article_cite", args=[article.public_id, "bib"]),
        site + reverse("archive:article_cite", args=[article.public_id, "ris"]),
    )


def article_json(article: Article, site: str = "") -> dict[str, Any]:
    """An article as exported; expects parks, figures and page prefetched for speed.

    site (`https://host`) makes the citation's links absolute; `url` stays a path."""
    figures = [f for f in article.figures.all() if not f.deleted]
    rows = list(article.corrections.all())
    by_figure: dict[int, list[Correction]] = {}
    for row in rows:
        if row.figure_id:
            by_figure.setdefault(row.figure_id, []).append(row)
    own = [row for row in rows if row.figure_id is None]
    return {
        "id": article.pk,
        "source": article.page.source,
        "ordinal": article.ordinal,
        "title": article.title,
        "kicker": article.kicker,
        "dateline": article.dateline,
        "subtitle": article.subtitle,
        "authors": list(article.authors),
        "park": article.park.name if article.park else None,
        "parks": _mentioned(article),
        "body": article.body,
        "url": article.get_absolute_url(),
        **issue_date_fields(article.page.issue_date, article.page.issue_date_estimated),
        "public_id": article.public_id,
        "issue": issue_json(article.page, site),
        "citation": citation_json(article, site),
        "figures": [figure_json(f, article.park, by_figure.get(f.pk, [])) for f in figures],
        "corrected_fields": list(article.corrected_fields),
        "corrections": [n.as_json() for n in notes_from(own, article.corrected_fields)],
        # Every change staff made that readers may see, oldest first, without who.
        "correction_history": public_history(rows),
    }


def _mentioned(article: Article) -> list[str]:
    """The main zone first, then every other zone the article names."""
    main = article.park.name if article.park else None
    others = [p.name for p in article.parks.all() if p.name != main]
    return ([main] if main else []) + others


def park_json(park: Park) -> dict[str, Any]:
    return {
        "name": park.name,
        "full_name": park.full_name,
        "province": park.province,
        "city": park.city,
        "slug": park.slug,
        "url": park.get_absolute_url(),
    }


def articles_for_export():
    """Articles with everything article_json reads, in page order."""
    return (
        Article.objects.select_related("page__newspaper", "park")
        # The page text is not exported; a copy per article would not fit a big archive.
        .defer("page__raw_text")
        .prefetch_related("parks", "figures__park", "corrections")
        .order_by("page__source", "ordinal")
    )
