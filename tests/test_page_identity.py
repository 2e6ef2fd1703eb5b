"""A page's key is its path below the ingest root: the same file name in another issue
folder is another page, and a page never replaces another silently."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from archive.models import Article, Page
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db

FIRST, SECOND = sorted(SEEDS.glob("*.txt"))[1:3]


def ingest(*args: Path | str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def issues(tmp_path: Path) -> Path:
    """archive/issue1/page01.txt and archive/issue2/page01.txt: other pages, one name."""
    root = tmp_path / "archive"
    for folder, seed in (("issue1", FIRST), ("issue2", SECOND)):
        (root / folder).mkdir(parents=True)
        (root / folder / "page01.txt").write_text(seed.read_text("utf-8"), encoding="utf-8")
    return root


def titles(source: str) -> list[str]:
    articles = Article.objects.filter(page__source=source).order_by("ordinal")
    return list(articles.values_list("title", flat=True))


def seed_titles(seed: Path) -> list[str]:
    return titles(seed.name)


def test_two_issue_folders_with_the_same_file_names_keep_all_their_articles(
    issues: Path,
) -> None:
    out, _ = ingest(issues)
    assert "2 pages" in out and "0 updated" in out
    assert titles("issue1/page01.txt") == seed_titles(FIRST)
    assert titles("issue2/page01.txt") == seed_titles(SECOND)
    out, _ = ingest(issues)
    assert "2 pages (2 unchanged)" in out


def test_one_issue_at_a_time_under_the_same_root_keeps_both(issues: Path) -> None:
    ingest("--root", issues, issues / "issue1")
    first = set(Article.objects.filter(page__source="issue1/page01.txt").values_list("pk", "title"))
    out, _ = ingest("--root", issues, issues / "issue2")
    assert "0 updated" in out and "text differs" not in out
    assert set(
        Article.objects.filter(page__source="issue1/page01.txt").values_list("pk", "title")
    ) == first
    assert titles("issue2/page01.txt") == seed_titles(SECOND)


def test_a_changed_page_at_the_same_key_is_an_update_and_says_so(issues: Path) -> None:
    ingest(issues / "issue1")
    out, _ = ingest(issues / "issue2")
    assert "page01.txt: text differs from the page stored under this key; updated in place" in out
    assert titles("page01.txt") == seed_titles(SECOND)


def test_the_same_key_twice_in_one_run_is_refused_naming_the_file(issues: Path) -> None:
    out, err = ingest(issues / "issue1", issues / "issue2")
    assert err.strip() == (
        f"error: {issues / 'issue2' / 'page01.txt'}: same page key 'page01.txt' as "
        f"{issues / 'issue1' / 'page01.txt'}; skipped (give --root the folder that holds both)"
    )
    assert "1 pages" in out and "1 errors" in out
    assert titles("page01.txt") == seed_titles(FIRST)


def test_a_page_stored_under_its_bare_name_takes_its_folder_key(issues: Path) -> None:
    ingest(issues / "issue1" / "page01.txt")
    before = list(Article.objects.filter(page__source="page01.txt").values_list("pk", flat=True))
    ingest(issues)
    assert not Page.objects.filter(source="page01.txt").exists()
    after = Article.objects.filter(page__source="issue1/page01.txt").values_list("pk", flat=True)
    assert list(after) == before
    assert titles("issue2/page01.txt") == seed_titles(SECOND)


def test_the_export_source_ends_in_the_file_name(issues: Path, tmp_path: Path) -> None:
    ingest(issues)
    target = tmp_path / "export.json"
    call_command("export_archive", "-o", str(target), stdout=io.StringIO())
    sources = {a["source"] for a in json.loads(target.read_text("utf-8"))["articles"]}
    assert {"issue1/page01.txt", "issue2/page01.txt"} <= sources
    assert {s.rsplit("/", 1)[-1] for s in sources} >= {"page01.txt", FIRST.name}
