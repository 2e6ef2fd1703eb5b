"""gunicorn's workers at archive scale (issue 14): zero-hit searches at once, then each
worker's memory and open index files after a query mix.

    .venv/bin/python bench/workers.py --data DIR [--json FILE]
    .venv/bin/python bench/workers.py --corpus ../shared/bench/xwlb_stories.jsonl.gz \
        --articles 50437

DIR is an ingested data directory, e.g. the `data` folder `bench_archive.py --keep` leaves
(its JSON, `--mix`, gives this run the same needles). Without --data one is built that way
first. gunicorn then serves it as `bin/serve` does (static files collected, gunicorn.conf.py,
4 workers, the app preloaded), and nothing else has searched it yet:

1. **Zero hits at once, cold**: 8 clients each ask `/search/` (the page, suggestions
   included) for a different made-up needle, all at the same moment; every worker answers
   its first searches. Each latency is printed; the floor is 200 ms each.
2. The same again with 8 other needles, now that the workers are warm.
3. **The mix**: every needle of the mix through `/search/` and `/api/search/`, 4 clients,
   `--rounds` times, so every worker has opened the index and filled its caches.
4. **Per worker**: RSS (VmRSS, and its peak VmHWM), PSS and private memory (what the
   worker holds on its own; RSS also counts pages shared with the master and the page
   cache's mapped index files), and its open files inside the live index directory.
   Floors: RSS 300 MB, 64 open index files.

A needle of steps 1–2 that finds anything stops the run: its time would mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import Server, fetch
from rebuild_loop import build

ZERO_HIT_FLOOR_MS = 200.0
RSS_FLOOR_MB = 300.0
OPEN_FILES_FLOOR = 64
CLIENTS_AT_ONCE = 8

# Typos of common words and made-up names, the zero-hit queries visitors make. Each must
# find nothing (checked after each round through the API); two sets of eight, so the warm
# round does not repeat a needle of the cold one.
ZERO_HIT_COLD = ("招商引姿", "马超欣欣", "创新驱懂", "产业集裙", "园区堇事", "科技孵花",
                 "张敏秀洋", "开发曲管委")
ZERO_HIT_WARM = ("招商引资宝", "欣欣马超", "驱懂创新", "集裙产业", "堇事园区", "孵花科技",
                 "秀洋张敏", "管委开发曲")

# Without --mix: common words, a phrase, zone names and a park filter.
DEFAULT_MIX = ({"q": "高新区"}, {"q": "企业 创新"}, {"q": '"科技园区"'}, {"q": "中关村"},
               {"q": "张江高新区"}, {"q": "发展", "park": "中关村"})


def at_once(base: str, needles: tuple[str, ...]) -> list[tuple[str, float, int]]:
    """Ask /search/ for every needle at the same moment: (needle, seconds, status)."""
    ready = threading.Barrier(len(needles))
    out: list[tuple[str, float, int]] = [("", 0.0, 0)] * len(needles)

    def one(i: int, needle: str) -> None:
        url = f"{base}/search/?q={urllib.parse.quote(needle)}"
        ready.wait()
        started = time.perf_counter()
        status, _ = fetch(url)
        out[i] = (needle, time.perf_counter() - started, status)

    threads = [threading.Thread(target=one, args=(i, n)) for i, n in enumerate(needles)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def api_count(base: str, params: dict[str, str]) -> int:
    status, body = fetch(f"{base}/api/search/?{urllib.parse.urlencode(params)}")
    if status != 200:
        raise SystemExit(f"workers: /api/search/?{urllib.parse.urlencode(params)}: HTTP {status}")
    return int(json.loads(body)["count"])


def check_zero(base: str, needles: tuple[str, ...]) -> None:
    found = {n: c for n in needles if (c := api_count(base, {"q": n}))}
    if found:
        raise SystemExit(f"workers: zero-hit needles with hits, their times mean nothing: {found}")


def run_mix(base: str, mix: list[dict[str, str]], rounds: int) -> list[float]:
    """Every query of the mix through the page and the API, 4 clients; the latencies."""
    urls = [f"{base}{path}?{urllib.parse.urlencode(params)}"
            for _ in range(rounds) for params in mix for path in ("/search/", "/api/search/")]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(share: list[str]) -> None:
        for url in share:
            started = time.perf_counter()
            status, _ = fetch(url)
            with lock:
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    failures.append(f"{url}: HTTP {status}")

    threads = [threading.Thread(target=client, args=(urls[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"workers: the mix failed: {failures[:3]}")
    return latencies


def worker_pids(master: int) -> list[int]:
    with open(f"/proc/{master}/task/{master}/children") as f:
        return [int(pid) for pid in f.read().split()]


def _kb(path: str, names: tuple[str, ...]) -> dict[str, float]:
    """The named 'Name: N kB' lines of a /proc file, in MB (same names summed)."""
    out = dict.fromkeys(names, 0.0)
    with open(path) as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in out:
                out[name] += int(rest.split()[0]) / 1024
    return out


def worker_memory(pid: int, index_dir: Path) -> dict[str, float | int]:
    status = _kb(f"/proc/{pid}/status", ("VmRSS", "VmHWM"))
    rollup = _kb(f"/proc/{pid}/smaps_rollup", ("Pss", "Private_Clean", "Private_Dirty"))
    live = os.path.realpath(index_dir) + os.sep
    open_files = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            open_files += os.readlink(f"/proc/{pid}/fd/{fd}").startswith(live)
        except OSError:
            continue
    with open(f"/proc/{pid}/maps") as f:
        mapped = {line.split(maxsplit=5)[-1].strip() for line in f
                  if len(line.split(maxsplit=5)) == 6}
    return {"rss_mb": round(status["VmRSS"], 1), "peak_rss_mb": round(status["VmHWM"], 1),
            "pss_mb": round(rollup["Pss"], 1),
            "private_mb": round(rollup["Private_Clean"] + rollup["Private_Dirty"], 1),
            "open_index_files": open_files,
            "mapped_index_files": sum(path.startswith(live) for path in mapped)}


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def report(result: dict) -> str:
    lines = [f"workers over {result['data']}: {result['articles']} articles, "
             f"{result['workers']} gunicorn workers; load average "
             f"{' '.join(f'{x:.2f}' for x in result['load_average'])}; {os.cpu_count()} CPUs"]
    for name in ("cold", "warm"):
        times = [t for _, t, _ in result[f"zero_hits_{name}"]]
        worst = max(times)
        lines.append(f"  {CLIENTS_AT_ONCE} zero-hit /search/ at once, {name}: "
                     + " ".join(f"{t:.0f}" for t in times)
                     + f" ms; max {worst:.0f} ms   floor {ZERO_HIT_FLOOR_MS:.0f} ms each "
                     + ("ok" if worst <= ZERO_HIT_FLOOR_MS else "OVER"))
    mix = result["mix_ms"]
    lines.append(f"  the mix, {mix['requests']} requests by 4 clients: p50 {mix['p50']:.0f} ms, "
                 f"p95 {mix['p95']:.0f} ms, max {mix['max']:.0f} ms")
    lines.append("  worker  RSS MB (peak)  PSS MB  private MB  open index files (mapped)")
    for pid, m in result["per_worker"].items():
        lines.append(f"  {pid:>6}  {m['rss_mb']:6.0f} ({m['peak_rss_mb']:4.0f})  "
                     f"{m['pss_mb']:6.0f}  {m['private_mb']:10.0f}  "
                     f"{m['open_index_files']:16d} ({m['mapped_index_files']})")
    worst_rss = max(m["peak_rss_mb"] for m in result["per_worker"].values())
    worst_files = max(m["open_index_files"] for m in result["per_worker"].values())
    lines.append(f"  floors: peak RSS {worst_rss:.0f} MB of {RSS_FLOOR_MB:.0f} "
                 f"{'ok' if worst_rss <= RSS_FLOOR_MB else 'OVER'}; open index files "
                 f"{worst_files} of {OPEN_FILES_FLOOR} "
                 f"{'ok' if worst_files <= OPEN_FILES_FLOOR else 'OVER'}")
    return "\n".join(lines)


def mix_params(queries: list[dict]) -> list[dict[str, str]]:
    """bench_archive.py's queries (`ours.queries` of its JSON) as search parameters."""
    mix = []
    for query in queries:
        params = {"q": " ".join(query["needles"])}
        if query.get("park"):
            params["park"] = query["park"]
        mix.append(params)
    return mix


