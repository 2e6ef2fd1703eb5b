"""Load test: gunicorn (4 workers) on loopback under 20 clients, with an ingest and admin
edits running in the same window. Prints requests/s, p50/p95/p99 and errors.

    .venv/bin/python bench/load.py [--seconds 60] [--clients 20] [--workers 4]

Everything runs in a scratch data directory and talks only to 127.0.0.1. The request
loop is bounded in time; every thread stops by itself. At the end it checks that every
page ingested during the run and every admin edit is searchable, and counts LockErrors
and tracebacks in the server log. Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.admin_forms import form_data  # noqa: E402 - after the path tweak

QUERIES = ["高新区", "动力电池", "总投资", "招商 项目", "\"产业集群\"", "西安高新区", "复工 -疫情",
           "人才 OR 就业", "71.69", "杨凌"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin_to(cpus: set[int] | None) -> None:
    """Keep this process (and what it starts) on `cpus`; None: leave it where it is."""
    if cpus:
        os.sched_setaffinity(0, cpus)


def answers(url: str) -> bool:
    """Whether `url` answers at all (any status); False while nothing listens."""
    try:
        urllib.request.urlopen(url, timeout=2).read()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class Server:
    def __init__(self, data_dir: Path, workers: int, cpus: set[int] | None = None) -> None:
        self.cpus = cpus  # run gunicorn and its workers on these CPUs only (None: any)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PARKNEWS_DATA_DIR": str(data_dir),
                    "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers)}
        self.log_path = data_dir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=self.env,
                              check=True, capture_output=True, text=True, cwd=ROOT).stdout

    def start(self) -> None:
        log = open(self.log_path, "w")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
             "parknews.wsgi"], env=self.env, cwd=ROOT, stdout=log, stderr=log,
            preexec_fn=lambda: pin_to(self.cpus))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if answers(self.base + "/healthz"):
                return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer; see {self.log_path}")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


def fetch(url: str, opener: urllib.request.OpenerDirector | None = None,
          data: bytes | None = None) -> tuple[int, bytes]:
    try:
        response = (opener or urllib.request.build_opener()).open(url, data=data, timeout=30)
        return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def client_loop(base: str, stop_at: float, stats: Stats, targets: dict, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < stop_at:
        kind = rng.choices(["search", "facets", "park", "article", "csv"], [3, 2, 2, 3, 1])[0]
        q = urllib.parse.quote(rng.choice(QUERIES))
        park = urllib.parse.quote(rng.choice(targets["parks_names"]))
        url = {
            "search": f"{base}/search/?q={q}",
            "facets": f"{base}/api/search/?q={q}&park={park}",
            "park": f"{base}/parks/{rng.choice(targets['parks'])}/",
            "article": f"{base}/articles/{rng.choice(targets['articles'])}/",
            "csv": f"{base}/figures/?format=csv",
        }[kind]
        started = time.perf_counter()
        try:
            status, _ = fetch(url)
            error = None if status == 200 else f"HTTP {status} {url}"
        except OSError as exc:
            error = f"{type(exc).__name__} {url}"
        stats.add(kind, time.perf_counter() - started, error)


def admin_opener(base: str, user: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _, html = fetch(f"{base}/admin/login/", opener)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
    body = urllib.parse.urlencode({"username": user, "password": password,
                                   "csrfmiddlewaretoken": token, "next": "/admin/"}).encode()
    fetch(f"{base}/admin/login/", opener, body)
    return opener


def edit_loop(base: str, stop_at: float, stats: Stats, article_ids: list[int],
              edits: list[tuple[int, str]]) -> None:
    opener = admin_opener(base, "loadtest", "loadtest-pw")
    n = 0
    while time.monotonic() < stop_at and n < len(article_ids):
        pk = article_ids[n]
        marker = f"压测校订{n}号"
        started = time.perf_counter()
        url = f"{base}/admin/archive/article/{pk}/change/"
        _, html = fetch(url, opener)
        data = form_data(html.decode(), "article_form")
        data["title"] = [f"{data['title'][0]} {marker}"]
        status, _ = fetch(url, opener, urllib.parse.urlencode(data, doseq=True).encode())
        ok = status in (200, 302)
        stats.add("admin edit", time.perf_counter() - started, None if ok else f"HTTP {status}")
        if ok:
            edits.append((pk, marker))
        n += 1
        time.sleep(2)


def ingest_loop(
    server: Server, pages_dir: Path, stop_at: float, stats: Stats, done: list[str]
) -> None:
    for batch in sorted(pages_dir.iterdir()):
        if time.monotonic() >= stop_at:
            return
        started = time.perf_counter()
        try:
            server.manage("ingest", str(batch))
            done.extend(p.name for p in batch.glob("*.txt"))
            stats.add("ingest batch", time.perf_counter() - started, None)
        except subprocess.CalledProcessError as exc:
            stats.add("ingest batch", time.perf_counter() - started, exc.stderr.strip()[-300:])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="parknews-load-"))
    server = Server(scratch / "data", args.workers)
    (scratch / "data").mkdir()
    print(f"scratch: {scratch}")
    server.manage("migrate", "-v0")
    server.manage("collectstatic", "--noinput", "-v0")
    server.manage("ingest", str(ROOT / "seeds"))
    server.manage("shell", "-c", "from django.contrib.auth.models import User; "
                  "User.objects.create_superuser('loadtest', '', 'loadtest-pw')")
    targets = json.loads(server.manage("shell", "-c", (
        "import json; from archive.models import Article, Park\n"
        "covered = Park.objects.filter(articles__isnull=False).distinct()\n"
        "print(json.dumps({'articles': list(Article.objects.values_list('pk', flat=True)),"
        "'parks': list(covered.values_list('slug', flat=True)),"
        "'parks_names': list(covered.values_list('name', flat=True))}))"
    )).strip().splitlines()[-1])

    pages_dir = scratch / "new_pages"
    for n, seed in enumerate(sorted((ROOT / "seeds").glob("*.txt")) * 2):
        batch = pages_dir / f"batch{n:02d}"
        batch.mkdir(parents=True)
        shutil.copy(seed, batch / f"load_{n:02d}_{seed.name}")

    server.start()
    stats = Stats()
    stop_at = time.monotonic() + args.seconds
    ingested: list[str] = []
    edits: list[tuple[int, str]] = []
    threads = [threading.Thread(target=client_loop, args=(server.base, stop_at, stats, targets, i))
               for i in range(args.clients)]
    threads.append(threading.Thread(target=edit_loop, args=(
        server.base, stop_at, stats, targets["articles"][:20], edits)))
    threads.append(threading.Thread(
        target=ingest_loop, args=(server, pages_dir, stop_at, stats, ingested)))
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    time.sleep(3)  # an edit must be searchable within seconds
    missing = []
    for pk, marker in edits:
        _, body = fetch(f"{server.base}/api/search/?q={urllib.parse.quote(marker)}")
        if pk not in {r["id"] for r in json.loads(body)["results"]}:
            missing.append(f"edit of article {pk} ({marker})")
    expected_articles = json.loads(server.manage("shell", "-c", (
        "import json; from archive.models import Article; "
        "print(json.dumps(list(Article.objects.filter(page__source__startswith='load_')"
        ".values_list('pk', flat=True))))")).strip().splitlines()[-1])
    check = server.manage("shell", "-c", (
        "from haystack.query import SearchQuerySet; from archive.models import Article; "
        f"ids={expected_articles!r}; "
        "found={int(r.pk) for r in SearchQuerySet().models(Article).filter(django_id__in=ids)}; "
        "print(len(set(ids)-found))")).strip().splitlines()[-1]
    server.stop()
    log = server.log_path.read_text(errors="replace")
    lock_errors = log.count("LockError")
    tracebacks = log.count("Traceback")

    total = sum(len(v) for k, v in stats.latencies.items() if k in
                ("search", "facets", "park", "article", "csv"))
    window = min(elapsed, args.seconds)
    print(f"\n{args.clients} clients, {args.workers} workers, {window:.0f} s: "
          f"{total / window:.1f} requests/s, {len(stats.errors)} errors, "
          f"{lock_errors} LockErrors, {tracebacks} tracebacks in the server log")
    print(f"{'kind':<14}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, values in sorted(stats.latencies.items()):
        print(f"{kind:<14}{len(values):>7}{statistics.median(values) * 1000:>9.0f}"
              f"{percentile(values, 95) * 1000:>9.0f}{percentile(values, 99) * 1000:>9.0f}")
    print(f"pages ingested during the run: {len(ingested)}; their articles not in the index: "
          f"{check}; admin edits saved: {len(edits)}, not searchable: {len(missing)}")
    for error in stats.errors[:10] + missing[:10]:
        print("  ", error)
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    failed = stats.errors or missing or lock_errors or tracebacks or check != "0"
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
