"""One very large page: ingest time, peak memory and article-page latency at 200k/400k/800k.

    .venv/bin/python bench/big_page.py [--sizes 200000,400000,800000] [--corpus PATH]

Builds a page of N characters by concatenating real stories laid out as article blocks
(headline, blank line, a 本报讯 paragraph, more paragraphs). The stories come from
`../shared/bench/xwlb_stories.jsonl.gz` (read at run time, never copied into the
repository; see its README) or, when that is absent, from the paragraphs of `seeds/`.
Each page is ingested by `manage.py ingest` in a fresh scratch data directory in its own
process, so the peak RSS printed is that process's alone. Then a second process opens
articles of that page with Django's test client and prints the slowest answer.

Floors (issue 17): at 800k characters, ingest ≤ 10 s and ≤ 500 MB peak RSS, article pages
≤ 1 s. The numbers depend on the machine's load: run `uptime` beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench_archive import NEWS_CORPUS, read_stories

ROOT = Path(__file__).resolve().parent.parent
FLOOR_SECONDS = 10.0
FLOOR_MB = 500.0
FLOOR_ARTICLE_SECONDS = 1.0

ARTICLE_PAGE = r"""
import json, sys, time
from django.test import Client
from archive.models import Article
ids = list(Article.objects.order_by("ordinal").values_list("pk", flat=True))
picks = sorted({ids[0], ids[len(ids) // 2], ids[-1]})
client = Client()
times = []
for pk in picks:
    started = time.perf_counter()
    # Follow the redirect to the permalink: the page readers get, not the 301 before it.
    status = client.get(f"/articles/{pk}/", follow=True).status_code
    times.append((time.perf_counter() - started, status))
print(json.dumps({"articles": len(ids), "times": times}))
"""


def corpus_stories(path: Path) -> Iterator[tuple[str, list[str]]]:
    for story in read_stories(path):
        yield story.title, list(story.paragraphs)


def seed_stories() -> Iterator[tuple[str, list[str]]]:
    """Seed paragraphs in groups of four under their page's first line: a poorer
    vocabulary, but the same shape."""
    while True:
        for seed in sorted((ROOT / "seeds").glob("*.txt")):
            paras = [p.strip() for p in re.split(r"\n\s*\n", seed.read_text("utf-8"))]
            paras = [p for p in paras if len(p) >= 60]
            for i in range(0, len(paras) - 3, 4):
                yield paras[i][:20], paras[i : i + 4]


def build_page(size: int, stories: Iterator[tuple[str, list[str]]]) -> tuple[str, int]:
    """A page of at least `size` characters and the number of stories on it."""
    blocks: list[str] = []
    length = count = 0
    for title, paras in stories:
        # Headlines ending in punctuation read as body text; real ones do not.
        title = title.strip("。！？!?；;，,")
        block = "\n\n".join([title, "本报讯 " + paras[0], *paras[1:]])
        blocks.append(block)
        length += len(block) + 4
        count += 1
        if length >= size:
            break
    return "\n\n\n\n".join(blocks) + "\n", count


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds and stdout of one child process (which reports its own peak RSS)."""
    started = time.perf_counter()
    child = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        sys.exit(f"{command[-2]} failed ({child.returncode}): {child.stderr[-2000:]}")
    return wall, child.stdout


def measure(size: int, page: str, scratch: Path) -> dict[str, float | int | str]:
    data = scratch / f"data-{size}"
    pages = scratch / f"pages-{size}"
    pages.mkdir()
    (pages / f"big_{size}.txt").write_text(page, encoding="utf-8")
    env = {
        **os.environ,
        "PARKNEWS_DATA_DIR": str(data),
        "PARKNEWS_INGEST_MAX_BYTES": str(20 * 1024 * 1024),
        "PARKNEWS_INGEST_MAX_CHARS": str(max(size * 2, 1_000_000)),
        "DJANGO_SETTINGS_MODULE": "parknews.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("SEARCH_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    # Article pages link the static files by their hashed names.
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    timed = [sys.executable, "-c", _TIMED, *manage[1:], "ingest", str(pages)]
    wall, out = run_measured(timed, env)
    report = json.loads(out.strip().splitlines()[-1])
    browse = [sys.executable, "-c", _SHELL, ARTICLE_PAGE]
    _, out = run_measured(browse, {**env, "PYTHONPATH": str(ROOT)})
    pages_report = json.loads(out.strip().splitlines()[-1])
    return {
        "chars": len(page),
        "seconds": report["seconds"],
        "wall": wall,
        "cpu": report["cpu"],
        "rss_mb": report["rss_mb"],
        "summary": report["summary"],
        "articles": pages_report["articles"],
        "article_seconds": max(t for t, _ in pages_report["times"]),
        "statuses": ",".join(str(s) for _, s in pages_report["times"]),
    }


# The ingest command inside a process that reports its own time and peak RSS.
_TIMED = r"""
import io, json, resource, sys, time
from contextlib import redirect_stdout
sys.argv = sys.argv[1:]
sys.path.insert(0, __import__("os").path.dirname(sys.argv[0]))
import django
from django.core.management import call_command
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parknews.settings")
django.setup()
out = io.StringIO()
started = time.perf_counter()
call_command(*sys.argv[1:], stdout=out)
seconds = time.perf_counter() - started
# The index writer's forked analysers are children: the peak is the larger of the two.
rss = max(resource.getrusage(who).ru_maxrss / 1024
          for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
# CPU seconds (this process and its children) depend less on other load than wall time.
cpu = sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage,
          (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mb": rss,
                  "summary": out.getvalue().strip()}))
"""

_SHELL = r"""
import sys, django
django.setup()
exec(sys.argv[1])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="200000,400000,800000")
    parser.add_argument("--corpus", type=Path, default=NEWS_CORPUS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.corpus.exists():
        print(f"stories from {args.corpus}")
        make_stories = lambda: corpus_stories(args.corpus)  # noqa: E731
    else:
        print(f"{args.corpus} absent: stories from the seed pages' paragraphs")
        make_stories = seed_stories
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1 / 5 min)")
    scratch = Path(tempfile.mkdtemp(prefix="parknews-bigpage-"))
    try:
        print(f"{'chars':>8} {'stories':>7} {'articles':>8} {'ingest s':>9} {'cpu s':>6} "
              f"{'peak MB':>8} "
              f"{'article page s':>14}  floors at 800k: ≤{FLOOR_SECONDS:.0f} s, "
              f"≤{FLOOR_MB:.0f} MB, ≤{FLOOR_ARTICLE_SECONDS:.0f} s")
        for size in sizes:
            page, stories = build_page(size, make_stories())
            row = measure(size, page, scratch)
            print(f"{row['chars']:>8} {stories:>7} {row['articles']:>8} {row['seconds']:>9.2f} "
                  f"{row['cpu']:>6.1f} "
                  f"{row['rss_mb']:>8.0f} {row['article_seconds']:>14.3f}  "
                  f"(HTTP {row['statuses']}; {row['summary']})", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
