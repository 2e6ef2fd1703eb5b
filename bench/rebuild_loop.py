"""Searches through gunicorn while `rebuild_index` runs (issue 14: no search outage).

    .venv/bin/python bench/rebuild_loop.py --corpus ../shared/bench/xwlb_stories.jsonl.gz \
        --articles 10000
    .venv/bin/python bench/rebuild_loop.py --data DIR   # a data directory already ingested

Without --data it first builds an archive with bench_archive.py (--keep) and uses the data
directory that leaves. Then gunicorn (4 workers) serves it; one client counts a fixed set
of needles through /api/search/ before the rebuild, in a loop for as long as
`manage.py rebuild_index --noinput` runs, and once after. The archive does not change, so
every answer must carry exactly the counts from before: the floor is 0 errors and 0
counts that differ, during the rebuild and after the swap.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import ROOT, Server, fetch  # after the path tweak

# Common words and zone names: counts from hundreds to thousands at 10k stories.
NEEDLES = ("高新区", "企业", "创新", "发展", "中关村", "科技园区", "产业园")


def counts(base: str) -> tuple[tuple[int, ...], list[str], float]:
    """One round: every needle's count, the failures, and the slowest answer (s)."""
    found, failures, slowest = [], [], 0.0
    for needle in NEEDLES:
        started = time.perf_counter()
        status, body = fetch(f"{base}/api/search/?q={urllib.parse.quote(needle)}")
        slowest = max(slowest, time.perf_counter() - started)
        if status != 200:
            failures.append(f"{needle}: HTTP {status}")
            found.append(-1)
            continue
        answer = json.loads(body)
        if answer.get("error"):
            failures.append(f"{needle}: {answer['error']}")
        found.append(int(answer["count"]))
    return tuple(found), failures, slowest


def build(corpus: str, articles: int) -> Path:
    """An ingested, indexed data directory made by bench_archive.py --keep."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_archive.py"), "--corpus", corpus,
         "--articles", str(articles), "--floors", "", "--keep"],
        capture_output=True, text=True, cwd=ROOT, check=True)
    kept = re.search(r"scratch kept in (\S+)", run.stdout)
    if not kept:
        raise SystemExit("rebuild_loop: bench_archive.py did not say where it kept its scratch")
    return Path(kept.group(1)) / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="an ingested data directory to use")
    parser.add_argument("--corpus", default=None, help="news stories (JSON lines, gzip)")
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    if args.data is None and args.corpus is None:
        parser.error("give --data DIR, or --corpus FILE to build one")
    if args.data is not None and not (args.data / "parknews.sqlite3").is_file():
        parser.error(f"--data {args.data}: no parknews.sqlite3 there")
    data = args.data or build(args.corpus, args.articles)
    server = Server(data, 4)
    server.start()
    try:
        counts(server.base)  # warm the workers
        before, failures, _ = counts(server.base)
        if failures:
            raise SystemExit(f"rebuild_loop: searches fail before the rebuild: {failures}")
        started = time.perf_counter()
        rebuild = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "rebuild_index", "--noinput"],
            env=server.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        rounds = errors = differ = 0
        slowest: list[float] = []
        while rebuild.poll() is None:
            found, failures, slow = counts(server.base)
            rounds += 1
            errors += len(failures)
            differ += sum(a != b for a, b in zip(found, before, strict=True))
            slowest.append(slow)
        rebuild_s = time.perf_counter() - started
        if rebuild.returncode != 0:
            raise SystemExit(f"rebuild_loop: rebuild_index failed: {rebuild.stderr.read()[-500:]}")
        after, after_failures, _ = counts(server.base)
        load = os.getloadavg()
        articles = server.manage("shell", "-c", "from archive.models import Article; "
                                 "print(Article.objects.public().count())").split()[-1]
        print(f"rebuild_loop over {data}: {articles} articles, {sum(before)} hits for "
              f"{len(NEEDLES)} needles; "
              f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")
        print(f"  rebuild_index            {rebuild_s:7.1f} s")
        print(f"  rounds during it         {rounds:7d} ({rounds * len(NEEDLES)} searches)")
        print(f"  errors during it         {errors:7d}   floor 0")
        print(f"  counts that differ       {differ:7d}   floor 0")
        if slowest:
            print(f"  slowest search a round   p50 {statistics.median(slowest) * 1000:.0f} ms, "
                  f"max {max(slowest) * 1000:.0f} ms")
        print(f"  after the swap           {'same counts' if after == before else 'DIFFERENT'}"
              f"{', errors: ' + '; '.join(after_failures) if after_failures else ''}")
    finally:
        server.stop()
        if args.data is None:
            shutil.rmtree(data.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
