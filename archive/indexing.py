"""Keeping the search index in step with the database after writes.

Every write goes through `archive.search.writer`: model signals (`archive/signals.py`)
queue the articles a commit changed, and code that changes articles with queryset updates
(e.g. `corrections.merge_park`) calls `sync_articles(ids)` after it commits. A bulk job
(ingest) wraps itself in `deferred_writes()` so that the signals of its many small
transactions are written in its own batches rather than one index commit each.
"""

from __future__ import annotations

from archive.search.writer import sync_articles
from archive.signals import deferred_writes

__all__ = ["deferred_writes", "sync_articles"]
