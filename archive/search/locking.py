"""One index writer at a time, across threads and gunicorn worker processes.

Whoosh's own write lock fails at once (`LockError`) when another writer holds it; this
lock waits instead. It is an exclusive `flock` on a file beside the index directory (not
inside it, so that nothing that empties the directory can drop a held lock), taken once
per process and re-entrant within the thread that holds it.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class IndexBusy(Exception):
    """Another writer held the index for longer than we were willing to wait."""


_thread_lock = threading.RLock()
_depth = 0
_fd: int | None = None


def lock_path(index_path: str | Path) -> Path:
    path = Path(index_path)
    return path.with_name(path.name + ".lock")


@contextmanager
def index_write_lock(index_path: str | Path, timeout: float) -> Iterator[None]:
    """Hold the index's write lock; raise IndexBusy after `timeout` seconds of waiting."""
    global _depth, _fd
    deadline = time.monotonic() + timeout
    if not _thread_lock.acquire(timeout=max(timeout, 0.001)):
        raise IndexBusy("another thread of this process is writing the index")
    try:
        if _depth == 0:
            _fd = _acquire_file(lock_path(index_path), deadline)
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            if _depth == 0 and _fd is not None:
                fcntl.flock(_fd, fcntl.LOCK_UN)
                os.close(_fd)
                _fd = None
    finally:
        _thread_lock.release()


def _acquire_file(path: Path, deadline: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    delay = 0.01
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise IndexBusy(f"the index is being written by another process ({path})") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
