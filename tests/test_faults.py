"""Faults: an ingest killed mid-run, a stale lock, a lost or corrupt index, a database
that does not answer. Each runs the real commands in subprocesses on a scratch data dir."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.faults

PROBE = """
import django, sys
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
for url in sys.argv[1:]:
    response = client.get(url)
    print(url, response.status_code, response.content.decode()[:3000].replace("\\n", " "))
"""


class Site:
    """manage.py and the test client against one scratch data directory."""

    def __init__(self, data_dir: Path) -> None:
        # Its own SQLite file, even in a run against PostgreSQL: these tests wreck things.
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env["PARKNEWS_DATA_DIR"] = str(data_dir)
        self.data_dir = data_dir

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, check=check)

    def get(self, *urls: str) -> dict[str, tuple[int, str]]:
        run = subprocess.run([sys.executable, "-c", PROBE, *urls], cwd=ROOT, check=True,
                             env={**self.env, "DJANGO_SETTINGS_MODULE": "parknews.settings"},
                             capture_output=True, text=True)
        out = {}
        for line in run.stdout.splitlines():
            url, status, body = line.split(" ", 2)
            out[url] = (int(status), body)
        return out


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site(tmp_path / "data")
    site.manage("migrate", "-v0")
    return site


def stored_pages(site: Site) -> int:
    """Pages committed so far, read straight from the SQLite file while ingest runs."""
    path = site.data_dir / "parknews.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM archive_page").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def pages_copies(directory: Path, copies: int) -> Path:
    directory.mkdir()
    for n in range(copies):
        for seed in SEEDS.glob("*.txt"):
            shutil.copy(seed, directory / f"{n:02d}_{seed.name}")
    return directory


CONSISTENCY = """
import django
django.setup()
from archive.ingest.parks import ParkLinker
from archive.ingest.pipeline import process_page
from archive.ingest.store import registry_entries
from archive.models import Page
linker = ParkLinker(registry_entries())
half = [p.source for p in Page.objects.all()
        if p.articles.count() != len(process_page(p.raw_text, linker))]
print(Page.objects.count(), len(half))
"""


def test_an_ingest_killed_mid_run_leaves_no_half_page_and_a_rerun_agrees(
    site: Site, tmp_path: Path
) -> None:
    pages = pages_copies(tmp_path / "pages", 8)
    process = subprocess.Popen([sys.executable, "manage.py", "ingest", str(pages)], cwd=ROOT,
                               env=site.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while stored_pages(site) < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    run = subprocess.run([sys.executable, "-c", CONSISTENCY], cwd=ROOT, check=True,
                         env={**site.env, "DJANGO_SETTINGS_MODULE": "parknews.settings"},
                         capture_output=True, text=True)
    stored, half = map(int, run.stdout.split())
    assert 5 <= stored < 40, "the kill should land mid-run"
    assert half == 0

    site.manage("ingest", str(pages))
    assert "0 missing, 0 orphaned, 0 stale" in site.manage("check_index").stdout
    run = subprocess.run([sys.executable, "-c", CONSISTENCY], cwd=ROOT, check=True,
                         env={**site.env, "DJANGO_SETTINGS_MODULE": "parknews.settings"},
                         capture_output=True, text=True)
    assert run.stdout.split() == ["40", "0"]


HOLD_LOCK = """
import django, sys, time
django.setup()
from archive.search.backend import get_backend
from archive.search.locking import index_write_lock
backend = get_backend()
backend.setup()
with index_write_lock(backend.path, 5):
    writer = backend.index.writer()  # Whoosh's own write lock too
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_lock_left_by_a_killed_writer_does_not_block_the_next(
    site: Site, tmp_path: Path
) -> None:
    site.manage("ingest", str(SEEDS))
    env = {**site.env, "DJANGO_SETTINGS_MODULE": "parknews.settings"}
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    started = time.monotonic()
    changed = pages_copies(tmp_path / "more", 1)
    out = site.manage("ingest", str(changed)).stdout
    assert "0 errors" in out and time.monotonic() - started < 60
    assert "0 missing, 0 orphaned, 0 stale, 0 queued" in site.manage("check_index").stdout


@pytest.mark.parametrize("damage", ["deleted", "corrupted"])
def test_a_lost_or_corrupt_index_keeps_pages_up_and_rebuild_restores_it(
    site: Site, damage: str
) -> None:
    site.manage("ingest", str(SEEDS))
    index_dir = site.data_dir / "whoosh_index"
    if damage == "deleted":
        shutil.rmtree(index_dir)
    else:
        for path in index_dir.iterdir():
            if path.is_file():
                path.write_bytes(b"\x00garbage" * 64)
    got = site.get("/", "/parks/", "/figures/", "/healthz", "/search/?q=高新区")
    for url in ("/", "/parks/", "/figures/"):
        assert got[url][0] == 200, (url, got[url])
    assert got["/healthz"][0] == 503 and "search index" in got["/healthz"][1]
    assert got["/search/?q=高新区"][0] in (200, 503)
    assert "Traceback" not in got["/search/?q=高新区"][1]

    site.manage("rebuild_index", "--noinput")
    got = site.get("/healthz", "/api/search/?q=高新区")
    assert got["/healthz"][0] == 200
    assert '"count": 3' in got["/api/search/?q=高新区"][1] or got["/api/search/?q=高新区"][0] == 200
    assert "0 missing, 0 orphaned, 0 stale" in site.manage("check_index").stdout


