"""Finishing a page's articles in forked processes (`archive/ingest/forked.py`) gives the
drafts one process gives, and a failure in a child is the error one process raises."""

from __future__ import annotations

import os

import pytest

from archive.ingest import forked
from archive.ingest.pipeline import process_page


def _long_page(seed_texts: dict[str, str], articles: int) -> str:
    """The seed pages one after another until the page holds `articles` articles (real
    text: zones, figures, bylines and all)."""
    pages = list(seed_texts.values())
    text, at = "", 0
    while text.count("\n\n\n") < articles:
        text += pages[at % len(pages)].strip() + "\n\n\n\n"
        at += 1
    return text


def _record_forks(monkeypatch) -> list[int]:
    """The pids of the children forked from now on (in this process)."""
    children: list[int] = []
    real_fork = os.fork

    def recorded_fork() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded_fork)
    return children


def test_a_long_page_gives_the_same_drafts_in_two_processes(seed_texts, linker,
                                                           monkeypatch) -> None:
    page = _long_page(seed_texts, 300)
    alone = process_page(page, linker)
    assert len(alone) >= forked.FORK_MIN_ITEMS
    forks = _record_forks(monkeypatch)
    assert process_page(page, linker, processes=2) == alone
    assert len(forks) == 1
    # A usual page never forks.
    assert process_page(next(iter(seed_texts.values())), linker, processes=2) == process_page(
        next(iter(seed_texts.values())), linker)
    assert len(forks) == 1


def _fails_at_250(n: int) -> int:
    if n == 250:
        raise ValueError("no figure here")
    return n * 2


def test_a_failure_in_a_child_is_the_exception_one_process_raises(monkeypatch) -> None:
    children = _record_forks(monkeypatch)
    assert forked.map_forked(_fails_at_250, range(199), 2) == [n * 2 for n in range(199)]
    assert not children  # too few items to fork for
    # The same exception as in one process, from a child's share or from this one's (and
    # the child is reaped either way).
    with pytest.raises(ValueError, match=r"^no figure here$"):
        forked.map_forked(_fails_at_250, range(400), 2)
    with pytest.raises(ValueError, match=r"^no figure here$"):
        forked.map_forked(_fails_at_250, range(600), 2)
    assert len(children) == 2
    for pid in children:  # no child left behind: each was reaped
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def _dies_at_300(n: int) -> int:
    if n == 300:
        os._exit(9)  # as if killed: no result on the pipe
    return n


def test_a_child_that_dies_is_one_line_with_its_status() -> None:
    with pytest.raises(forked.ForkedMapError, match=r"ended without a result \(exit status 9\)"):
        forked.map_forked(_dies_at_300, range(400), 2)


def test_a_share_whose_fork_fails_is_done_here(monkeypatch) -> None:
    def no_fork() -> int:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(os, "fork", no_fork)
    assert forked.map_forked(_dies_at_300, range(250), 2) == list(range(250))
