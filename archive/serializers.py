"""The JSON shapes of CONTRACT.md: one article, one park, one figure."""

from __future__ import annotations

from typing import Any

from archive.corrections import notes_from, public_history
from archive.models import Article, Correction, Figure, Park


def number(value: float | None) -> float | int | None:
    """7169000000.0 → 7169000000: whole numbers print as integers."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


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
        # Staff corrections: the fields changed, each with the value the page printed.
        "corrected_fields": list(figure.corrected_fields),
        "corrections": [n.as_json() for n in notes_from(corrections, figure.corrected_fields)],
    }


def article_json(article: Article) -> dict[str, Any]:
    """An article as exported; expects parks, figures and page prefetched for speed."""
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
        "subtitle": article.subtitle,
        "authors": list(article.authors),
        "park": article.park.name if article.park else None,
        "parks": _mentioned(article),
        "body": article.body,
        "url": article.get_absolute_url(),
        "issue_date": article.page.issue_date.isoformat() if article.page.issue_date else None,
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
    return Article.objects.select_related("page", "park").prefetch_related(
        "parks", "figures__park", "corrections"
    ).order_by("page__source", "ordinal")
