"""/healthz (the database and the index answer), /livez (pages work) and /readyz (the
index is up to date): lag reported at once with its true age, damage seen by a running
process, and no paths or error texts for anonymous callers."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from archive.models import Article, IndexTask
from archive.search import writer
from archive.search.backend import SearchUnavailable, get_backend
from tests.conftest import ROOT, index_at

pytestmark = pytest.mark.django_db

SECRET = "/srv/parknews/var/whoosh_index/_MAIN_7.toc: unpickling error"


@pytest.fixture
def own_index(tmp_path: Path):
    """A complete index of the session's articles in a directory of the test's own."""
    with index_at(tmp_path / "index") as path:
        call_command("rebuild_index", interactive=False, verbosity=0, stdout=io.StringIO())
        yield path


def text(response) -> str:
    return response.content.decode()


def test_all_three_say_ok_when_everything_answers(client, own_index) -> None:
    for url in ("/healthz", "/livez", "/readyz"):
        response = client.get(url)
        assert (response.status_code, text(response)) == (200, "ok"), url


def test_lag_is_reported_at_once_with_the_age_of_the_oldest_article(client, own_index) -> None:
    first, second = Article.objects.public().order_by("pk")[:2]
    writer.record_pending([first.pk])
    response = client.get("/healthz")
    assert response.status_code == 200
    assert text(response) == "ok; search index: 1 articles waiting to be indexed for 0 s"
    # Ten minutes later, still waiting (writes failing): the index answers, the site works,
    # but it is not ready.
    IndexTask.objects.update(created_at=timezone.now() - dt.timedelta(minutes=10))
    writer.record_pending([second.pk])  # another one queued: the oldest keeps its age
    lag = "search index: 2 articles waiting to be indexed for 10 min"
    health = client.get("/healthz")
    assert (health.status_code, text(health)) == (200, f"ok; {lag}")
    assert (client.get("/livez").status_code, text(client.get("/livez"))) == (200, "ok")
    ready = client.get("/readyz")
    assert (ready.status_code, text(ready)) == (503, lag)
    writer.drain(wait=5, strict=True)
    assert not IndexTask.objects.exists()
    assert text(client.get("/readyz")) == "ok"


def test_a_damaged_table_of_contents_is_seen_by_a_process_already_serving(
    client, own_index
) -> None:
    assert client.get("/healthz").status_code == 200  # this process now holds a searcher
    for toc in own_index.glob("*.toc"):
        toc.write_bytes(b"\x00garbage" * 64)
    for url in ("/healthz", "/readyz"):
        response = client.get(url)
        assert (response.status_code, text(response)) == (503, "search index: not answering")
    assert client.get("/livez").status_code == 200  # pages other than search still work


def test_anonymous_callers_get_no_paths_or_error_texts(
    client, admin_client, monkeypatch, caplog
) -> None:
    def fail(fn):
        raise SearchUnavailable(SECRET)

    monkeypatch.setattr(get_backend(), "read", fail)
    anonymous = client.get("/healthz")
    assert (anonymous.status_code, text(anonymous)) == (503, "search index: not answering")
    assert "/srv" not in text(client.get("/readyz"))
    staff = admin_client.get("/healthz")
    assert staff.status_code == 503 and text(staff) == f"search index: {SECRET}"
    assert any(SECRET in r.getMessage() for r in caplog.records if r.name == "archive.views")


BOOM = """
import django
django.setup()
from django.test import Client
import archive.views

def boom():
    raise RuntimeError("disk on fire")

archive.views.database_problem = boom
response = Client(raise_request_exception=False).get("/healthz", HTTP_X_REQUEST_ID="probe-1234")
print(response.status_code, response["X-Request-ID"])
response = Client(raise_request_exception=False).get("/livez")
print(response.status_code, response["X-Request-ID"])
"""


def test_every_5xx_is_logged_to_stderr_with_its_request_id(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PARKNEWS_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="parknews.settings")
    run = subprocess.run([sys.executable, "-c", BOOM], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    (given, given_id), (fresh, fresh_id) = (line.split() for line in run.stdout.splitlines())
    assert (given, given_id, fresh) == ("500", "probe-1234", "500")
    assert len(fresh_id) == 32
    for request_id, path in ((given_id, "/healthz"), (fresh_id, "/livez")):
        line = next(x for x in run.stderr.splitlines() if f"[{request_id}]" in x)
        assert f"ERROR [{request_id}] django.request: Internal Server Error: {path}" in line
    assert "RuntimeError: disk on fire" in run.stderr  # the traceback, in the log only
