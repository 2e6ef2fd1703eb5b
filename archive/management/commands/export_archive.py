"""Write the whole archive as JSON (the shape fixed in CONTRACT.md).

    python manage.py export_archive [-o FILE] [--site-url https://host]

Each article carries its issue (newspaper, date and where it came from, page label) and
its citation; --site-url makes the citation's links absolute.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.models import Park
from archive.serializers import article_json, articles_for_export, park_json


class Command(BaseCommand):
    help = "Write every article (with its figures) and every park as JSON to FILE or stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", help="file to write (default: stdout)")
        parser.add_argument(
            "--site-url", default="", help="the site's base URL, e.g. https://example.org"
        )

    def handle(self, *args: object, **options: object) -> None:
        site = str(options.get("site_url") or "").rstrip("/")
        if site and not site.startswith(("http://", "https://")):
            raise CommandError(f"--site-url: not an http(s) URL: {site!r}")
        data = {
            "articles": [article_json(a, site=site) for a in articles_for_export()],
            "parks": [park_json(p) for p in Park.objects.order_by("name")],
        }
        text = json.dumps(data, ensure_ascii=False, indent=1)
        output = options.get("output")
        if not output:
            self.stdout.write(text)
            return
        write_atomically(Path(str(output)), text)
        if int(options["verbosity"]) >= 1:
            self.stderr.write(
                f"wrote {len(data['articles'])} articles and {len(data['parks'])} parks to {output}"
            )


def write_atomically(path: Path, text: str) -> None:
    """Replace path with text in one step, so a reader never sees half a file."""
    directory = path.resolve().parent
    if not directory.is_dir():
        raise CommandError(f"--output: directory does not exist: {directory}")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
