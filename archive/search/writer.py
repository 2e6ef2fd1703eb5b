"""The one path by which database changes reach the search index.

Ingest (`deferred_writes` and `drain`), model signals (admin edits, deletions), repairs
and the `index_worker` command all end in `drain()`: "make the index agree with the
database for every article in the outbox". It reads each article's current state, so the
order of calls does not matter and a repeated call is cheap (unchanged documents are
skipped by fingerprint).

Concurrency (several gunicorn workers, ingest and admin at once):

1. What must be re-indexed is a row in the outbox table (`archive.models.IndexTask`),
   written in the same database transaction as the change itself (`record_pending`,
   called by the model signals): a change that commits always leaves its task, one that
   rolls back leaves none, and a crash (kill -9) loses nothing.
2. A writer takes the process-wide write lock (`locking.py`), takes *all* tasks (its own
   and any left by others), reads their articles from the database, commits once to the
   index, then deletes exactly the task rows it took.
3. If the lock is not free within `wait` seconds, or the commit fails, the tasks stay in
   the outbox and the error is logged; the next writer, or `manage.py index_worker`,
   drains them. Nothing is dropped silently: `pending_ids()` shows what is waiting and
   /healthz reports it. A search request never writes (neither the index nor the outbox).

Readers never wait for writers (Whoosh readers work on the last committed generation).
On Elasticsearch the lock is this machine's: run ingest and repairs from one machine
there too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from archive.search import elasticsearch_backend as es
from archive.search.backend import ParkNewsWhooshBackend, WriteReport, get_backend
from archive.search.locking import IndexBusy, index_write_lock

log = logging.getLogger(__name__)

REQUEST_WAIT_SECONDS = 10.0
# Articles per commit. Each commit forks the index writers and waits for the slowest, so
# a big page's articles go in as few commits as memory allows (2,000 articles with their
# figures are a few MB; at 500 an 800k-character page took 4 commits and 1.5 s more).
WRITE_BATCH = 2000
DELETE_BATCH = 500  # task rows per DELETE (SQLite limits the parameters of a statement)


Backend = ParkNewsWhooshBackend | es.ParkNewsElasticsearchBackend


def queue_path() -> Path:
    """What the sync marker and the write lock are named after: the Whoosh index path,
    or for a remote index a name in the data directory."""
    cluster = es.active()
    if cluster is not None:
        return Path(settings.DATA_DIR) / f"elasticsearch-{cluster.index_name}"
    return Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])


def synced_path() -> Path:
    """Touched after every successful drain."""
    path = queue_path()
    return path.with_name(path.name + ".synced")


def _writable() -> tuple[Backend, Path | str]:
    """The default connection's backend and what its write lock is named after."""
    cluster = es.active()
    if cluster is not None:
        return cluster, queue_path()
    backend = get_backend()
    return backend, backend.path


def stuck_for() -> float | None:
    """Seconds the oldest pending article has waited in the outbox, else None (nothing
    pending): the age of the oldest task row, so lag is known at once, with its true age."""
    from archive.models import IndexTask

    oldest = IndexTask.objects.order_by("pk").values_list("created_at", flat=True).first()
    if oldest is not None:
        return max(0.0, time.time() - oldest.timestamp())
    return None


def record_pending(ids: Iterable[int], using: str | None = None) -> None:
    """Put these articles in the outbox, inside the caller's transaction if there is one."""
    from archive.models import IndexTask

    tasks = [IndexTask(article_id=int(pk)) for pk in ids]
    if tasks:
        IndexTask.objects.using(using or "default").bulk_create(tasks, batch_size=DELETE_BATCH)


def take_pending() -> tuple[set[int], list[int]]:
    """The pending article ids and the task rows they came from, left in the outbox:
    `done_pending` deletes exactly those rows once written, so a writer killed mid-write
    loses nothing, and an article queued again meanwhile (a new row) stays queued."""
    from archive.models import IndexTask

    rows = list(IndexTask.objects.order_by("pk").values_list("pk", "article_id"))
    return {article for _, article in rows}, [pk for pk, _ in rows]


def done_pending(rows: list[int]) -> None:
    """Delete the task rows a writer has now written."""
    from archive.models import IndexTask

    for start in range(0, len(rows), DELETE_BATCH):
        IndexTask.objects.filter(pk__in=rows[start : start + DELETE_BATCH]).delete()


def pending_ids() -> set[int]:
    from archive.models import IndexTask

    return set(IndexTask.objects.values_list("article_id", flat=True).distinct())


def sync_articles(
    ids: Iterable[int], *, wait: float = REQUEST_WAIT_SECONDS, strict: bool = False
) -> WriteReport | None:
    """Make the index agree with the database for these articles (and anything pending).

    Returns what was written, or None when the work was left pending (logged; the next
    writer or `manage.py index_worker` takes it). With strict=True a failure raises."""
    record_pending(ids)
    return drain(wait=wait, strict=strict)


def drain(*, wait: float = REQUEST_WAIT_SECONDS, strict: bool = False) -> WriteReport | None:
    """Index every article in the outbox under the write lock."""
    backend, lock_target = _writable()
    try:
        with index_write_lock(lock_target, wait):
            report = WriteReport()
            # Loop: others may have queued more while we were writing.
            while True:
                ids, rows = take_pending()
                if not ids:
                    break
                _merge(report, _write(backend, ids))
                done_pending(rows)
            synced_path().touch()
            return report
    except IndexBusy:
        log.warning("search index busy: %s articles queued for indexing", len(pending_ids()))
        if strict:
            raise
    except Exception:
        log.exception("search index write failed; articles stay queued for the next writer "
                      "(or manage.py index_worker)")
        if strict:
            raise
    return None


def _write(backend: Backend, ids: set[int]) -> WriteReport:
    """Index what the database holds for these articles (public ones), drop the rest."""
    from haystack import connections

    from archive.models import Article
    from archive.search import dictionary

    dictionary.load_database_parks()
    index = connections["default"].get_unified_index().get_index(Article)
    report = WriteReport()
    ordered = sorted(ids)
    for start in range(0, len(ordered), WRITE_BATCH):
        chunk = ordered[start : start + WRITE_BATCH]
        objects = list(index.index_queryset().filter(pk__in=chunk))
        present = {obj.pk for obj in objects}
        gone = [f"archive.article.{pk}" for pk in chunk if pk not in present]
        _merge(report, backend.apply(index, objects, gone))
    return report


def _merge(total: WriteReport, part: WriteReport) -> None:
    total.written += part.written
    total.removed += part.removed
    total.unchanged += part.unchanged


def sync_all(*, wait: float = 60.0) -> WriteReport | None:
    """Re-sync every article the database or the index knows (a repair; cheap when the
    index is right)."""
    from archive.models import Article

    cluster = es.active()
    if cluster is not None:
        indexed = set(cluster.stored_fingerprints())
    else:
        indexed = get_backend().read(
            lambda s: {int(f["django_id"]) for f in s.all_stored_fields() if f.get("django_id")}
        )
    return sync_articles(set(Article.objects.values_list("pk", flat=True)) | indexed, wait=wait)
