"""Whole-index generations: a rebuild writes a new index beside the live one and swaps
it in with one atomic rename, so searches never see an empty or half-built index.

The configured index path (settings `SEARCH_INDEX_DIR`, e.g. `var/whoosh_index`) is then
a symbolic link to a sibling directory (`whoosh_index.gen-<stamp>`). Replacing a link
with `rename(2)` is atomic: every process opening the path sees either the old index or
the new one. A backend notices the swap by resolving the link (`live_dir`) before it
reads or writes, and reopens. A fresh install's real directory is moved aside into the
same scheme at the first rebuild.

The write lock, the pending queue and the sync marker stay named after the link
(`locking.lock_path`), so they outlive every generation.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

GENERATION_MARK = ".gen-"


def live_dir(path: str | Path) -> str:
    """The directory the index path names now (itself when it is not a link)."""
    return os.path.realpath(path)


def new_generation(path: str | Path) -> Path:
    """An empty sibling directory for a new generation of the index at `path`."""
    link = Path(path)
    link.parent.mkdir(parents=True, exist_ok=True)
    while True:
        candidate = link.with_name(f"{link.name}{GENERATION_MARK}{time.time_ns()}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue


def swap_in(path: str | Path, generation: Path) -> Path | None:
    """Make `path` name `generation` (atomically); returns the directory it named before
    (to be deleted by the caller once the swap is done), or None."""
    link = Path(path)
    temporary = link.with_name(f"{link.name}.swap-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    # A relative target: the data directory can be moved or mounted elsewhere.
    temporary.symlink_to(generation.name, target_is_directory=True)
    old: Path | None = None
    if link.is_symlink():
        old = Path(live_dir(link))
    elif link.is_dir():
        # A real directory (a fresh install) cannot be replaced by a link in one step:
        # move it aside first. A reader that opens the path in between retries.
        old = link.with_name(f"{link.name}{GENERATION_MARK}{time.time_ns()}-old")
        link.rename(old)
    for _ in range(50):
        try:
            os.replace(temporary, link)
            break
        except IsADirectoryError:
            # A reader recreated an empty directory in the gap: drop it and retry.
            with contextlib.suppress(OSError):
                link.rmdir()
    else:
        raise OSError(f"could not swap the search index at {link}")
    return old if old is not None and old != generation else None


def discard(directory: Path | None) -> None:
    """Delete an old or unfinished generation. Processes still reading it keep their open
    files (POSIX); their next read follows the link to the new one."""
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


def remove_index(path: str | Path) -> None:
    """Delete the index at `path` entirely: the link, the generation it names, or the
    plain directory."""
    link = Path(path)
    if link.is_symlink():
        target = Path(live_dir(link))
        link.unlink()
        discard(target)
    else:
        discard(link)
