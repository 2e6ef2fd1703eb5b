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

That is what the shared placement measures. The split placement stands in for attackers
on other machines: gunicorn and the searching client run on CPU 0, the attackers on the
other CPUs, so what the flood still costs the search is the server's work answering it.
The proxy placement is split with nginx in front of gunicorn, configured by
docs/nginx-login-limit.conf: every client goes through it, and it refuses an address's
login requests beyond its rate before they reach Python (needs nginx). It stands in for a
proxy host of its own: nginx runs on the attackers' CPUs but ahead of them (nice -10), so
neither the server's CPU nor the attackers' own client work slows it. The default,
--placement all, runs the three in turn: split and proxy only on 2 CPUs or more, proxy
only where nginx is installed (each left out with a line saying why).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import QUERIES, ROOT, Server, answers, fetch, free_port, pin_to  # after the path tweak


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
           seconds: float, cpus: set[int] | None = None) -> tuple[tuple[float, float], Counter]:
    """Search p50/p95 while `attackers` processes (on `cpus`, if given) run `attacker`,
    and what they counted."""
    with multiprocessing.Pool(attackers, initializer=pin_to, initargs=(cpus,)) as pool:
        running = pool.starmap_async(attacker, [(base, seconds + 1)] * attackers)
        time.sleep(0.5)
        latencies = summary(search_latencies(base, seconds))
        return latencies, sum(running.get(), Counter())


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def nginx() -> str | None:
    """nginx's path (Debian installs it in /usr/sbin, often not on a user's PATH)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


class Proxy:
    """nginx from docs/nginx-login-limit.conf, in front of `upstream`, on `cpus`."""

    CONF = ROOT / "docs" / "nginx-login-limit.conf"

    def __init__(self, scratch: Path, upstream: str, cpus: set[int] | None) -> None:
        self.prefix = scratch / "nginx"
        self.prefix.mkdir()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        conf = (self.CONF.read_text(encoding="utf-8").replace("@PREFIX@", str(self.prefix))
                .replace("@LISTEN@", f"127.0.0.1:{self.port}").replace("@UPSTREAM@", upstream))
        (self.prefix / "nginx.conf").write_text(conf, encoding="utf-8")
        self.process = subprocess.Popen(
            [nginx() or "nginx", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=lambda: self._place(cpus))
        deadline = time.monotonic() + 20
        while not answers(f"{self.base}/livez"):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"nginx did not answer; see {self.prefix}/error.log")
            time.sleep(0.2)

    @staticmethod
    def _place(cpus: set[int] | None) -> None:
        """On the attackers' CPUs, ahead of them (nice -10): a proxy host of its own
        answers its clients first, whatever else they run."""
        pin_to(cpus)
        os.nice(-10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


PLACEMENTS = ("shared", "split", "proxy")


def cpus_of(placement: str) -> tuple[set[int] | None, set[int] | None]:
    """Where each side runs: (gunicorn and the searching client, the attackers); None:
    anywhere. Split and proxy both keep the server on CPU 0 and the attackers off it."""
    if placement == "shared":
        return None, None
    return {0}, set(range(1, os.cpu_count() or 1))


def session(placement: str, attackers: int, seconds: float, controls: bool) -> None:
    """Start a server over the seeds, measure search alone, during the flood and during
    the controls, and print the table for this placement."""
    server_cpus, attacker_cpus = cpus_of(placement)
    scratch = Path(tempfile.mkdtemp(prefix="parknews-flood-"))
    (scratch / "data").mkdir()
    server = Server(scratch / "data", 4, server_cpus)
    own_cpus = os.sched_getaffinity(0)
    proxy: Proxy | None = None
    try:
        server.manage("migrate", "-v0")
        server.manage("collectstatic", "--noinput", "-v0")
        server.manage("ingest", str(ROOT / "seeds"))
        server.manage("shell", "-c", "from django.contrib.auth.models import User; "
                      "User.objects.create_superuser('loadtest', '', 'loadtest-pw')")
        server.start()
        base = server.base
        if placement == "proxy":
            proxy = Proxy(scratch, f"127.0.0.1:{server.port}", attacker_cpus)
            base = proxy.base
        pin_to(server_cpus)  # the searching client beside the server
        search_latencies(base, 2)  # warm the workers
        alone = summary(search_latencies(base, seconds))
        flooded, answers = during(attack, base, attackers, seconds, attacker_cpus)
        rows = [("search alone", alone, ""),
                ("during the login flood", flooded, "floor ≤ 2×")]
        if controls:
            rows += [("control: /livez flood", during(cheapest_requests, base,
                                                      attackers, seconds, attacker_cpus)[0], ""),
                     ("control: CPU spin only", during(spin, base, attackers,
                                                       seconds, attacker_cpus)[0], "")]
        load = os.getloadavg()
        where = ("server and searcher on any CPU, attackers too" if not server_cpus else
                 f"server and searcher on CPU {sorted(server_cpus)}, attackers on CPU "
                 f"{sorted(attacker_cpus or ())}")
        if proxy:
            where += (f", through nginx (docs/nginx-login-limit.conf) on CPU "
                      f"{sorted(attacker_cpus or ())} at nice -10")
        print(f"{placement}: {attackers} attackers, one address; {where}; load average "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")
        for label, (p50, p95), floor in rows:
            ratio = (f"{p50 / alone[0]:.2f}× p50, {p95 / alone[1]:.2f}× p95"
                     if label != "search alone" else "")
            print(f"  {label:<24} p50 {p50:5.0f} ms  p95 {p95:5.0f} ms  {ratio} {floor}".rstrip())
        print(f"  login posts answered: {dict(sorted(answers.items()))} "
              "(200: form shown again, 429: locked out)")
    finally:
        os.sched_setaffinity(0, own_cpus)
        if proxy:
            proxy.stop()
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--controls", choices=["all", "none"], default="all")
    parser.add_argument("--placement", choices=["all", *PLACEMENTS], default="all")
    args = parser.parse_args()
    placements = list(PLACEMENTS) if args.placement == "all" else [args.placement]
    why_not = {}
    if (os.cpu_count() or 1) < 2:
        why_not |= {"split": "needs 2 CPUs or more", "proxy": "needs 2 CPUs or more"}
    if not nginx():
        why_not.setdefault("proxy", "needs nginx (apt-get install nginx-light)")
    for placement in [p for p in placements if p in why_not]:
        if args.placement != "all":
            parser.error(f"--placement {placement} {why_not[placement]}")
        print(f"{placement}: left out, {why_not[placement]}")
        placements.remove(placement)
    for placement in placements:
        session(placement, args.attackers, args.seconds, args.controls == "all")


if __name__ == "__main__":
    main()
