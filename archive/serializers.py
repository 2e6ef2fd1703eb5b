"""The JSON shapes of CONTRACT.md: one article, one park, one figure."""

from __future__ import annotations

from typing import Any

from archive.models import Article, Figure, Park


def number(value: float | None) -> float | int | None:
    """7169000000.0 → 7169000000: whole numbers print as integers."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def figure_json(figure: Figure, article_park: Park | None) -> dict[str, Any]:
    park = figure.park or article_park
    return {
        "label": figure.label,
        "value": number(figure.value),
        "unit": figure.unit,
        "normalized_value": number(figure.normalized_value),
        "base_unit": figure.base_unit,
        "park": park.name if park else None,
        "year": figure.year,
        "quote": figure.quote,
    }


def article_json(article: Article) -> dict[str, Any]:
    """An article as exported; expects parks, figures and page prefetched for speed."""
    figures = [f for f in article.figures.all() if not f.deleted]
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
        "figures": [figure_json(f, article.park) for f in figures],
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
        Article.objects.select_related("page", "park")
        # The page text is not exported; a copy per article would not fit a big archive.
        .defer("page__raw_text")
        .prefetch_related("parks", "figures__park")
        .order_by("page__source", "ordinal")
    )
