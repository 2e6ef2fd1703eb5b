"""The index writer (archive/search/whoosh_bulk.py): segments written by parallel
processes hold what a plain write holds, and commits merge small segments only."""

from __future__ import annotations

import pytest
from haystack import connections

from archive.models import Article
from archive.search import backend as search_backend
from archive.search import compile as qc
from archive.search import whoosh_adapter, whoosh_bulk, writer
from archive.search.backend import get_backend
from archive.search.query import parse
from tests.conftest import index_at

pytestmark = pytest.mark.django_db

NEEDLES = ["高新区", "企业", "高新技术企业", "亿元", "宁波", "的", "2020"]


def _answers() -> dict[str, list[int]]:
    def run(searcher):
        out = {}
        for needle in NEEDLES:
            docs = qc.matching_array(searcher, qc.match_plan(parse(needle), {}))
            out[needle] = sorted(int(searcher.stored_fields(d)["django_id"]) for d in docs)
        return out

    return get_backend().read(run)


def _segment_sizes() -> list[int]:
    backend = get_backend()
    backend.index = backend.index.refresh()
    return sorted(s.doc_count_all() for s in whoosh_adapter.index_segments(backend.index))


def test_parallel_segments_hold_what_the_shared_index_holds(tmp_path, settings,
                                                            monkeypatch) -> None:
    expected = _answers()  # the shared index, written one article batch at a time
    monkeypatch.setattr(search_backend, "PARALLEL_MIN_DOCS", 10)
    settings.SEARCH_SEGMENT_DOCS = 8
    settings.SEARCH_INDEX_PROCESSES = 2
    ids = list(Article.objects.public().values_list("pk", flat=True))
    with index_at(tmp_path / "whoosh_index"):
        report = writer.sync_articles(ids, strict=True)
        assert report.written == len(ids) > 20
        assert len(_segment_sizes()) >= 3  # several segments, written by the workers
        assert _answers() == expected
        # Writing them again replaces every document: nothing is found twice.
        index = connections["default"].get_unified_index().get_index(Article)
        get_backend().apply(index, index.index_queryset(), (), skip_unchanged=False)
        assert get_backend().read(lambda s: s.doc_count()) == len(ids)
        assert _answers() == expected


def test_commits_merge_small_segments_and_leave_big_ones(scratch_index, monkeypatch) -> None:
    monkeypatch.setattr(whoosh_bulk, "BIG_SEGMENT_DOCS", 10)
    articles = list(Article.objects.public().order_by("pk").values_list("pk", flat=True))
    fanout = whoosh_bulk.MERGE_FANOUT
    singles = articles[12 : 12 + fanout + 1]
    assert len(singles) == fanout + 1
    writer.sync_articles(articles[:12], strict=True)  # one big segment
    for pk in singles[:-1]:
        writer.sync_articles([pk], strict=True)  # one small segment each
    assert _segment_sizes() == [1] * fanout + [12]
    # The next commit finds `fanout` small segments and merges them with its own.
    writer.sync_articles([singles[-1]], strict=True)
    assert _segment_sizes() == [fanout + 1, 12]
