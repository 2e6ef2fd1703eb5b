"""Run the archive benchmark (bench/bench_archive.py) in a scratch data directory.

    python manage.py bench [--articles N] [--json PATH] [--floors whoosh,fts5,tantivy]
        [--corpus ../shared/bench/xwlb_stories.jsonl.gz] ...

A thin wrapper: the benchmark runs in its own process because it needs settings that
point at a scratch data directory, not at this one. Options go to the script unchanged.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SCRIPT = Path(settings.BASE_DIR) / "bench" / "bench_archive.py"


class Command(BaseCommand):
    help = ("Benchmark ingest, indexing and search on a synthetic archive, or real stories "
            "with --corpus PATH (see bench/).")

    def run_from_argv(self, argv: list[str]) -> None:
        # Every option belongs to the script, whose --help lists them.
        sys.exit(self.call(argv[2:]))

    def handle(self, *args: str, **options: object) -> None:
        if status := self.call(list(args)):
            raise CommandError(f"benchmark failed (exit status {status})")

    @staticmethod
    def call(args: list[str]) -> int:
        return subprocess.call([sys.executable, str(SCRIPT), *args], cwd=settings.BASE_DIR)
