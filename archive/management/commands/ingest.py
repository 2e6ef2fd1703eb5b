"""Ingest newspaper page files into the archive.

    python manage.py ingest PATH [PATH ...] [--paper TITLE] [--date YYYY-MM-DD]
                            [--page-label LABEL] [--dry-run]

Each PATH is a page file or a directory searched for `*.txt`. Every page is stored in its
own transaction: a bad file is reported (one line on stderr naming it) and skipped, and
never changes what is already stored. Ingesting the same page twice changes nothing.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from archive import cycles
from archive.indexing import deferred_writes
from archive.ingest import forked
from archive.ingest.dates import (
    estimate_issue_date,
    parse_date,
    printed_issue_date,
)
from archive.ingest.issue import IssueMeta, given_meta, printed_meta, sidecar_meta
from archive.ingest.issue_store import update_stored_issue
from archive.ingest.parks import ParkLinker
from archive.ingest.pipeline import PIPELINE_VERSION, process_page
from archive.ingest.read import PageReadError, read_page
from archive.ingest.store import StoreResult, registry_entries, store_page, stored_unchanged
from archive.search import spelling, writer

# Page.source's length.
KEY_MAX = 255


class Command(BaseCommand):
    help = (
        "Read newspaper page files (or every *.txt below a directory), split them into "
        "articles, extract parks and figures, store them and update the search index."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="page files or directories")
        parser.add_argument("--paper", help="newspaper of the pages, e.g. 中国高新技术产业导报")
        parser.add_argument("--date", help="issue date of the pages, YYYY-MM-DD")
        parser.add_argument("--page-label", help="the pages' 版次 as printed, e.g. 第3版")
        parser.add_argument(
            "--dry-run", action="store_true", help="process the pages but store nothing"
        )
        parser.add_argument(
            "--root",
            help="folder the page keys are relative to (default: each directory named, or a "
            "file's own folder); e.g. --root archive archive/2020-03-06/",
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        self.verbosity = int(options["verbosity"])
        given_date = None
        if options["date"]:
            try:
                given_date = parse_date(str(options["date"]))
            except ValueError as error:
                raise CommandError(f"--date: {error}") from None
        try:
            given = given_meta(options["paper"], given_date, options["page_label"])
        except ValueError as error:
            raise CommandError(str(error)) from None

        root = Path(str(options["root"])) if options["root"] else None
        if root is not None and not root.is_dir():
            raise CommandError(f"--root: {root}: not a directory")
        files, errors = collect_page_files([Path(str(p)) for p in options["paths"]], root)
        for message in errors:
            self.stderr.write(f"error: {message}")
        if not files and not errors:
            raise CommandError("no page files given")

        linker = ParkLinker(registry_entries())
        totals = _Totals()
        self.index_queue = _IndexQueue()
        stopped = None
        # The command reports index failures itself, on one line: the writer's own log
        # (a traceback per retry) only at -v 2.
        with _quiet_index_log(self.verbosity < 2), \
                deferred_writes():
            for position, (path, key) in enumerate(self.progress(files)):
                try:
                    with cycles.paused():  # a page's objects live until it is stored
                        self.ingest_file(
                            path, key, linker, given, bool(options["dry_run"]), totals
                        )
                except PageReadError as error:
                    errors.append(str(error))
                    self.stderr.write(f"error: {error}")
                except ValueError as error:
                    errors.append(str(error))
                    self.stderr.write(f"error: {path}: {error}")
                except DatabaseError as error:
                    # Read-only, full or gone: every later page would fail the same way.
                    stopped = f"{path}: database refused the write: {_first_line(error)}"
                    left = len(files) - position
                    break
                with cycles.paused():
                    self.index_queue.flush_if_full()
            with cycles.paused():
                self.index_queue.flush()

        seconds = time.monotonic() - started
        # The last drain (leaving deferred_writes) may have written what a flush could not.
        queued = len(writer.pending_ids()) if self.index_queue.failure else 0
        failures = len(errors) + bool(stopped) + bool(queued)
        summary = totals.summary(seconds, failures, bool(options["dry_run"]))
        if stopped:
            raise CommandError(f"{stopped}; ingest stopped, {left} pages not stored; {summary}")
        if queued:
            raise CommandError(
                f"search index not updated ({self.index_queue.failure}): "
                f"{queued} articles stay queued, run "
                f"`manage.py check_index --repair` once the index is writable; {summary}"
            )
        if totals.pages == 0 and errors:
            raise CommandError(f"nothing ingested; {summary}")
        self.stdout.write(self.style.SUCCESS(summary))

    def ingest_file(
        self,
        path: Path,
        key: str,
        linker: ParkLinker,
        given: IssueMeta,
        dry_run: bool,
        totals: _Totals,
    ) -> None:
        raw = read_page(path, settings.INGEST_MAX_BYTES, key, settings.INGEST_MAX_CHARS)
        issue = given.over(sidecar_meta(path)).over(printed_meta(raw.text))
        unchanged = None if dry_run else stored_unchanged(raw, PIPELINE_VERSION)
        if unchanged:
            # Same text, perhaps newly told its newspaper, date or page label.
            if update_stored_issue(raw.source, issue):
                self.index_queue.page_stored()
            totals.add(unchanged)
            return
        warming = _warm_spelling(raw.text)
        try:
            drafts = process_page(raw.text, linker, settings.INGEST_PROCESSES)
        except BaseException:
            if warming is not None:
                warming.discard()
            raise
        if warming is not None:
            _remember_spelling(warming)
        if not drafts:
            raise PageReadError(path, "no articles found on the page")
        issue_date = issue.date or printed_issue_date(raw.text)
        if issue.date is None and issue_date:
            issue = replace(issue, date=issue_date, date_source="printed")
        estimated = issue_date is None
        if estimated:
            issue_date = estimate_issue_date(raw.text)
        if dry_run:
            totals.add(StoreResult("new", articles_new=len(drafts),
                                   figures=sum(len(d.figures) for d in drafts)))
            return
        result = store_page(
            raw,
            drafts,
            pipeline_version=PIPELINE_VERSION,
            issue_date=issue_date,
            issue_date_estimated=estimated,
            issue=issue,
        )
        self.index_queue.page_stored()
        totals.add(result)
        if result.page_status == "updated" and self.verbosity >= 1:
            # Never a silent replacement: a page stored under this key had other text.
            self.stdout.write(
                f"{raw.source}: text differs from the page stored under this key; updated "
                f"in place ({result.articles_new} new, {result.articles_updated} updated, "
                f"{result.articles_unchanged} unchanged articles)"
            )
        elif self.verbosity >= 2:
            self.stdout.write(
                f"{raw.source}: {result.page_status}, {result.articles_new} new, "
                f"{result.articles_updated} updated, {result.articles_unchanged} unchanged"
            )

    def progress(self, files: list[Path]):
        if self.verbosity >= 1 and sys.stderr.isatty() and len(files) > 1:
            from tqdm import tqdm

            return tqdm(files, unit="page", file=sys.stderr)
        return files


# Pages from this many characters have their words' pinyin worked out beside the pipeline.
WARM_SPELLING_CHARS = 100_000


def _warm_spelling(text: str) -> forked.Running | None:
    """On a big page, the pinyin of its words (what the index workers' spelling tables
    need, ~1 s of CPU at 800k characters) worked out in a forked child on the core the
    single-threaded pipeline leaves idle; None for a usual page, where the fork would
    cost more than it saves."""
    if len(text) < WARM_SPELLING_CHARS or settings.INGEST_PROCESSES < 2:
        return None
    try:
        return forked.start(spelling.pinyin_of_words, text)
    except OSError as error:  # no fork to spare: the index workers work it out
        logging.getLogger(__name__).warning("pinyin warm-up not started: %s", error)
        return None


def _remember_spelling(warming: forked.Running) -> None:
    try:
        spelling.remember_pinyin(warming.result())
    except Exception as error:  # only a head start: the index workers do without
        logging.getLogger(__name__).warning("pinyin warm-up failed: %s", error)


class _IndexQueue:
    """Stored pages whose articles wait in the search index's queue.

    Inside `deferred_writes()` the model signals queue every changed or removed article
    when its page commits (a queue that survives a crash); this writes that queue every
    few pages, because Whoosh's commit costs far more than adding documents.
    """

    BATCH_PAGES = 25

    def __init__(self) -> None:
        self.pages = 0
        self.failure: str | None = None

    def page_stored(self) -> None:
        self.pages += 1

    def flush_if_full(self) -> None:
        if self.pages >= self.BATCH_PAGES:
            self.flush()

    def flush(self) -> None:
        if self.pages:
            # Ingest may wait longer for the index lock than a web request would.
            try:
                writer.drain(wait=60.0, strict=True, retry=False)
            except Exception as error:  # the queue keeps the articles: say so, go on
                self.failure = _first_line(error) or type(error).__name__
            self.pages = 0


class _Totals:
    def __init__(self) -> None:
        self.pages = self.new = self.updated = self.unchanged = self.figures = 0
        self.pages_unchanged = 0

    def add(self, result: StoreResult) -> None:
        self.pages += 1
        self.pages_unchanged += result.page_status == "unchanged"
        self.new += result.articles_new
        self.updated += result.articles_updated
        self.unchanged += result.articles_unchanged
        self.figures += result.figures

    def summary(self, seconds: float, errors: int, dry_run: bool) -> str:
        prefix = "dry run: " if dry_run else ""
        return (
            f"{prefix}{self.pages} pages ({self.pages_unchanged} unchanged), articles "
            f"{self.new} new / {self.updated} updated / {self.unchanged} unchanged, "
            f"{self.figures} figures, {errors} errors, {seconds:.2f} s"
        )


def collect_page_files(
    paths: list[Path], root: Path | None = None
) -> tuple[list[tuple[Path, str]], list[str]]:
    """(file, page key) for every page file named or found below the directories, and the
    problems met.

    A page's key is its path relative to the ingest root: `root` when given, else the
    directory named (so `ingest archive/` keys `archive/issue1/page01.txt` as
    `issue1/page01.txt`), else the file's own directory (its bare name, as keys were
    before folders counted).
    """
    files: list[tuple[Path, str]] = []
    errors: list[str] = []
    for path in paths:
        if path.is_dir():
            found, skipped = _pages_below(path)
            errors += skipped
            if not found and not skipped:
                errors.append(f"{path}: no *.txt page files in directory")
            files += [(p, page_key(p, root or path)) for p in found]
        elif path.exists():
            files.append((path, page_key(path, root or path.parent)))
        elif path.is_symlink():
            errors.append(f"{path}: broken symlink or symlink loop, skipped")
        else:
            errors.append(f"{path}: no such file or directory")
    by_path: dict[Path, str] = {}
    by_key: dict[str, Path] = {}
    for path, key in files:
        if path in by_path:
            continue
        if len(key) > KEY_MAX:
            errors.append(f"{path}: page key longer than {KEY_MAX} characters, skipped")
            continue
        if key in by_key:
            errors.append(
                f"{path}: same page key {key!r} as {by_key[key]}; skipped "
                "(give --root the folder that holds both)"
            )
            continue
        by_path[path] = key
        by_key[key] = path
    return list(by_path.items()), errors


def page_key(path: Path, root: Path) -> str:
    """The path of `path` below `root`, with / between folders; the file name when it is
    not below `root`."""
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.name


def _pages_below(directory: Path) -> tuple[list[Path], list[str]]:
    root = directory.resolve()
    found, skipped = [], []
    for path in sorted(directory.rglob("*.txt")):
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                # a.txt -> a.txt, or a link to nothing: skip it, ingest the rest.
                skipped.append(f"{path}: broken symlink or symlink loop, skipped")
                continue
            if not target.is_relative_to(root):
                skipped.append(f"{path}: symlink to outside {directory}, skipped")
                continue
        if path.is_file():
            found.append(path)
    return found, skipped


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


class _DropRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def _quiet_index_log(quiet: bool) -> Iterator[None]:
    """Inside, the index writer logs nothing (when quiet): the command reports a failed
    index write on one line of its own. (Work left in the index outbox is written by the
    next writer or `manage.py index_worker`; nothing retries at process exit.)"""
    logger = logging.getLogger("archive.search.writer")
    drop = _DropRecords()
    if quiet:
        logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)