def test_a_database_that_refuses_connections_gives_a_503_page(tmp_path: Path) -> None:
    site = Site(tmp_path / "data")
    with_socket = subprocess.run([sys.executable, "-c", (
        "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
    )], capture_output=True, text=True, check=True)
    closed_port = with_socket.stdout.strip()  # bound then released: nothing listens there
    site.env["DATABASE_URL"] = f"postgres://nobody@127.0.0.1:{closed_port}/parknews"
    got = site.get("/", "/parks/")
    for url in ("/", "/parks/"):
        status, body = got[url]
        assert status == 503, (url, body)
        assert "数据库暂时无法连接" in body and "Traceback" not in body


# --- ingest failures: one line, exit status 1, nothing stored changed -------------------


@contextmanager
def read_only(*paths: Path):
    """Make files and directories unwritable even for root (chattr +i), else by mode."""
    as_root = os.geteuid() == 0
    if as_root and shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    modes = {p: p.stat().st_mode for p in paths}
    for path in paths:
        if as_root:
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
            if done.returncode != 0:
                pytest.skip(f"chattr +i refused here: {done.stderr.strip()}")
        else:
            path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        for path in paths:
            if as_root:
                subprocess.run(["chattr", "-i", str(path)], check=True)
            else:
                path.chmod(modes[path])


def database_rows(site: Site) -> list[tuple]:
    with sqlite3.connect(f"file:{site.data_dir / 'parknews.sqlite3'}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT (SELECT COUNT(*) FROM archive_page), (SELECT COUNT(*) FROM archive_article),"
            " (SELECT COUNT(*) FROM archive_figure),"
            " (SELECT group_concat(source || content_hash) FROM archive_page)"
        ).fetchall()


def new_pages(tmp_path: Path) -> Path:
    """Two seed pages under names the site has not stored."""
    directory = tmp_path / "new"
    directory.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, directory / f"new_{seed.name}")
    return directory


def test_a_read_only_database_stops_ingest_with_one_line(site: Site, tmp_path: Path) -> None:
    site.manage("ingest", str(SEEDS))
    database = site.data_dir / "parknews.sqlite3"
    before, stored = database.read_bytes(), database_rows(site)
    pages = new_pages(tmp_path)
    with read_only(database, site.data_dir):
        run = site.manage("ingest", str(pages), check=False)
    first = sorted(pages.glob("*.txt"))[0]
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"CommandError: {first}: database refused the write: attempt to write a readonly "
        "database; ingest stopped, 2 pages not stored; 0 pages (0 unchanged), articles "
        + run.stderr.split("articles ", 1)[1].strip()
    ]
    assert "Traceback" not in run.stderr
    assert database.read_bytes() == before and database_rows(site) == stored


FULL_DATABASE = """
import sys
import django
from django.core.management import execute_from_command_line
from django.db.backends.signals import connection_created

def no_new_pages(sender, connection, **kwargs):
    # SQLite's own limit: any write that needs another page fails with SQLITE_FULL.
    pages = connection.connection.execute("PRAGMA page_count").fetchone()[0]
    connection.connection.execute(f"PRAGMA max_page_count = {pages}")

connection_created.connect(no_new_pages)
execute_from_command_line(["manage.py", *sys.argv[1:]])
"""


def test_a_full_database_stops_ingest_with_one_line(site: Site, tmp_path: Path) -> None:
    site.manage("ingest", str(SEEDS))
    stored = database_rows(site)
    pages = new_pages(tmp_path)
    run = subprocess.run(
        [sys.executable, "-c", FULL_DATABASE, "ingest", str(pages)], cwd=ROOT,
        env={**site.env, "DJANGO_SETTINGS_MODULE": "parknews.settings"},
        capture_output=True, text=True,
    )
    first = sorted(pages.glob("*.txt"))[0]
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert lines[0].startswith(
        f"CommandError: {first}: database refused the write: database or disk is full; "
        "ingest stopped, 2 pages not stored;"
    )
    assert database_rows(site) == stored


def test_an_unwritable_index_is_an_error_not_0_errors(site: Site, tmp_path: Path) -> None:
    site.manage("ingest", str(SEEDS))
    index_dir = site.data_dir / "whoosh_index"
    files_before = sorted((p.name, p.stat().st_size) for p in index_dir.iterdir())
    pages = new_pages(tmp_path)
    with read_only(index_dir):
        run = site.manage("ingest", str(pages), check=False)
        assert sorted((p.name, p.stat().st_size) for p in index_dir.iterdir()) == files_before
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert lines[0].startswith("CommandError: search index not updated (")
    assert "articles stay queued, run `manage.py check_index --repair`" in lines[0]
    assert "2 pages (0 unchanged)" in lines[0] and "0 errors" not in lines[0]
    # The pages are stored and wait in the queue: nothing is lost.
    queued = int(lines[0].split("): ")[1].split(" articles")[0])
    assert queued > 0
    repair = site.manage("check_index", "--repair")
    assert repair.returncode == 0
    assert "0 missing, 0 orphaned, 0 stale" in site.manage("check_index").stdout
