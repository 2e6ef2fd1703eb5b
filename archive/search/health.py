"""Whether the search index answers, for /healthz."""

from __future__ import annotations

from whoosh import query as wq

from archive.search import writer
from archive.search.backend import SearchUnavailable, get_backend

# Articles waiting this long for the index mean writes keep failing.
STUCK_AFTER_SECONDS = 300


def index_problem() -> str | None:
    """None when the index answers a query and keeps up with writes; else what is wrong,
    in a few words."""
    try:
        backend = get_backend()
        backend.read(lambda s: s.search(wq.Every(), limit=1).scored_length())
        if backend.index_outdated():
            return "search index: built by older code, run `manage.py rebuild_index`"
        stuck = writer.stuck_for()
    except SearchUnavailable as error:
        return f"search index: {error}"
    except Exception as error:  # misconfiguration: report it, do not crash the check
        return f"search index: {type(error).__name__}"
    if stuck is not None and stuck > STUCK_AFTER_SECONDS:
        pending = len(writer.pending_ids())
        since = "since start" if stuck == float("inf") else f"for {stuck / 60:.0f} min"
        return f"search index: {pending} articles waiting to be indexed {since}"
    return None
