"""Whether the search index answers, for /healthz."""

from __future__ import annotations

import time

from archive.search import elasticsearch_backend as es
from archive.search import writer
from archive.search.backend import SearchUnavailable, get_backend

# Articles waiting this long for the index mean writes keep failing.
STUCK_AFTER_SECONDS = 300
# A count mismatch younger than this may be a write in flight.
SETTLE_SECONDS = 30


def index_problem() -> str | None:
    """None when the index answers a query and keeps up with writes; else what is wrong,
    in a few words."""
    try:
        documents, outdated = _documents_and_outdated()
        if outdated:
            return "search index: built by older code, run `manage.py rebuild_index`"
        stuck = writer.stuck_for()
    except SearchUnavailable as error:
        return f"search index: {error}"
    except Exception as error:  # misconfiguration: report it, do not crash the check
        return f"search index: {type(error).__name__}"
    missing = _documents_missing(documents)
    if missing:
        return missing
    if stuck is not None and stuck > STUCK_AFTER_SECONDS:
        pending = len(writer.pending_ids())
        since = "since start" if stuck == float("inf") else f"for {stuck / 60:.0f} min"
        return f"search index: {pending} articles waiting to be indexed {since}"
    return None


def _documents_and_outdated() -> tuple[int, bool]:
    cluster = es.active()
    if cluster is not None:
        return cluster.doc_count(), cluster.index_outdated()
    backend = get_backend()
    documents = backend.read(lambda s: s.doc_count())
    return documents, backend.index_outdated()


def _documents_missing(documents: int) -> str | None:
    """A lost index directory comes back empty: the count of documents says so.

    Counts may differ for a moment between a commit and its index write; only a
    difference with nothing queued and no write for a while is reported."""
    from archive.models import Article

    articles = Article.objects.public().count()
    if documents == articles or writer.pending_ids():
        return None
    try:
        idle = time.time() - writer.synced_path().stat().st_mtime
    except FileNotFoundError:
        idle = float("inf")
    if documents and idle < SETTLE_SECONDS:
        return None
    return (
        f"search index: {documents} documents for {articles} articles, "
        "run `manage.py check_index --repair`"
    )
