"""Work done in forked copies of this process: a map over independent items split
between this process and its children (`map_forked`), or one call left running beside
this process while it goes on (`start`).

The ingest pipeline is single-threaded Python: on a page of a thousand articles its last
step (clean, link parks, extract figures: one pure function per article) keeps one core
busy while the other waits for the index writer. Forking copies the process as it is
(the park registry, the page's memos), so nothing is pickled on the way in; each child
sends back its results pickled, and exits without running any of the parent's exit
handlers (database connections, locks and files stay the parent's).

Only for many items: a fork and the pickling back cost a few milliseconds, more than a
usual page's whole last step.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Items below which the map stays in this process.
FORK_MIN_ITEMS = 200


class ForkedMapError(RuntimeError):
    """A forked child ended without a result (killed, or its result unreadable)."""


def map_forked(fn: Callable[[T], R], items: Sequence[T], processes: int) -> list[R]:
    """[fn(item) for item in items], the items in `processes` contiguous shares, this
    process doing the first. The same results as the plain list when `fn` is pure, and
    the same exception when it raises, whichever share the item was in. A share whose
    fork fails is done here."""
    shares = min(processes, len(items) // (FORK_MIN_ITEMS // 2))
    if shares <= 1 or not hasattr(os, "fork"):  # (fewer than FORK_MIN_ITEMS: one share)
        return [fn(item) for item in items]
    size = -(-len(items) // shares)
    parts: list[_Child | Sequence[T]] = []
    try:
        for at in range(size, len(items), size):
            share = items[at : at + size]
            try:
                parts.append(_start(fn, share))
            except OSError:  # no memory or processes left for a fork: do it here
                parts.append(share)
        results = [fn(item) for item in items[:size]]
        for part in parts:
            results += part.collect() if isinstance(part, _Child) else [fn(i) for i in part]
        return results
    finally:
        # Every child reaped, whatever happened (collecting twice is harmless).
        for part in parts:
            if isinstance(part, _Child):
                part.collect(quiet=True)


class Running:
    """A call running in a forked child; `result()` waits for it, `discard()` reaps it."""

    def __init__(self, child: _Child) -> None:
        self._child = child

    def result(self) -> Any:
        if self._child.reaped:
            raise ForkedMapError("result already taken")
        return self._child.collect()[0]

    def discard(self) -> None:
        self._child.collect(quiet=True)


def start(fn: Callable[[T], R], argument: T) -> Running:
    """fn(argument), in a forked child, while this process goes on."""
    return Running(_start(fn, [argument]))


def _start(fn: Callable[[T], R], share: Sequence[T]) -> _Child:
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        raise
    if pid == 0:  # the child: whatever happens, it ends here, never in the caller's code
        code = 1
        try:
            os.close(reader)
            try:
                payload = pickle.dumps((True, [fn(item) for item in share]),
                                       pickle.HIGHEST_PROTOCOL)
                code = 0
            except BaseException as error:  # raised again by the parent
                payload = _pickled_error(error)
            with os.fdopen(writer, "wb") as out:
                out.write(payload)
        finally:
            os._exit(code)
    os.close(writer)
    return _Child(pid, reader)


def _pickled_error(error: BaseException) -> bytes:
    """The exception itself when it pickles, else a ForkedMapError naming it."""
    try:
        return pickle.dumps((False, error), pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps((False, ForkedMapError(f"{type(error).__name__}: {error}")))


class _Child:
    """A forked child and the pipe its result comes through, read and reaped once."""

    def __init__(self, pid: int, reader: int) -> None:
        self.pid, self.reader, self.reaped = pid, reader, False

    def collect(self, quiet: bool = False) -> list:
        """The child's results (its exception raised here); with quiet, only reap it."""
        if self.reaped:
            return []
        self.reaped = True
        try:
            with os.fdopen(self.reader, "rb") as source:
                payload = source.read()
        finally:
            _, status = os.waitpid(self.pid, 0)
        if quiet:
            return []
        try:
            done, result = pickle.loads(payload)
        except Exception:
            raise ForkedMapError(
                f"forked worker {self.pid} ended without a result "
                f"(exit status {os.waitstatus_to_exitcode(status)})") from None
        if not done:
            raise result
        return result
