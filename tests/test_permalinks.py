"""Public ids: permalinks that survive a revised page, an index rebuild and a database move."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from archive.models import Article, Page
from archive.permalinks import is_public_id
from tests.conftest import SEEDS, index_at

pytestmark = pytest.mark.django_db

SEED = SEEDS / "002_559b40d3858c5e08.txt"
MOVE = 100_000  # pk offset of the "other database"


def ingest(path: Path) -> None:
    call_command("ingest", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def ids_by_title(source: str) -> dict[str, str]:
    return dict(Article.objects.filter(page__source=source).values_list("title", "public_id"))


def test_every_article_has_a_well_formed_unique_public_id() -> None:
    ids = list(Article.objects.values_list("public_id", flat=True))
    assert ids and all(is_public_id(i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_the_old_address_redirects_to_the_permalink(client) -> None:
    article = Article.objects.public().first()
    response = client.get(f"/articles/{article.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"/articles/{article.public_id}/"
    assert client.get(response["Location"]).status_code == 200


def test_ids_survive_reingest_of_a_revised_page(page_dir: Path) -> None:
    page = page_dir / "rev.txt"
    text = SEED.read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    ingest(page)
    before = ids_by_title("rev.txt")
    assert len(before) > 1
    # A revision: a sentence added to the first paragraph that ends one.
    page.write_text(text.replace("。", "。此处为修订后补充的一句话。", 1), encoding="utf-8")
    ingest(page)
    assert Page.objects.get(source="rev.txt").raw_text != text
    assert "修订后补充" in "".join(
        Article.objects.filter(page__source="rev.txt").values_list("body", flat=True)
    )
    assert ids_by_title("rev.txt") == before


def test_the_same_file_gets_the_same_ids_in_a_fresh_archive(page_dir: Path) -> None:
    """Ids are derived from the page key and headline, so deleting and ingesting again
    (or ingesting into a new database) hands out the same ones."""
    page = page_dir / "again.txt"
    page.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    ingest(page)
    before = ids_by_title("again.txt")
    Page.objects.filter(source="again.txt").delete()
    ingest(page)
    assert ids_by_title("again.txt") == before


def test_ids_survive_an_index_rebuild(client, tmp_path: Path) -> None:
    before = dict(Article.objects.values_list("pk", "public_id"))
    with index_at(tmp_path / "index"):
        call_command("rebuild_index", interactive=False, verbosity=0)
        results = client.get("/api/search/", {"q": "高新区", "per_page": 50}).json()["results"]
    assert dict(Article.objects.values_list("pk", "public_id")) == before
    assert results
    for hit in results:
        assert hit["url"] == f"/articles/{before[hit['id']]}/"


def test_ids_survive_dumpdata_and_loaddata_into_other_pks(client, tmp_path: Path) -> None:
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "archive", output=str(dump), verbosity=0)
    before = {
        public_id: (title, source)
        for public_id, title, source in Article.objects.values_list(
            "public_id", "title", "page__source"
        )
    }
    rows = json.loads(dump.read_text(encoding="utf-8"))
    for row in rows:  # the other database numbers its articles differently
        if row["model"] == "archive.article":
            row["pk"] += MOVE
        elif row["model"] in ("archive.figure", "archive.correction"):
            row["fields"]["article"] += MOVE
    dump.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    Page.objects.all().delete()
    assert not Article.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)
    after = {
        public_id: (title, source)
        for public_id, title, source in Article.objects.values_list(
            "public_id", "title", "page__source"
        )
    }
    assert after == before
    assert min(Article.objects.values_list("pk", flat=True)) > MOVE
    article = Article.objects.public().exclude(title="").first()
    response = client.get(f"/articles/{article.public_id}/")
    assert response.status_code == 200 and article.title in response.content.decode()
