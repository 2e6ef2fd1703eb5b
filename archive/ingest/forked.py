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
    """A forked child failed; its one-line reason."""


def map_forked(fn: Callable[[T], R], items: Sequence[T], processes: int) -> list[R]:
    """[fn(item) for item in items], the items in `processes` contiguous shares, this
    process doing the first. The same results as the plain list when `fn` is pure."""
    shares = min(processes, len(items) // (FORK_MIN_ITEMS // 2))
    if shares <= 1 or len(items) < FORK_MIN_ITEMS or not hasattr(os, "fork"):
        return [fn(item) for item in items]
    size = -(-len(items) // shares)
    children = [_start(fn, items[at : at + size]) for at in range(size, len(items), size)]
    try:
        results = [fn(item) for item in items[:size]]
    except BaseException:
        for pid, reader in children:
            _collect(pid, reader, quiet=True)
        raise
    for pid, reader in children:
        results += _collect(pid, reader)
    return results


class Running:
    """A call running in a forked child; `result()` waits for it, `discard()` reaps it."""

    def __init__(self, pid: int, reader: int) -> None:
        self._child: tuple[int, int] | None = (pid, reader)

    def result(self) -> Any:
        if self._child is None:
            raise ForkedMapError("result already taken")
        child, self._child = self._child, None
        return _collect(*child)[0]

    def discard(self) -> None:
        if self._child is not None:
            child, self._child = self._child, None
            _collect(*child, quiet=True)


def start(fn: Callable[[T], R], argument: T) -> Running:
    """fn(argument), in a forked child, while this process goes on."""
    return Running(*_start(fn, [argument]))


def _start(fn: Callable[[T], R], share: Sequence[T]) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(reader)
        code = 0
        try:
            payload = pickle.dumps((True, [fn(item) for item in share]), pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # reported by the parent, on one line
            payload = pickle.dumps((False, f"{type(error).__name__}: {error}"))
            code = 1
        try:
            with os.fdopen(writer, "wb") as out:
                out.write(payload)
        finally:
            os._exit(code)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int, quiet: bool = False) -> list:
    with os.fdopen(reader, "rb") as source:
        payload = source.read()
    _, status = os.waitpid(pid, 0)
    if quiet:
        return []
    if not payload:
        raise ForkedMapError(f"forked worker {pid} ended without a result "
                             f"(status {os.waitstatus_to_exitcode(status)})")
    done, result = pickle.loads(payload)
    if not done:
        raise ForkedMapError(f"forked worker {pid} failed: {result}")
    return result
