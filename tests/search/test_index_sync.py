"""The index stays true: edits, deletions and related changes reach it through one write
path; writers queue rather than fail; failures are kept, logged and retried; several
processes can write at once; rebuild_index gives the same answers."""

from __future__ import annotations

import fcntl
import logging
import multiprocessing
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.index import create_in, open_dir

from archive.models import Article, Figure, Park
from archive.search import analysis, writer
from archive.search.backend import SearchUnavailable, get_backend
from archive.search.locking import IndexBusy, index_write_lock, lock_path
from tests.search.conftest import index_at

pytestmark = pytest.mark.django_db


def titles(client, q: str, **filters) -> set[str]:
    return {r["title"] for r in client.get("/api/search/", {"q": q, **filters}).json()["results"]}


@pytest.fixture
def xian(scratch_index) -> list[Article]:
    """The three 西安高新区 articles, alone in a scratch index."""
    articles = list(Article.objects.filter(park__name="西安高新区").order_by("pk"))
    writer.sync_articles([a.pk for a in articles], strict=True)
    return articles


def test_an_admin_style_edit_is_searchable_after_commit(
    client, xian, django_capture_on_commit_callbacks
) -> None:
    article = xian[0]
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "西安高新区量子通信产业园开工"
        article.save()
    assert titles(client, "量子通信") == {"西安高新区量子通信产业园开工"}
    assert titles(client, "71.69亿元 西安高新区10个项目") == set()


def test_a_deletion_leaves_the_index(client, xian, django_capture_on_commit_callbacks) -> None:
    gone = xian[1]
    with django_capture_on_commit_callbacks(execute=True):
        gone.delete()
    assert gone.title not in titles(client, "西安")
    assert len(titles(client, "")) == len(xian) - 1


def test_parks_page_dates_and_figures_follow_their_articles(
    client, xian, django_capture_on_commit_callbacks
) -> None:
    park = Park.objects.get(name="西安高新区")
    with django_capture_on_commit_callbacks(execute=True):
        park.name, park.province = "西安高新技术区", "测试省"
        park.save()
    assert titles(client, "", park="西安高新技术区") == {a.title for a in xian}
    assert titles(client, "", province="测试省") == {a.title for a in xian}
    page = xian[0].page
    with django_capture_on_commit_callbacks(execute=True):
        page.issue_date = page.issue_date.replace(year=1999)
        page.save()
    assert xian[0].title in titles(client, "", year=1999)
    article = xian[2]
    with django_capture_on_commit_callbacks(execute=True):
        Figure.objects.create(article=article, label="从业人员", value=5, unit="人",
                              normalized_value=5, base_unit="人")
    assert article.title in titles(client, "", figure_kind="人数")
    with django_capture_on_commit_callbacks(execute=True):
        article.parks.add(Park.objects.get(name="杨凌农高区"))
    assert titles(client, "", mentions="杨凌农高区") == {article.title}
    assert article.title in titles(client, "杨凌农高区")  # a park's name is searchable text


def test_ingest_results_go_through_the_same_path(client, xian) -> None:
    article = xian[0]
    Article.objects.filter(pk=article.pk).update(title="新的标题：光伏组件")
    writer.sync_articles([article.pk])
    assert titles(client, "光伏组件") == {"新的标题：光伏组件"}
    Article.objects.filter(pk=article.pk).delete()
    writer.sync_articles([article.pk])
    assert titles(client, "光伏组件") == set()


def test_a_re_sync_of_unchanged_articles_writes_nothing(xian) -> None:
    report = writer.sync_articles([a.pk for a in xian], strict=True)
    assert report.unchanged == len(xian) and report.written == report.removed == 0


