"""rjieba stands in for jieba only where it gives the same words: on every seed page
(and on mixed runs of digits, Latin and punctuation that the two cut differently)."""

from __future__ import annotations

import pytest

from archive.registry import read_registry
from archive.search import analysis, dictionary

pytest.importorskip("rjieba")


@pytest.fixture(scope="module")
def segmenters() -> tuple[analysis.Segmenter, analysis.Segmenter]:
    rows = read_registry()
    names = [n for r in rows for n in dictionary.names_of(r["name"], r["full_name"], r["aliases"])]
    park_words = dictionary.park_words(names)
    pair = (analysis.JiebaSegmenter(), analysis.RustSegmenter())
    for seg in pair:
        for word in sorted(park_words):
            seg.add_word(word)
    return pair


def _words(text: str, seg: analysis.Segmenter) -> list[tuple[str, int, int, int]]:
    return [(t.text, t.position, t.start, t.end) for t in analysis.words(text, seg=seg)]


def test_both_give_the_same_words_on_every_seed_page(segmenters, seed_texts) -> None:
    jieba_seg, rust_seg = segmenters
    assert seed_texts
    for name, text in seed_texts.items():
        reference = _words(text, jieba_seg)
        assert len(reference) > 500, name
        assert _words(text, rust_seg) == reference, name


@pytest.mark.parametrize(
    "text",
    ["2016-2019年增长3.5%", "c++与c#开发者", "投资3000-8000万元", "a&b公司", "第1-2季度",
     "西安高新区动力电池项目", "5G+工业互联网", "R&D投入占比达6.5%", "杨凌农高区"],
)
def test_both_give_the_same_words_on_mixed_runs(segmenters, text: str) -> None:
    jieba_seg, rust_seg = segmenters
    assert _words(text, rust_seg) == _words(text, jieba_seg)
