"""Two ingests of the same new page at once on PostgreSQL: the second waits for the first
and then skips the page (or stores it, if the first gave up), never an IntegrityError.

The "first ingest" is this test's own transaction, holding an uncommitted row for the
page, so the second one's INSERT is sure to meet it: PostgreSQL makes that INSERT wait
on the unique key until the first commits or rolls back. Runs only against PostgreSQL
(`DATABASE_URL=postgres://…`, as `bin/test` does in its second run), on a database of its
own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.ingest.pipeline import PIPELINE_VERSION
from archive.ingest.read import read_page
from tests.conftest import ROOT, SEEDS
from tests.own_database import POSTGRES_SCHEMES, database_of_its_own

URL = os.environ.get("DATABASE_URL", "")
if not URL.startswith(POSTGRES_SCHEMES):
    pytest.skip("needs DATABASE_URL=postgres://… (concurrent writes)", allow_module_level=True)

psycopg = pytest.importorskip("psycopg")
SEED = sorted(SEEDS.glob("*.txt"))[0]


@pytest.fixture
def database(tmp_path: Path):
    """A scratch database on the same server, migrated; its URL and the environment."""
    env = {**os.environ, "PARKNEWS_DATA_DIR": str(tmp_path / "data")}
    with database_of_its_own(env, "race") as env:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                       check=True)
        yield env["DATABASE_URL"], env


def hold_page_row(url: str, page: Path, key: str):
    """An open transaction that has inserted the page's row, as a first ingest would."""
    raw = read_page(page, 10**7, key)
    held = psycopg.connect(url)
    held.execute(
        "INSERT INTO archive_page (source, content_hash, pipeline_version, raw_text, encoding,"
        " issue_date_estimated, date_source, page_label, ingested_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, false, '', '', now(), now())",
        (raw.source, raw.content_hash, PIPELINE_VERSION, raw.text, raw.encoding),
    )
    return held


def wait_until_blocked(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    with psycopg.connect(url, autocommit=True) as probe:
        while time.monotonic() < deadline:
            row = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE 'INSERT INTO \"archive_page\"%%'"
            ).fetchone()
            if row[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second ingest never reached the page INSERT")


@pytest.mark.parametrize("first", ["commits", "rolls back"])
def test_a_concurrent_ingest_of_the_same_page_waits_then_skips_or_stores(
    database, tmp_path: Path, first: str
) -> None:
    url, env = database
    pages = tmp_path / "pages"
    pages.mkdir()
    page = pages / SEED.name
    page.write_text(SEED.read_text("utf-8"), encoding="utf-8")
    held = hold_page_row(url, page, SEED.name)
    second = subprocess.Popen(
        [sys.executable, "manage.py", "ingest", str(pages)], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_until_blocked(url)
        if first == "commits":
            held.commit()
        else:
            held.rollback()
    finally:
        held.close()
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "IntegrityError" not in err and "Traceback" not in err
    with psycopg.connect(url) as check:
        pages_stored = check.execute("SELECT count(*) FROM archive_page").fetchone()[0]
        articles = check.execute("SELECT count(*) FROM archive_article").fetchone()[0]
    assert pages_stored == 1
    if first == "commits":
        assert "1 pages (1 unchanged)" in out
        assert articles == 0  # the first ingest's page stands as it committed it
    else:
        assert "1 pages (0 unchanged)" in out and articles > 0
