"""A long query through gunicorn itself (gunicorn.conf.py), not only Django's test client.

gunicorn answers a request line over its limit with its own bare 400 ("Request Line is
too large") before Django sees it; the configured limit must let a pasted query reach
the site, which cuts it and says so in the page.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

QUERY_BYTES = 10 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """gunicorn with the project's config, one worker, on a free loopback port, over a
    scratch data directory (SQLite, whatever the suite runs on) holding the seeds."""
    data = tmp_path_factory.mktemp("gunicorn-data")
    port = free_port()
    env = {**os.environ, "PARKNEWS_DATA_DIR": str(data), "BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "1"}
    env.pop("DATABASE_URL", None)
    for command in (["migrate", "--noinput"], ["ingest", str(ROOT / "seeds")]):
        subprocess.run([sys.executable, "manage.py", *command, "-v", "0"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
    log_path = Path(data) / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
             "parknews.wsgi"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(log_path.read_text()) from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def test_a_10_kb_query_gets_the_sites_page_not_gunicorns_error(server: str) -> None:
    q = ("国家高新区动力电池项目" * 400).encode()[:QUERY_BYTES].decode(errors="ignore")
    assert len(q.encode()) > QUERY_BYTES - 3
    url = f"{server}/search/?{urllib.parse.urlencode({'q': q})}"
    assert len(url) > 8190  # more than gunicorn's highest finite limit
    status, body = get(url)
    assert status == 200, body[:300]
    assert "Request Line is too large" not in body
    assert "全文搜索" in body or "搜索：" in body  # the site's own search page
    assert "查询太长" in body


def test_a_long_query_on_the_api_answers_json(server: str) -> None:
    q = "复工，疫情" * 700
    status, body = get(f"{server}/api/search/?{urllib.parse.urlencode({'q': q})}")
    assert status == 200 and body.startswith("{") and '"count"' in body
