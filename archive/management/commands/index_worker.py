"""Drain the search index outbox: write every article queued there, then wait for more.

Model changes record their articles in the outbox (`archive.models.IndexTask`) in their
own transaction; ingest and admin saves drain it themselves after they commit. This
worker takes what they could not (the index was busy, a write failed, a process was
killed) and what other tools queued, so nothing waits for the next edit:

    python manage.py index_worker            # every 5 s until stopped (Ctrl-C, SIGTERM)
    python manage.py index_worker --once     # one drain, then exit (cron)
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from archive.search import writer
from archive.search.locking import IndexBusy


class Command(BaseCommand):
    help = "Write the articles waiting in the search index outbox (--once, or every --interval s)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="drain once, then exit")
        parser.add_argument("--interval", type=float, default=5.0,
                            help="seconds between drains (default 5)")
        parser.add_argument("--wait", type=float, default=60.0,
                            help="seconds to wait for the index write lock (default 60)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0 or options["wait"] < 0:
            raise CommandError("--interval must be above 0 and --wait not below 0")
        stop = threading.Event()
        if not options["once"] and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while True:
                self._drain_once(options["wait"], strict=options["once"], verbosity=options[
                    "verbosity"])
                if options["once"] or stop.wait(options["interval"]):
                    return
                connections.close_all()  # a long-lived process: no stale connection
        except KeyboardInterrupt:
            return

    def _drain_once(self, wait: float, *, strict: bool, verbosity: int) -> None:
        if not writer.pending_ids():
            if strict and verbosity >= 1:
                self.stdout.write("Nothing to do.")
            return
        try:
            report = writer.drain(wait=wait, strict=strict)
        except IndexBusy as error:
            raise CommandError(f"search index busy, outbox left as it was: {error}") from error
        except Exception as error:
            raise CommandError(f"index write failed, outbox left as it was: {error}") from error
        if report is not None and verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(
                f"indexed {report.written} articles, removed {report.removed}, "
                f"{report.unchanged} unchanged"))
