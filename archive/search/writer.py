"""The one path by which database changes reach the search index.

Ingest (`deferred_writes` and `drain`), model signals (admin edits, deletions) and
repairs all call `sync_articles(ids)`: "make the index agree with the database for these
articles". It reads each article's current state, so the order of calls does not matter
and a repeated call is cheap (unchanged documents are skipped by fingerprint).

Concurrency (several gunicorn workers, ingest and admin at once):

1. The ids are first appended to a pending file beside the index (durable queue); for
   an Elasticsearch index, in the data directory (`queue_path`).
2. The writer takes the process-wide write lock (`locking.py`), takes *all* pending ids
   (its own and any left by others), reads them from the database and commits once.
3. If the lock is not free within `wait` seconds, or the commit fails, the ids stay
   pending and the error is logged; a background retry (and every later writer) drains
   them. Nothing is dropped silently: `pending_ids()` shows what is waiting and /healthz
   reports it.

Readers never wait for writers (Whoosh readers work on the last committed generation).
On Elasticsearch the lock and the queue are this machine's: run ingest and repairs from
one machine there too.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from archive.search import elasticsearch_backend as es
from archive.search.backend import ParkNewsWhooshBackend, WriteReport, get_backend
from archive.search.locking import IndexBusy, index_write_lock

log = logging.getLogger(__name__)

REQUEST_WAIT_SECONDS = 10.0
WRITE_BATCH = 500  # articles per commit
RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0)


Backend = ParkNewsWhooshBackend | es.ParkNewsElasticsearchBackend


def queue_path() -> Path:
    """What the pending queue, the sync marker and the write lock are named after: the
    Whoosh index directory, or for a remote index a name in the data directory."""
    cluster = es.active()
    if cluster is not None:
        return Path(settings.DATA_DIR) / f"elasticsearch-{cluster.index_name}"
    return Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])


def pending_path() -> Path:
    path = queue_path()
    return path.with_name(path.name + ".pending")


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


def pending_since_path() -> Path:
    """Touched when the queue goes from empty to not empty: the oldest entry's age."""
    path = queue_path()
    return path.with_name(path.name + ".pending-since")


def stuck_for() -> float | None:
    """Seconds the oldest pending article has waited, else None (nothing pending).

    Without the pending-since mark (a queue left by older code): the time since the last
    successful write, which is at least as long."""
    if not pending_path().exists() or not pending_ids():
        return None
    for marker in (pending_since_path(), synced_path()):
        try:
            return max(0.0, time.time() - marker.stat().st_mtime)
        except FileNotFoundError:
            continue
    return float("inf")


@contextmanager
def _pending_file():
    path = pending_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        # Held only for a read or an append, never while waiting for the index lock.
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_lines(fd: int) -> list[int]:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return [int(line) for line in b"".join(chunks).split() if line.isdigit()]


def _read_all(fd: int) -> set[int]:
    return set(_read_lines(fd))


def record_pending(ids: Iterable[int]) -> None:
    lines = "".join(f"{int(pk)}\n" for pk in ids)
    if not lines:
        return
    with _pending_file() as fd:
        if os.lseek(fd, 0, os.SEEK_END) == 0:
            pending_since_path().touch()
        os.write(fd, lines.encode())


def take_pending() -> tuple[set[int], int]:
    """The pending ids and how many lines they took, left in the file: `done_pending`
    drops those lines once written, so a writer killed mid-write (kill -9) loses nothing,
    and an id queued again meanwhile (appended after them) stays queued."""
    with _pending_file() as fd:
        lines = _read_lines(fd)
    return set(lines), len(lines)


def done_pending(count: int) -> None:
    """Drop the first `count` lines: the ones a writer has now written."""
    with _pending_file() as fd:
        left = _read_lines(fd)[count:]
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, "".join(f"{pk}\n" for pk in left).encode())
        if left:
            pending_since_path().touch()  # queued while this write ran: that young
        else:
            pending_since_path().unlink(missing_ok=True)


def pending_ids() -> set[int]:
    if not pending_path().exists():
        return set()
    with _pending_file() as fd:
        return _read_all(fd)


def sync_articles(
    ids: Iterable[int], *, wait: float = REQUEST_WAIT_SECONDS, strict: bool = False
) -> WriteReport | None:
    """Make the index agree with the database for these articles (and anything pending).

    Returns what was written, or None when the work was left pending (logged, retried in
    the background). With strict=True a failure raises instead."""
    record_pending(ids)
    return drain(wait=wait, strict=strict)


def queue(ids: Iterable[int]) -> None:
    """Record articles to re-index and let the background retry do it (never blocks)."""
    record_pending(ids)
    _schedule_retry()


def drain(
    *, wait: float = REQUEST_WAIT_SECONDS, strict: bool = False, retry: bool = True
) -> WriteReport | None:
    """Index every pending article under the write lock."""
    backend, lock_target = _writable()
    try:
        with index_write_lock(lock_target, wait):
            report = WriteReport()
            # Loop: others may have queued more while we were writing.
            while True:
                ids, lines = take_pending()
                if not ids:
                    break
                _merge(report, _write(backend, ids))
                done_pending(lines)
            synced_path().touch()
            return report
    except IndexBusy:
        log.warning("search index busy: %s articles queued for indexing", len(pending_ids()))
        if retry:
            _schedule_retry()
        if strict:
            raise
    except Exception:
        log.exception("search index write failed; articles stay queued and will be retried")
        if retry:
            _schedule_retry()
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


# Background retry, one per process.

_retry_lock = threading.Lock()
_retry_thread: threading.Thread | None = None


def _schedule_retry() -> None:
    global _retry_thread
    with _retry_lock:
        if _retry_thread is not None and _retry_thread.is_alive():
            return
        _retry_thread = threading.Thread(target=_retry_loop, name="search-index-retry", daemon=True)
        _retry_thread.start()


def _retry_loop() -> None:
    from django.db import connections as db_connections

    try:
        for delay in RETRY_DELAYS:
            time.sleep(delay)
            if not pending_path().exists() or not pending_ids():
                return
            if drain(wait=REQUEST_WAIT_SECONDS, strict=False) is not None and not pending_ids():
                return
        log.error("search index: %s articles still pending after retries", len(pending_ids()))
    finally:
        db_connections.close_all()


@atexit.register
def _drain_at_exit() -> None:
    # A command (ingest) that queued work should not leave it for someone else.
    if _retry_thread is not None and pending_path().exists() and pending_ids():
        try:
            drain(wait=REQUEST_WAIT_SECONDS, retry=False)
        except Exception:
            log.exception("search index: could not drain pending articles at exit")