def test_a_busy_index_queues_the_write_and_a_later_writer_drains_it(
    client, xian, caplog
) -> None:
    article = xian[0]
    Article.objects.filter(pk=article.pk).update(title="排队中的标题")
    fd = os.open(lock_path(get_backend().path), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process is writing
    try:
        with caplog.at_level(logging.WARNING, logger="archive.search.writer"):
            assert writer.sync_articles([article.pk], wait=0.1) is None
        assert "busy" in caplog.text
        assert article.pk in writer.pending_ids()
        with pytest.raises(IndexBusy):
            writer.sync_articles([], wait=0.1, strict=True)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert titles(client, "排队中的标题") == set()  # not yet
    writer.drain(wait=5, strict=True)
    assert writer.pending_ids() == set()
    assert titles(client, "排队中的标题") == {"排队中的标题"}


def test_a_failed_remove_is_not_swallowed(xian, monkeypatch, caplog) -> None:
    backend = get_backend()

    def broken_writer() -> None:
        raise OSError("disk full")

    monkeypatch.setattr(backend, "_writer", broken_writer)
    with pytest.raises(OSError, match="disk full"):
        backend.remove(f"archive.article.{xian[0].pk}")
    Article.objects.filter(pk=xian[0].pk).delete()
    with caplog.at_level(logging.ERROR, logger="archive.search.writer"):
        assert writer.sync_articles([xian[0].pk]) is None
    assert "write failed" in caplog.text and "disk full" in caplog.text
    assert xian[0].pk in writer.pending_ids()  # kept for the next writer
    monkeypatch.setattr(backend, "_writer", type(backend)._writer.__get__(backend))
    writer.drain(wait=5, strict=True)
    identifier = f"archive.article.{xian[0].pk}"
    assert get_backend().read(lambda s: s.document_number(id=identifier)) is None


def test_an_index_that_does_not_answer_gives_503_with_a_message(client, monkeypatch) -> None:
    def fail(fn):
        raise SearchUnavailable("test")

    monkeypatch.setattr(get_backend(), "read", fail)
    page = client.get("/search/", {"q": "高新区"})
    assert page.status_code == 503 and "搜索暂时不可用" in page.content.decode()
    api = client.get("/api/search/", {"q": "高新区"})
    assert api.status_code == 503 and api.json()["error"]
    health = client.get("/healthz")
    assert health.status_code == 503 and b"search index" in health.content


def test_healthz_reports_writes_that_stay_pending(client, xian, monkeypatch) -> None:
    writer.record_pending([xian[0].pk])
    assert client.get("/healthz").status_code == 200  # pending for a moment is normal
    monkeypatch.setattr(writer, "stuck_for", lambda: 3600.0)
    # The index still answers (/healthz 200, lag said); it is not ready (/readyz 503).
    response = client.get("/healthz")
    assert response.status_code == 200 and b"waiting to be indexed for 60 min" in response.content
    response = client.get("/readyz")
    assert response.status_code == 503 and b"waiting to be indexed for 60 min" in response.content
    monkeypatch.undo()
    writer.drain(wait=5, strict=True)
    assert writer.stuck_for() is None


def test_healthz_reports_an_index_built_by_older_code(client, xian) -> None:
    (Path(get_backend().path) / "parknews-schema.txt").write_text("old\n")
    from haystack import connections

    connections.reload("default")
    response = client.get("/healthz")
    assert response.status_code == 503 and b"rebuild_index" in response.content


def _write_docs(path: str, worker: int, count: int) -> None:
    for n in range(count):
        with index_write_lock(path, timeout=30):
            # Opened under the lock, as the app's writers read the index: open_dir lists
            # the table-of-contents files and then opens the newest, which another
            # writer's commit may delete in between (seen: FileNotFoundError _MAIN_1.toc).
            w = open_dir(path).writer(timeout=1.0)  # LockError if two wrote at once
            w.update_document(id=f"{worker}-{n}", text=f"工人{worker}号第{n}篇")
            w.commit()


def _read_docs(path: str, done, errors) -> None:
    ix = open_dir(path)
    while not done.is_set():
        try:
            with ix.searcher() as s:
                list(s.docs_for_query(wq.Term("text", "工")))
        except Exception as error:
            errors.put(repr(error))


def test_several_processes_write_one_at_a_time_while_others_read(tmp_path: Path) -> None:
    path = str(tmp_path / "ix")
    os.mkdir(path)
    schema = Schema(id=ID(stored=True, unique=True), text=TEXT(analyzer=analysis.GramAnalyzer()))
    create_in(path, schema)
    context = multiprocessing.get_context("fork")
    errors, done = context.Queue(), context.Event()
    readers = [context.Process(target=_read_docs, args=(path, done, errors)) for _ in range(2)]
    writers = [context.Process(target=_write_docs, args=(path, w, 6)) for w in range(4)]
    for process in readers + writers:
        process.start()
    for process in writers:
        process.join(30)
    done.set()
    for process in readers:
        process.join(30)
    assert all(p.exitcode == 0 for p in writers), [p.exitcode for p in writers]
    assert errors.empty()
    with open_dir(path).searcher() as searcher:
        assert searcher.doc_count() == 24


def test_rebuild_index_gives_the_same_answers_as_ingest(client, tmp_path: Path) -> None:
    queries = ["高新区", "动力电池", "西安 -项目", '"一区十园"', "71.69", "", "杨凌"]

    def answers() -> dict:
        return {q: client.get("/api/search/", {"q": q, "per_page": 50}).json() for q in queries}

    ingested = answers()
    with index_at(tmp_path / "rebuilt"):
        call_command("rebuild_index", interactive=False, verbosity=0)
        rebuilt = answers()
    for q in queries:
        for answer in (ingested[q], rebuilt[q]):
            for result in answer["results"]:
                result.pop("score")  # index statistics differ with segment layout
    assert rebuilt == ingested


def test_the_index_worker_drains_what_is_pending(client, xian) -> None:
    from io import StringIO

    article = xian[0]
    Article.objects.filter(pk=article.pk).update(title="稍后重试的标题")
    writer.record_pending([article.pk])
    out = StringIO()
    call_command("index_worker", "--once", stdout=out)
    assert "indexed 1 articles" in out.getvalue()
    assert writer.pending_ids() == set()
    assert titles(client, "稍后重试") == {"稍后重试的标题"}
    out = StringIO()
    call_command("index_worker", "--once", stdout=out)
    assert "Nothing to do." in out.getvalue()


def test_a_change_records_its_task_in_its_own_transaction(xian) -> None:
    from django.db import transaction

    from archive.models import IndexTask

    article = xian[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        article.title = "回滚的标题"
        article.save()
        assert IndexTask.objects.filter(article_id=article.pk).exists()
        raise RuntimeError("the change fails")
    assert not IndexTask.objects.filter(article_id=article.pk).exists()  # nor its task
    with transaction.atomic():
        article.title = "提交的标题"
        article.save()
    assert article.pk in writer.pending_ids()  # committed with the change


def test_a_search_never_writes(client, xian, monkeypatch) -> None:
    from archive.models import IndexTask

    Article.objects.filter(pk=xian[0].pk).delete()  # the index is now behind
    IndexTask.objects.all().delete()

    def refuse(*args, **kwargs):
        raise AssertionError("a search request wrote")

    monkeypatch.setattr(writer, "drain", refuse)
    monkeypatch.setattr(writer, "record_pending", refuse)
    monkeypatch.setattr(type(get_backend()), "apply", refuse)
    found = client.get("/api/search/", {"q": "西安"}).json()
    assert xian[0].pk not in {r["id"] for r in found["results"]}


def test_a_bulk_job_defers_signal_writes_to_its_own_batches(
    client, xian, django_capture_on_commit_callbacks
) -> None:
    from archive.indexing import deferred_writes

    with deferred_writes():
        for n, article in enumerate(xian):
            with django_capture_on_commit_callbacks(execute=True):
                article.title = f"批量改名{n}"
                article.save()
        assert titles(client, "批量改名") == set()  # queued, not yet written
        assert {a.pk for a in xian} <= writer.pending_ids()
        writer.sync_articles([])  # the job's batch write takes everything queued
        assert len(titles(client, "批量改名")) == len(xian)
        with django_capture_on_commit_callbacks(execute=True):
            xian[0].title = "离开前再改"
            xian[0].save()
    assert titles(client, "离开前再改") == {"离开前再改"}  # written on leaving
    assert writer.pending_ids() == set()
