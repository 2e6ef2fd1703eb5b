"""Model signals → search index, through the one write path (`archive.search.writer`).

Installed as haystack's signal processor (settings.HAYSTACK_SIGNAL_PROCESSOR). Unlike
haystack's RealtimeSignalProcessor it records the articles a change touches in the index
outbox (`archive.models.IndexTask`) inside the change's own transaction, and writes the
index only after the transaction commits (never an entry for a rolled-back row), one
write for everything the transaction touched. It follows the relations an article's
document is built from: its parks (name, province), its page (issue date) and its
figures (figure kinds).

Queryset `update()` sends no signal: code that changes articles that way calls
`archive.indexing.sync_articles(ids)` itself. Bulk jobs wrap themselves in
`deferred_writes()` so that their own batches, not each transaction, reach the index.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from haystack.signals import BaseSignalProcessor

from archive.models import Article, Figure, Page, Park

_local = threading.local()


def queue_articles(ids: Iterable[int], using: str | None = None) -> None:
    """Put these articles in the outbox, in the current transaction, and write the index
    once it commits (now if there is none)."""
    from archive.search import writer

    ids = {int(pk) for pk in ids if pk is not None}
    if not ids:
        return
    writer.record_pending(ids, using=using)
    # One callback per call; the first to run drains the whole outbox, the rest find it
    # empty.
    transaction.on_commit(_flush, using=using)


def _flush() -> None:
    from archive.search import writer

    if not getattr(_local, "deferred", 0):  # else the bulk job drains in its batches
        writer.drain()


@contextmanager
def deferred_writes() -> Iterator[None]:
    """Inside, committed changes are queued for the index instead of written one
    transaction at a time; a bulk job (ingest) then writes them in its own batches
    (`writer.drain` / `sync_articles` take everything queued). Leaving the block
    writes whatever is still queued."""
    from archive.search import writer

    _local.deferred = getattr(_local, "deferred", 0) + 1
    try:
        yield
    finally:
        _local.deferred -= 1
        if not _local.deferred:
            writer.drain()


def _articles_of_park(park: Park) -> list[int]:
    return list(
        Article.objects.filter(Q(park=park) | Q(parks=park)).values_list("pk", flat=True).distinct()
    )


class IndexSyncSignalProcessor(BaseSignalProcessor):
    def _connections(self) -> list[tuple[Any, Any, Any]]:
        """(signal, handler, sender): one list, so setup and teardown cannot drift apart."""
        return [
            (post_save, self.article_changed, Article),
            (post_delete, self.article_changed, Article),
            (m2m_changed, self.article_parks_changed, Article.parks.through),
            (post_save, self.figure_changed, Figure),
            (post_delete, self.figure_changed, Figure),
            (post_save, self.page_saved, Page),
            (post_save, self.park_saved, Park),
            (pre_delete, self.park_deleting, Park),
        ]

    def setup(self) -> None:
        for signal, handler, sender in self._connections():
            signal.connect(handler, sender=sender)

    def teardown(self) -> None:
        for signal, handler, sender in self._connections():
            signal.disconnect(handler, sender=sender)

    def article_changed(self, sender: Any, instance: Article, using: str, **kwargs: Any) -> None:
        queue_articles([instance.pk], using)

    def article_parks_changed(
        self, sender: Any, instance: Any, action: str, reverse: bool, pk_set: set | None,
        using: str, **kwargs: Any,
    ) -> None:
        if not reverse:
            if action in ("post_add", "post_remove", "post_clear"):
                queue_articles([instance.pk], using)
        elif action in ("post_add", "post_remove") and pk_set:
            queue_articles(pk_set, using)
        elif action == "pre_clear":
            queue_articles(instance.mentioned_in.values_list("pk", flat=True), using)

    def figure_changed(self, sender: Any, instance: Figure, using: str, **kwargs: Any) -> None:
        queue_articles([instance.article_id], using)

    def page_saved(self, sender: Any, instance: Page, using: str, created: bool,
                   **kwargs: Any) -> None:
        if not created:
            queue_articles(instance.articles.values_list("pk", flat=True), using)

    def park_saved(self, sender: Any, instance: Park, using: str, **kwargs: Any) -> None:
        from archive.search import dictionary, suggest

        dictionary.add_park(instance.name, instance.full_name, instance.aliases)
        suggest.forget_parks()
        if not kwargs.get("created"):
            queue_articles(_articles_of_park(instance), using)

    def park_deleting(self, sender: Any, instance: Park, using: str, **kwargs: Any) -> None:
        from archive.search import suggest

        # After the delete the links are gone (SET_NULL runs as a queryset update).
        queue_articles(_articles_of_park(instance), using)
        suggest.forget_parks()