def measure(data: Path, mix: list[dict[str, str]], rounds: int = 5,
            workers: int = 4) -> dict:
    """Serve `data` with gunicorn and measure it as the module's docstring says."""
    server = Server(data, workers)
    # As bin/serve serves: hashed static files collected, whatever the caller's setting.
    server.env["PARKNEWS_STATIC_MANIFEST"] = "True"
    server.manage("collectstatic", "--noinput", "-v0")
    server.start()
    try:
        cold = at_once(server.base, ZERO_HIT_COLD)
        warm = at_once(server.base, ZERO_HIT_WARM)
        for needles, answers in ((ZERO_HIT_COLD, cold), (ZERO_HIT_WARM, warm)):
            if bad := [f"{n}: HTTP {s}" for n, _, s in answers if s != 200]:
                raise SystemExit(f"workers: zero-hit searches failed: {bad}")
            check_zero(server.base, needles)
        latencies = run_mix(server.base, mix, rounds)
        index_dir = data / "whoosh_index"
        per_worker = {pid: worker_memory(pid, index_dir)
                      for pid in worker_pids(server.process.pid)}
        articles = server.manage("shell", "-c", "from archive.models import Article; "
                                 "print(Article.objects.public().count())").split()[-1]
        return {
            "data": str(data), "articles": int(articles), "workers": workers,
            "load_average": list(os.getloadavg()),
            "zero_hits_cold": [(n, ms(t), s) for n, t, s in cold],
            "zero_hits_warm": [(n, ms(t), s) for n, t, s in warm],
            "mix_ms": {"requests": len(latencies),
                       "p50": ms(statistics.median(latencies)),
                       "p95": ms(statistics.quantiles(latencies, n=20)[-1]),
                       "max": ms(max(latencies))},
            "per_worker": per_worker,
            "floors": {"zero_hit_ms": ZERO_HIT_FLOOR_MS, "rss_mb": RSS_FLOOR_MB,
                       "open_index_files": OPEN_FILES_FLOOR},
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="an ingested data directory to use")
    parser.add_argument("--corpus", default=None, help="news stories (JSON lines, gzip)")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--mix", type=Path, help="bench_archive.py's JSON: its query needles")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the mix (default 5)")
    parser.add_argument("--json", type=Path, help="where to write the results")
    args = parser.parse_args()
    if args.data is None and args.corpus is None:
        parser.error("give --data DIR, or --corpus FILE to build one")
    if args.data is not None and not (args.data / "parknews.sqlite3").is_file():
        parser.error(f"--data {args.data}: no parknews.sqlite3 there")
    if args.mix is not None and not args.mix.is_file():
        parser.error(f"--mix {args.mix}: no such file")
    mix = ([dict(q) for q in DEFAULT_MIX] if args.mix is None else
           mix_params(json.loads(args.mix.read_text(encoding="utf-8"))["ours"]["queries"]))
    data = args.data or build(args.corpus, args.articles)
    try:
        result = measure(data, mix, args.rounds)
    finally:
        if args.data is None:
            shutil.rmtree(data.parent, ignore_errors=True)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
