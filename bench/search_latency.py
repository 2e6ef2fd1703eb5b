"""Search latency on the ingested seeds: p50 / p95 per configuration.

    .venv/bin/python bench/search_latency.py [--rounds 30]

Builds a scratch data directory (migrate, ingest seeds/), then times, in one process and
after a warm-up round:

* plain       — engine.search without facets or highlighting
* facets      — with the six facet counts
* highlight   — with title/snippet highlighting (no facets)
* full        — both, as the page and the API run it
* http page   — GET /search/ through Django's test client (template rendered)
* http api    — GET /api/search/

over a fixed mix of queries (single words, sub-words, park names, phrases, AND/OR/NOT,
figures, facet-only browsing). Prints milliseconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    ({"q": "高新区"}),
    ({"q": "动力电池"}),
    ({"q": "电池"}),
    ({"q": "杨凌农高区"}),
    ({"q": "天津滨海高新区"}),
    ({"q": '"一区十园"'}),
    ({"q": "西安 项目"}),
    ({"q": "动力电池 OR 光学膜"}),
    ({"q": "项目 -西安"}),
    ({"q": "71.69"}),
    ({"q": "区"}),
    ({"q": "", "park": "西安高新区"}),
    ({"q": "投资", "year": "2020", "figure_kind": "投资额"}),
    ({"q": "*", "sort": "newest"}),
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the scratch data directory")
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="parknews-bench-")
    try:
        run(data, args.rounds)
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


def run(data: str, rounds: int) -> None:
    os.environ["PARKNEWS_DATA_DIR"] = data
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parknews.settings")
    os.environ.setdefault("PARKNEWS_STATIC_MANIFEST", "False")
    import django

    django.setup()
    from django.core.management import call_command
    from django.http import QueryDict
    from django.test import Client

    from archive.search import engine
    from archive.search.params import read_params

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("ingest", str(ROOT / "seeds"), verbosity=0)
    print(f"data dir {data}; ingest + index of the seeds: {time.perf_counter() - started:.2f} s")

    params = []
    for query in QUERIES:
        qd = QueryDict(mutable=True)
        for key, value in query.items():
            qd[key] = value
        params.append((qd, read_params(qd)[0]))

    client = Client()
    configs = {
        "plain": lambda p: engine.search(p[1], with_facets=False, with_highlight=False),
        "facets": lambda p: engine.search(p[1], with_facets=True, with_highlight=False),
        "highlight": lambda p: engine.search(p[1], with_facets=False, with_highlight=True),
        "full": lambda p: engine.search(p[1]),
        "http page": lambda p: client.get("/search/", p[0]),
        "http api": lambda p: client.get("/api/search/", p[0]),
    }
    print(f"{len(QUERIES)} queries × {rounds} rounds each, milliseconds")
    print(f"{'configuration':<12} {'p50':>7} {'p95':>7} {'max':>7}")
    for name, run in configs.items():
        for p in params:  # warm-up: caches, jieba, searcher
            run(p)
        times = []
        for _ in range(rounds):
            for p in params:
                t = time.perf_counter()
                result = run(p)
                times.append((time.perf_counter() - t) * 1000)
                status = getattr(result, "status_code", 200)
                if status != 200:
                    raise SystemExit(f"{name}: HTTP {status} for {dict(p[0])}")
        p50, p95 = statistics.median(times), percentile(times, 95)
        print(f"{name:<12} {p50:7.2f} {p95:7.2f} {max(times):7.2f}")


if __name__ == "__main__":
    main()
