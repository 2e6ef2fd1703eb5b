"""rebuild_index writes a new index beside the live one and swaps it in: searches
running meanwhile (another thread, with its own backend, as another worker would) answer
from the old index with full counts until the swap, then from the new one."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from archive.management.commands import rebuild_index
from archive.models import Article
from archive.search import compile as qc
from archive.search import generations, writer
from archive.search.backend import get_backend
from archive.search.query import parse
from tests.conftest import index_at

pytestmark = pytest.mark.django_db

NEEDLES = ("高新区", "企业", "宁波", "动力电池")


def _counts() -> tuple[int, ...]:
    """Every needle's count, from one searcher (one generation of the index)."""
    plans = [qc.match_plan(parse(q), {}) for q in NEEDLES]
    return get_backend().read(lambda s: tuple(len(qc.matching_array(s, p)) for p in plans))


class _Searches(threading.Thread):
    """Counts the needles in a loop until stopped; records every answer or error."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seen: list[tuple[int, ...]] = []
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.ready = threading.Event()
        self._progress = threading.Condition()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                counts = _counts()
            except Exception as error:  # any failure is what the test looks for
                self.errors.append(repr(error))
                counts = ()
            with self._progress:
                self.seen.append(counts)
                self._progress.notify_all()
            self.ready.set()

    def wait_for(self, more: int) -> None:
        """Block until `more` further searches have answered."""
        with self._progress:
            target = len(self.seen) + more
            assert self._progress.wait_for(lambda: len(self.seen) >= target or not self.is_alive(),
                                           timeout=120)


def test_searches_during_a_rebuild_answer_from_the_old_index(tmp_path: Path,
                                                             monkeypatch) -> None:
    link = tmp_path / "whoosh_index"
    with index_at(link):
        some = list(Article.objects.public().order_by("pk").values_list("pk", flat=True)[:8])
        writer.sync_articles(some, strict=True)
        before = _counts()
        searches = _Searches()
        searches.start()
        searches.ready.wait(60)

        swap = generations.swap_in
        during: list[int] = []

        def slow_fill(build, index, batch_size):
            # Small batches: several commits into the new generation, searches between.
            count = 0
            for part in itertools.count():
                objects = list(index.build_queryset(using="default").order_by("pk")
                               [part * 10 : part * 10 + 10])
                if not objects:
                    break
                build.update(index, objects)
                count += len(objects)
                searches.wait_for(2)
            during.append(len(searches.seen))
            return count

        def watched_swap(path, generation):
            searches.wait_for(3)  # the new generation complete, not yet live
            return swap(path, generation)

        monkeypatch.setattr(rebuild_index.Command, "_fill", staticmethod(slow_fill))
        monkeypatch.setattr(generations, "swap_in", watched_swap)
        call_command("rebuild_index", interactive=False, verbosity=0)
        swapped_at = len(searches.seen)
        searches.wait_for(3)
        searches.stop.set()
        searches.join(60)
        after = _counts()

        assert searches.errors == []
        assert after != before and after == _full_counts()
        assert during and during[0] > 3
        # Until the swap, every count is the old index's; after it, the new one's.
        assert all(seen == before for seen in searches.seen[: during[0]])
        flipped = [seen == after for seen in searches.seen]
        first_new = flipped.index(True)
        assert first_new >= during[0] and all(flipped[first_new:])
        assert all(seen == before for seen in searches.seen[:first_new])
        assert first_new <= swapped_at + 1
        # The path is now a link to the one generation left.
        assert link.is_symlink()
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("whoosh_index.gen-")
                ] == [Path(generations.live_dir(link)).name]


def _full_counts() -> tuple[int, ...]:
    """The counts with every public article indexed, from a plain ingest-style write."""
    return _counts_of(list(Article.objects.public().values_list("pk", flat=True)))


def _counts_of(ids: list[int]) -> tuple[int, ...]:
    import tempfile

    with tempfile.TemporaryDirectory() as other, index_at(Path(other) / "ix"):
        writer.sync_articles(ids, strict=True)
        return _counts()


def test_a_second_rebuild_replaces_the_first_generation(tmp_path: Path) -> None:
    link = tmp_path / "whoosh_index"
    with index_at(link):
        call_command("rebuild_index", interactive=False, verbosity=0)
        first = generations.live_dir(link)
        counts = _counts()
        call_command("rebuild_index", interactive=False, verbosity=0)
        assert generations.live_dir(link) != first and not Path(first).exists()
        assert _counts() == counts
        assert get_backend().read(lambda s: s.doc_count()) == Article.objects.public().count()


def test_a_failed_rebuild_leaves_the_live_index(tmp_path: Path, monkeypatch) -> None:
    link = tmp_path / "whoosh_index"
    with index_at(link):
        writer.sync_articles(list(Article.objects.public().values_list("pk", flat=True)[:5]),
                             strict=True)
        before = _counts()

        def broken(build, index, batch_size):
            raise RuntimeError("database went away")

        monkeypatch.setattr(rebuild_index.Command, "_fill", staticmethod(broken))
        with pytest.raises(RuntimeError):
            call_command("rebuild_index", interactive=False, verbosity=0)
        assert _counts() == before
        assert [p.name for p in tmp_path.iterdir() if ".gen-" in p.name] == []
