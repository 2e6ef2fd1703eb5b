"""`manage.py ingest`: storing pages, idempotency, updates in place and bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.models import Article, Figure, Page, Park
from tests.conftest import SEEDS, index_at

pytestmark = pytest.mark.django_db(transaction=False)

SEED = SEEDS / "002_559b40d3858c5e08.txt"


def ingest(*paths: Path | str, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *[str(p) for p in paths], stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def snapshot() -> list[tuple]:
    return list(Article.objects.order_by("pk").values_list("pk", "title", "body", "updated_at"))


def test_it_stored_every_seed_page() -> None:
    assert Page.objects.count() == len(list(SEEDS.glob("*.txt")))
    assert Article.objects.count() >= 30
    assert Figure.objects.count() >= 100
    page = Page.objects.get(source=SEED.name)
    assert page.raw_text == SEED.read_text(encoding="utf-8")


def test_it_changes_nothing_when_the_same_pages_come_again() -> None:
    before = snapshot()
    out, _ = ingest(SEEDS)
    assert "0 new / 0 updated" in out
    assert snapshot() == before


def test_it_updates_a_changed_page_in_place(page_dir: Path) -> None:
    page = page_dir / SEED.name
    page.write_text(SEED.read_text(encoding="utf-8").replace("复工率达96%", "复工率达97%"))
    ids = list(Article.objects.filter(page__source=SEED.name).values_list("pk", flat=True))
    out, _ = ingest(page)
    assert "1 updated" in out
    articles = Article.objects.filter(page__source=SEED.name)
    assert sorted(articles.values_list("pk", flat=True)) == sorted(ids)
    assert articles.filter(body__contains="复工率达97%").count() == 1
    assert not Figure.objects.filter(article__page__source=SEED.name, value=96, unit="%").exists()
    assert Figure.objects.filter(article__page__source=SEED.name, value=97, unit="%").exists()


def test_it_reads_a_gb18030_page_like_its_utf8_original(page_dir: Path) -> None:
    page = page_dir / "gb_page.txt"
    page.write_bytes(SEED.read_text(encoding="utf-8").encode("gb18030"))
    ingest(page)
    titles = Article.objects.filter(page__source="gb_page.txt").values_list("title", flat=True)
    originals = Article.objects.filter(page__source=SEED.name).values_list("title", flat=True)
    assert list(titles) == list(originals)
    assert Page.objects.get(source="gb_page.txt").encoding == "gb18030"


def test_it_creates_an_unregistered_zone_flagged_for_review(page_dir: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace("德阳高新区", "青川高新区")
    (page_dir / "unknown_zone.txt").write_text(text)
    ingest(page_dir)
    park = Park.objects.get(name="青川高新区")
    assert not park.in_registry and park.needs_review
    assert Article.objects.filter(page__source="unknown_zone.txt", park=park).exists()


BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "binary.txt": (bytes(range(256)) * 40, "binary file"),
    "latin1.txt": ("Caf\xe9 au lait, r\xe9sum\xe9 ".encode("latin-1") * 10, "undecodable bytes"),
    "mixed.txt": ("高新区新闻".encode() + "高新区".encode("gbk"), "mixed encodings"),
    "blank.txt": (b"  \n\n \n", "only whitespace"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_it_refuses_a_bad_file_naming_it_and_keeps_what_is_stored(
    name: str, page_dir: Path
) -> None:
    content, reason = BAD_FILES[name]
    path = page_dir / name
    path.write_bytes(content)
    before = snapshot()
    err = _failing_ingest(path)
    assert snapshot() == before
    assert err.startswith(f"error: {path}: ") and reason in err
    assert len(err.strip().splitlines()) == 1


def _failing_ingest(path: Path) -> str:
    """Stderr of an ingest that must fail because nothing could be ingested."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing ingested"):
        call_command("ingest", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def test_it_refuses_a_file_over_the_size_limit(page_dir: Path, settings) -> None:
    settings.INGEST_MAX_BYTES = 1000
    path = page_dir / "big.txt"
    path.write_text(SEED.read_text(encoding="utf-8"))
    err = _failing_ingest(path)
    assert f"{path}: file too large" in err
    assert not Page.objects.filter(source="big.txt").exists()


def test_it_reports_a_missing_path_and_a_directory_without_pages(page_dir: Path) -> None:
    err = _failing_ingest(page_dir / "nope.txt")
    assert f"{page_dir / 'nope.txt'}: no such file or directory" in err
    err = _failing_ingest(page_dir)
    assert f"{page_dir}: no *.txt page files in directory" in err


def test_it_ingests_the_good_files_and_reports_the_bad_ones(page_dir: Path) -> None:
    (page_dir / "a_empty.txt").write_bytes(b"")
    (page_dir / "b_good.txt").write_text(SEED.read_text(encoding="utf-8"))
    out, err = ingest(page_dir)
    assert "a_empty.txt: empty file" in err
    assert "1 pages" in out and "1 errors" in out
    assert Page.objects.filter(source="b_good.txt").exists()


def test_it_skips_a_symlink_to_outside_the_directory(page_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(SEED.read_text(encoding="utf-8"))
    (page_dir / "link.txt").symlink_to(outside)
    err = _failing_ingest(page_dir)
    assert "link.txt: symlink to outside" in err
    assert not Page.objects.filter(source="link.txt").exists()


def test_it_stores_nothing_on_a_dry_run(page_dir: Path) -> None:
    (page_dir / "dry.txt").write_text(SEED.read_text(encoding="utf-8"))
    out, _ = ingest(page_dir, dry_run=True)
    assert out.startswith("dry run:")
    assert not Page.objects.filter(source="dry.txt").exists()


def test_it_takes_the_issue_date_from_the_option_or_a_sidecar(page_dir: Path) -> None:
    (page_dir / "dated.txt").write_text(SEED.read_text(encoding="utf-8"))
    (page_dir / "dated.date").write_text("2020-06-02\n")
    ingest(page_dir / "dated.txt")
    page = Page.objects.get(source="dated.txt")
    assert str(page.issue_date) == "2020-06-02" and not page.issue_date_estimated
    with pytest.raises(CommandError, match="--date"):
        ingest(page_dir / "dated.txt", date="June 2")


def test_it_estimates_the_issue_year_when_no_date_is_given() -> None:
    page = Page.objects.get(source=SEED.name)
    assert page.issue_date_estimated
    assert page.issue_date.year == 2020


def test_a_correction_survives_re_ingest(page_dir: Path) -> None:
    article = Article.objects.filter(page__source=SEED.name, ordinal=1).get()
    article.title = "人工改过的标题"
    article.corrected_fields = ["title"]
    article.save()
    page = page_dir / SEED.name
    page.write_text(SEED.read_text(encoding="utf-8") + "\n\n补充的段落。\n")
    ingest(page)
    article.refresh_from_db()
    assert article.title == "人工改过的标题"


def test_it_refuses_a_50_mb_file_without_reading_it(page_dir: Path) -> None:
    path = page_dir / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    err = _failing_ingest(path)
    assert f"{path}: file too large (52.4 MB" in err


@pytest.mark.parametrize(
    "name", ["空格 与 中文.txt", "quote'\"name.txt", "-dash.txt", "a;b&c$.txt"]
)
def test_it_ingests_pages_whose_names_have_odd_characters(name: str, page_dir: Path) -> None:
    (page_dir / name).write_text(SEED.read_text(encoding="utf-8"))
    out, err = ingest(page_dir)
    assert err == "" and "1 pages" in out
    assert Page.objects.filter(source=name).exists()


def test_it_skips_a_symlink_loop_and_ingests_the_good_files(page_dir: Path) -> None:
    (page_dir / "a_loop.txt").symlink_to("a_loop.txt")
    (page_dir / "b_good.txt").write_text(SEED.read_text(encoding="utf-8"))
    out, err = ingest(page_dir)
    assert err.strip().splitlines() == [
        f"error: {page_dir / 'a_loop.txt'}: broken symlink or symlink loop, skipped"
    ]
    assert "1 pages" in out and "1 errors" in out
    assert Page.objects.filter(source="b_good.txt").exists()
    assert not Page.objects.filter(source="a_loop.txt").exists()


def test_a_symlink_loop_alone_is_refused_and_stores_nothing(page_dir: Path) -> None:
    (page_dir / "loop.txt").symlink_to("loop.txt")
    before = snapshot()
    err = _failing_ingest(page_dir / "loop.txt")
    assert err.strip() == f"error: {page_dir / 'loop.txt'}: broken symlink or symlink loop, skipped"
    assert snapshot() == before


def test_it_refuses_a_page_longer_than_the_pipeline_is_bounded_for(
    page_dir: Path, settings
) -> None:
    settings.INGEST_MAX_CHARS = 1000
    path = page_dir / "long.txt"
    text = SEED.read_text(encoding="utf-8")
    path.write_text(text)
    before = snapshot()
    err = _failing_ingest(path)
    assert err.strip() == (
        f"error: {path}: page too long ({len(text):,} characters; the limit is 1,000)"
    )
    assert snapshot() == before


def test_a_page_of_hundreds_of_articles_is_stored_as_one_process_reads_it(
    page_dir: Path, tmp_path: Path, settings, linker, monkeypatch
) -> None:
    """A page long enough for the forked steps (articles finished in two processes, its
    words' pinyin worked out beside the pipeline) stores the drafts a single process makes,
    with the cycle collector paused while the page is processed and on again after."""
    import gc

    from archive.ingest import pipeline
    from archive.management.commands import ingest as command

    settings.INGEST_PROCESSES = 2
    settings.INGEST_MAX_CHARS = 1_000_000
    seeds = [p.read_text(encoding="utf-8").strip() for p in sorted(SEEDS.glob("*.txt"))]
    text = ""
    while len(text) < 2 * command.WARM_SPELLING_CHARS:  # about 250 articles
        text += "\n\n\n\n".join(seeds) + "\n\n\n\n"
    expected = pipeline.process_page(text, linker)
    assert len(expected) >= 200
    seen = []
    real = command.process_page

    def watched(*args, **kwargs):
        seen.append((gc.isenabled(), args[2]))
        return real(*args, **kwargs)

    monkeypatch.setattr(command, "process_page", watched)
    warmed = []
    monkeypatch.setattr(command, "_remember_spelling",
                        lambda running: warmed.append(len(running.result())))
    (page_dir / "long.txt").write_text(text, encoding="utf-8")
    assert gc.isenabled()
    with index_at(tmp_path / "index"):  # ~250 articles the rolled-back database forgets
        ingest(page_dir)
    assert gc.isenabled()
    assert seen == [(False, 2)]
    assert warmed and warmed[0] > 1000
    page = Page.objects.get(source__endswith="long.txt")
    stored = list(page.articles.order_by("ordinal").values_list("title", "body"))
    assert stored == [(d.title, d.body) for d in expected]
