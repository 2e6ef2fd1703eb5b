"""The site under gunicorn (as in production) and Debian's chromium, for browser tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS
from tests.own_database import database_of_its_own

ADMIN_USER, ADMIN_PASSWORD = "browser-admin", "browser-admin-pw"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PREPARE = """
import sys
import django
from django.core.management import call_command
django.setup()
call_command("migrate", interactive=False, verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
call_command("ingest", sys.argv[1], verbosity=0)
from django.contrib.auth.models import User
User.objects.create_superuser(sys.argv[2], "", sys.argv[3])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


@pytest.fixture(scope="session")
def site_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    """The environment of the site's processes: a fresh data directory and a database no
    other test writes to (see tests/own_database.py)."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = {
        **os.environ,
        "PARKNEWS_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "parknews.settings",
        "DEBUG": "False",
        # Hashed static names and whitenoise from STATIC_ROOT, as bin/serve runs it.
        "PARKNEWS_STATIC_MANIFEST": "True",
    }
    with database_of_its_own(env, "browser") as env:
        yield env


@pytest.fixture(scope="session")
def site(site_env: dict[str, str]) -> Iterator[str]:
    """gunicorn serving the site's data directory with the seeds ingested; yields its URL."""
    env = site_env
    data_dir = Path(env["PARKNEWS_DATA_DIR"])
    # One process for the three commands: each Django start loads jieba's dictionary.
    prepare = [sys.executable, "-c", PREPARE, str(SEEDS), ADMIN_USER, ADMIN_PASSWORD]
    subprocess.run(prepare, cwd=ROOT, env=env, check=True)
    port = free_port()
    log = (data_dir / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "parknews.wsgi"],
        cwd=ROOT,
        env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/", process)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (bin/test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


