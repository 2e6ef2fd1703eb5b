"""How much two stretches of one page are about the same thing.

An article's paragraphs keep returning to the same names (企业, places, people, products);
the next article on the page speaks of others. The measure is the cosine of character-
bigram vectors weighted by how rare each bigram is on this page (inverse document
frequency over the page's paragraphs), so words every story uses (发展, 企业, 创新) weigh
little and a name two stretches share weighs much. It needs no dictionary, so it holds for
pages and subjects nobody here has read.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable

from .text import fold


def bigrams(text: str) -> Counter[str]:
    """Adjacent pairs of letters, digits and Han characters (punctuation breaks a pair)."""
    chars = [c if c.isalnum() else " " for c in fold(text).lower()]
    out: Counter[str] = Counter()
    for a, b in itertools.pairwise(chars):
        if a != " " and b != " ":
            out[a + b] += 1
    return out


class PageTopics:
    """Bigram weights for one page, and the similarity of any two of its stretches."""

    def __init__(self, paragraphs: Iterable[str]) -> None:
        docs = [set(bigrams(p)) for p in paragraphs]
        self.documents = max(len(docs), 1)
        self.frequency: Counter[str] = Counter()
        for doc in docs:
            self.frequency.update(doc)

    def weight(self, gram: str) -> float:
        # +1 smoothing: a bigram of every paragraph still weighs a little, an unseen one most.
        return math.log((self.documents + 1) / (self.frequency.get(gram, 0) + 1))

    def vector(self, text: str) -> dict[str, float]:
        return {g: (1 + math.log(n)) * self.weight(g) for g, n in bigrams(text).items()}

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity in [0, 1] of two texts on this page; 0 when either is empty."""
        va, vb = self.vector(a), self.vector(b)
        if len(va) > len(vb):
            va, vb = vb, va
        dot = sum(w * vb.get(g, 0.0) for g, w in va.items())
        norm = math.sqrt(sum(w * w for w in va.values())) * math.sqrt(
            sum(w * w for w in vb.values())
        )
        return dot / norm if norm else 0.0
