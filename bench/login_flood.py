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
import multiprocessing
import re
import shutil
import statistics
import sys
import tempfile
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


def attack(base: str, seconds: float) -> Counter:
    """One attacker, in a process of its own (threads would share the searching client's
    GIL and slow it down themselves)."""
    import http.cookiejar
    import urllib.request

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    _, html = fetch(f"{base}/admin/login/", opener)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
    body = urllib.parse.urlencode({"username": "loadtest", "password": "wrong",
                                   "csrfmiddlewaretoken": token, "next": "/admin/"}).encode()
    answers: Counter = Counter()
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        status, _ = fetch(f"{base}/admin/login/", opener, body)
        answers[status] += 1
    return answers


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
        with multiprocessing.Pool(args.attackers) as pool:
            running = pool.starmap_async(
                attack, [(server.base, args.seconds + 1)] * args.attackers
            )
            time.sleep(0.5)
            flooded = summary(search_latencies(server.base, args.seconds))
            answers = sum(running.get(), Counter())
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
