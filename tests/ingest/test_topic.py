"""Topic vectors of a page (`archive/ingest/topic.py`), on the seed pages' paragraphs.

The fast paths must give what the plain definitions give: bigrams counted by regular
expression as by walking the characters, and a stretch kept current paragraph by
paragraph as the same stretch counted afresh.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

import pytest

from archive.ingest.text import fold
from archive.ingest.topic import PageTopics, RunningStretch, bigrams


def _paragraphs(seed_texts: dict[str, str]) -> list[str]:
    return [p.strip() for text in seed_texts.values() for p in re.split(r"\n\s*\n", text)
            if p.strip()]


def _reference_bigrams(text: str) -> Counter[str]:
    """The definition: adjacent pairs of characters for which str.isalnum holds."""
    chars = [c if c.isalnum() else " " for c in fold(text).lower()]
    return Counter(a + b for a, b in itertools.pairwise(chars) if a != " " and b != " ")


@pytest.mark.parametrize("text", [
    "ＡＢＣ高新区_2023年", "Ⅻ号楼，５Ｇ基站；C++与α-β", "①②③ ½ ٣٤ 〇〇七", "", "，。",
])
def test_bigrams_are_the_pairs_of_letters_digits_and_han(text: str) -> None:
    assert bigrams(text) == _reference_bigrams(text)


def test_bigrams_of_every_seed_paragraph_follow_the_definition(seed_texts) -> None:
    paragraphs = _paragraphs(seed_texts)
    assert len(paragraphs) > 50
    for paragraph in paragraphs:
        assert bigrams(paragraph) == _reference_bigrams(paragraph), paragraph[:40]


def _close(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(math.isclose(a[g], b[g], rel_tol=1e-9) for g in a)


def test_a_running_stretch_equals_the_stretch_counted_afresh(seed_texts) -> None:
    paragraphs = _paragraphs(seed_texts)
    topics = PageTopics(paragraphs)
    article = paragraphs[:40]
    head = RunningStretch(topics, article)
    tail = RunningStretch(topics)
    for cut in range(len(article) - 1, 0, -1):
        moved = article[cut]
        from_head = head.remove(moved)
        to_tail = tail.add(moved)
        assert from_head.keys() == to_tail.keys() == topics.counts(moved).keys()
        for stretch, parts in ((head, article[:cut]), (tail, article[cut:])):
            vector, norm = topics.vector(parts)
            assert _close(stretch.vector, vector), cut
            assert math.isclose(stretch.norm, norm, rel_tol=1e-9), cut
    # Back to empty: nothing left over, not even a rounding residue in the length.
    for part in article[1:]:
        tail.remove(part)
    assert tail.vector == {} and not tail.counts and tail.norm == 0.0
