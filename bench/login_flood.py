"""Search latency while one address keeps failing logins (login throttling, issue 17).

    .venv/bin/python bench/login_flood.py [--seconds 20] [--attackers 8]

gunicorn (4 workers) on loopback over the seed pages in a scratch data directory. One
client searches for --seconds alone, then again while --attackers threads post wrong
passwords to /admin/login/ from the same address. Prints search p50/p95 both times, the
ratio (floor: within 2×) and how the login posts were answered (200: form shown again,
429: locked out). Without throttling every wrong password costs a password hash (~0.3 s
of CPU); once the address is locked out (after 20) a post costs almost nothing.

Two controls run in the same session, so the flood's ratio can be read against them: the
same attackers fetching /livez (the cheapest request the site answers: no session, no
database) and the same number of processes spinning on the CPU without any request. On
one machine the attackers' own CPU competes with the server's; when the login flood costs
no more than the /livez control, what is left is the attackers' share of the cores, not
the login path (--controls none skips them).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
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


def cheapest_requests(base: str, seconds: float) -> Counter:
    """Control: an attacker of the same shape fetching /livez instead of posting logins."""
    answers: Counter = Counter()
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        status, _ = fetch(f"{base}/livez")
        answers[status] += 1
    return answers


def spin(base: str, seconds: float) -> Counter:
    """Control: a process that only burns CPU (no request at all)."""
    rounds = 0
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        sum(range(10_000))
        rounds += 1
    return Counter({"cpu rounds": rounds})


def during(attacker: Callable[[str, float], Counter], base: str, attackers: int,
           seconds: float) -> tuple[tuple[float, float], Counter]:
    """Search p50/p95 while `attackers` processes run `attacker`, and what they counted."""
    with multiprocessing.Pool(attackers) as pool:
        running = pool.starmap_async(attacker, [(base, seconds + 1)] * attackers)
        time.sleep(0.5)
        latencies = summary(search_latencies(base, seconds))
        return latencies, sum(running.get(), Counter())


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--controls", choices=["all", "none"], default="all")
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
        flooded, answers = during(attack, server.base, args.attackers, args.seconds)
        rows = [("search alone", alone, ""),
                ("during the login flood", flooded, "floor ≤ 2×")]
        if args.controls == "all":
            rows += [("control: /livez flood", during(cheapest_requests, server.base,
                                                      args.attackers, args.seconds)[0], ""),
                     ("control: CPU spin only", during(spin, server.base, args.attackers,
                                                       args.seconds)[0], "")]
        load = os.getloadavg()
        print(f"{args.attackers} attackers, one address; load average "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")
        for label, (p50, p95), floor in rows:
            ratio = f"{p50 / alone[0]:.2f}× p50" if label != "search alone" else ""
            print(f"{label:<24} p50 {p50:5.0f} ms  p95 {p95:5.0f} ms  {ratio} {floor}".rstrip())
        print(f"login posts answered: {dict(sorted(answers.items()))} "
              "(200: form shown again, 429: locked out)")
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
