"""Keeping the search index in step with the database after writes."""

from __future__ import annotations

from haystack import connections

from archive.models import Article


def update_index_for(result) -> None:
    """Re-index changed articles and drop removed ones (runs after the commit)."""
    index = connections["default"].get_unified_index().get_index(Article)
    backend = connections["default"].get_backend()
    if result.changed_ids:
        articles = index.index_queryset().filter(pk__in=result.changed_ids)
        backend.update(index, articles)
    for pk in result.removed_ids:
        backend.remove(f"archive.article.{pk}")
