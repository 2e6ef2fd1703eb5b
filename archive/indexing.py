"""Keeping the search index in step with the database after writes.

Every write goes through `archive.search.writer.sync_articles`: ingest calls
`update_index_for` after each batch of pages commits, model signals (`archive/signals.py`)
after admin edits and deletions, and code that changes articles with queryset updates
(e.g. `corrections.merge_park`) calls `sync_articles(ids)` after it commits. A bulk job
wraps itself in `deferred_writes()` so that the signals of its many small transactions
are written in its own batches rather than one index commit per transaction.
"""

from __future__ import annotations

from typing import Protocol

from archive.search.writer import sync_articles
from archive.signals import deferred_writes

__all__ = ["deferred_writes", "sync_articles", "update_index_for"]


class ChangedArticles(Protocol):
    changed_ids: list[int]
    removed_ids: list[int]


def update_index_for(result: ChangedArticles) -> None:
    """Re-index changed articles and drop removed ones (runs after the commit)."""
    ids = [*result.changed_ids, *result.removed_ids]
    if ids:
        # Ingest may wait longer for the lock than a web request would.
        sync_articles(ids, wait=60.0)
