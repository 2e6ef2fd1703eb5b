"""Open index files stay bounded whatever the segment count: a searcher keeps the files
of at most `whoosh_adapter.OPEN_SEGMENTS` segments open, and answers as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archive.models import Article
from archive.search import arrays, whoosh_adapter, whoosh_bulk, writer
from archive.search.backend import get_backend

pytestmark = pytest.mark.django_db

SEARCHES = [{"q": "高新区"}, {"q": "企业", "page": 2, "per_page": 5}, {"q": '"科技 创新"'},
            {"q": "动力电尺"}, {"q": "", "sort": "newest"}, {"q": "宁波", "park": "宁波高新区"}]


def _index_files(directory: Path) -> int:
    """This process's open files inside the index directory."""
    live = os.path.realpath(directory)
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile (the listing's own descriptor)
        count += target.startswith(live + os.sep)
    return count


def test_many_segments_keep_few_files_open(scratch_index: Path, api, monkeypatch) -> None:
    monkeypatch.setattr(whoosh_bulk, "MERGE_FANOUT", 10**6)  # one segment per article
    ids = list(Article.objects.public().order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        writer.sync_articles([pk], strict=True)
    segments = get_backend().read(lambda s: len(s.reader().leaf_readers()))
    assert segments == len(ids) > 3 * 4

    monkeypatch.setattr(whoosh_adapter, "OPEN_SEGMENTS", 4)
    get_backend()._drop_searcher()
    arrays.cache.clear()
    assert get_backend().read(lambda s: s.doc_count()) == len(ids)
    assert _index_files(scratch_index) == 0  # opening a searcher opens no segment file
    bounded = [api(**params) for params in SEARCHES]
    held = _index_files(scratch_index)
    # A segment: its term table, postings and a few column files (lengths, stored).
    assert 0 < held <= 4 * 6

    monkeypatch.setattr(whoosh_adapter, "OPEN_SEGMENTS", 10**6)
    get_backend()._drop_searcher()
    arrays.cache.clear()
    unbounded = [api(**params) for params in SEARCHES]
    assert _index_files(scratch_index) > 2 * segments  # what every segment's files take
    assert bounded == unbounded
    # After a commit the searcher is replaced: the old one's files are closed.
    writer.sync_articles(ids[:1], strict=True)
    Article.objects.filter(pk=ids[0]).update(title=Article.objects.get(pk=ids[0]).title + "甲")
    writer.sync_articles(ids[:1], strict=True)
    monkeypatch.setattr(whoosh_adapter, "OPEN_SEGMENTS", 4)
    api(q="高新区")
    assert _index_files(scratch_index) <= 4 * 6
    assert bounded[0]["count"] > 0 and bounded[3]["suggestion"] == "动力电池"


def test_repeated_queries_keep_the_same_segments_open(scratch_index: Path, api,
                                                      monkeypatch) -> None:
    """A query visits the segments in the same order on each of its passes (matching,
    counting, ranking …). With room for half of them, half must stay open from one pass
    to the next: closing the least recently used would close each one just before its
    turn and reopen them all, as if there were room for one."""
    monkeypatch.setattr(whoosh_bulk, "MERGE_FANOUT", 10**6)  # one segment per article
    ids = list(Article.objects.public().order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        writer.sync_articles([pk], strict=True)
    backend = get_backend()

    def reopened(limit: int, params: dict) -> int:
        monkeypatch.setattr(whoosh_adapter, "OPEN_SEGMENTS", limit)
        backend._drop_searcher()
        api(**params)  # opens every segment
        arrays.cache.clear()  # so that every segment is read again
        before = backend._open_segments.opened
        api(**params)
        assert len(backend._open_segments) == limit
        return backend._open_segments.opened - before

    segments = backend.read(lambda s: len(s.reader().leaf_readers()))
    assert segments >= 20
    for params in ({"q": "高新区"}, {"q": "动力电尺"}, {"q": "企业", "park": "宁波高新区"}):
        every_time = reopened(1, params)
        assert every_time >= segments
        assert reopened(segments // 2, params) <= 0.7 * every_time
