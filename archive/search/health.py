"""Whether the search index answers and keeps up, for /healthz and /readyz.

Two questions, kept apart: does the index *answer* (a query works on what is on disk now,
it was built by this code, it holds the documents the database has), and how far does it
*lag* (articles waiting in the queue, and for how long). Each finding comes in two
wordings: `public`, safe for anyone (no paths, no exception texts), and `detail`, for
staff and the log.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from archive.search import elasticsearch_backend as es
from archive.search import writer
from archive.search.backend import SearchUnavailable, get_backend

# Articles waiting this long for the index mean writes keep failing.
STUCK_AFTER_SECONDS = 300
# A count mismatch younger than this may be a write in flight.
SETTLE_SECONDS = 30


@dataclass(frozen=True)
class IndexHealth:
    answers: bool
    public: str | None = None
    detail: str | None = None
    pending: int = 0
    lag_seconds: float | None = None

    @property
    def lag(self) -> str | None:
        """The lag in words ("12 articles waiting to be indexed for 3 min"), if any."""
        if self.lag_seconds is None:
            return None
        waiting = f"{self.pending} articles waiting to be indexed"
        return f"search index: {waiting} {_age(self.lag_seconds)}"


def _age(seconds: float) -> str:
    if seconds == float("inf"):
        return "since start"
    if seconds < 120:
        return f"for {seconds:.0f} s"
    return f"for {seconds / 60:.0f} min"


def _broken(public: str, detail: str) -> IndexHealth:
    return IndexHealth(False, f"search index: {public}", f"search index: {detail}")


def index_health() -> IndexHealth:
    """Whether the index answers, and its lag, as of now (read from disk, not from what
    this process has cached: a file damaged under a running process counts)."""
    try:
        documents, outdated = _documents_and_outdated()
        stuck = writer.stuck_for()
        pending = len(writer.pending_ids()) if stuck is not None else 0
    except SearchUnavailable as error:
        return _broken("not answering", str(error))
    except Exception as error:  # misconfiguration or damage: report it, never crash
        return _broken("not answering", f"{type(error).__name__}: {error}")
    if outdated:
        message = "built by older code, run `manage.py rebuild_index`"
        return _broken(message, message)
    missing = _documents_missing(documents)
    if missing:
        return _broken(missing, missing)
    return IndexHealth(True, pending=pending, lag_seconds=stuck)


def index_problem() -> str | None:
    """None when the index answers a query and keeps up with writes; else what is wrong,
    in a few words (with the error text: for staff and logs)."""
    health = index_health()
    if not health.answers:
        return health.detail
    if health.lag_seconds is not None and health.lag_seconds > STUCK_AFTER_SECONDS:
        return health.lag
    return None


def _documents_and_outdated() -> tuple[int, bool]:
    cluster = es.active()
    if cluster is not None:
        return cluster.doc_count(), cluster.index_outdated()
    backend = get_backend()
    documents = backend.read(lambda s: s.doc_count())
    if not backend.setup_complete:
        backend.setup()
    # The table of contents as it is on disk now: a searcher this process keeps open
    # would go on answering from a .toc that has since been damaged.
    backend.storage.open_index(schema=backend.schema).doc_count()
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
    return f"{documents} documents for {articles} articles, run `manage.py check_index --repair`"
