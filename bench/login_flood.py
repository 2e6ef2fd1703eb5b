"""Search latency while one address keeps failing logins (login throttling, issue 17).

    .venv/bin/python bench/login_flood.py [--seconds 20] [--attackers 8]

gunicorn (4 workers) on loopback over the seed pages in a scratch data directory. One
client searches for --seconds alone, then again while --attackers threads post wrong
passwords to /admin/login/ from the same address. Prints search p50/p95 both times, the
ratio (floor: within 2×) and how the login posts were answered (200: form shown again,
429: locked out). Without throttling every wrong password costs a password hash (~0.3 s
of CPU); once the address is locked out (after 20) a post costs almost nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import QUERIES, ROOT, Server, fetch  # after the path tweak


def search_latencies(base: str, seconds: float) -> list[float]:
    times = []
    stop_at = time.monotonic() + seconds
    n = 0
    while time.monotonic() < stop_at:
        q = urllib.parse.quote(QUERIES[n % len(QUERIES)])
        started = time.perf_counter()
        status, _ = fetch(f"{base}/search/?q={q}")
        times.append(time.perf_counter() - started)
        assert status == 200, status
        n += 1
    return times


def attack(base: str, stop_at: float, answers: Counter, lock: threading.Lock) -> None:
    import http.cookiejar
    import urllib.request

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    _, html = fetch(f"{base}/admin/login/", opener)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
    body = urllib.parse.urlencode({"username": "loadtest", "password": "wrong",
                                   "csrfmiddlewaretoken": token, "next": "/admin/"}).encode()
    while time.monotonic() < stop_at:
        status, _ = fetch(f"{base}/admin/login/", opener, body)
        with lock:
            answers[status] += 1


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--attackers", type=int, default=8)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="parknews-flood-"))
    (scratch / "data").mkdir()
    server = Server(scratch / "data", 4)
    try:
        server.manage("migrate", "-v0")
        server.manage("collectstatic", "--noinput", "-v0")
        server.manage("ingest", str(ROOT / "seeds"))
        server.manage("shell", "-c", "from django.contrib.auth.models import User; "
                      "User.objects.create_superuser('loadtest', '', 'loadtest-pw')")
        server.start()
        search_latencies(server.base, 2)  # warm the workers
        alone = summary(search_latencies(server.base, args.seconds))
        answers: Counter = Counter()
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds + 1
        threads = [threading.Thread(target=attack, args=(server.base, stop_at, answers, lock))
                   for _ in range(args.attackers)]
        for thread in threads:
            thread.start()
        flooded = summary(search_latencies(server.base, args.seconds))
        for thread in threads:
            thread.join()
        print(f"search alone:          p50 {alone[0]:.0f} ms, p95 {alone[1]:.0f} ms")
        print(f"search during flood:   p50 {flooded[0]:.0f} ms, p95 {flooded[1]:.0f} ms "
              f"({flooded[0] / alone[0]:.2f}× p50; floor ≤ 2×)")
        print(f"login posts answered:  {dict(sorted(answers.items()))} "
              f"({args.attackers} attackers, one address)")
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
