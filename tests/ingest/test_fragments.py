"""Fragment reattachment on real stories printed in order (nothing displaced).

`../shared/bench/` holds real news stories (read here, never copied into the repository;
the test skips without it). Laid out one after another as a page, nothing on it is
displaced, so every tail the fragment step moves is a mistake: two consecutive reports of
one event (a visit, a meeting, a storm) share names, and a credit in brackets after the
last sentence once read as a column cut.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from big_page import NEWS_CORPUS, build_page, corpus_stories  # noqa: E402

pytestmark = pytest.mark.skipif(
    not NEWS_CORPUS.exists(), reason=f"{NEWS_CORPUS} (the bench corpus) not present"
)


def test_stories_printed_in_order_keep_their_own_paragraphs(linker) -> None:
    from archive.ingest.pipeline import process_page

    stories = corpus_stories(NEWS_CORPUS)
    articles = moved = 0
    for _ in range(4):
        page, _count = build_page(60_000, stories)
        drafts = process_page(page, linker)
        articles += len(drafts)
        moved += sum(d.has_fragment for d in drafts)
    assert articles > 400
    # 36 of 465 articles took another's tail before; 7 now (the rest: long headlines that
    # read as paragraphs, so two stories run together).
    assert moved <= 0.03 * articles, (moved, articles)
