"""How much two stretches of one page are about the same thing.

An article's paragraphs keep returning to the same names (企业, places, people, products);
the next article on the page speaks of others. The measure is the cosine of character-
bigram vectors weighted by how rare each bigram is on this page (inverse document
frequency over the page's paragraphs), so words every story uses (发展, 企业, 创新) weigh
little and a name two stretches share weighs much. It needs no dictionary, so it holds for
pages and subjects nobody here has read.

A stretch is given as its paragraphs: each paragraph's bigrams are counted once per page
and stretches add them up, so comparing many stretches of one page stays linear in it.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence

from .text import fold

Stretch = str | Sequence[str]
# Vectors kept per page: enough for the assembler's and fragment finder's comparisons,
# bounded so a page of thousands of paragraphs cannot grow it without end.
VECTOR_CACHE = 512


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
        self._counts: dict[str, Counter[str]] = {}
        frequency: Counter[str] = Counter()
        documents = 0
        for paragraph in paragraphs:
            documents += 1
            frequency.update(self.counts(paragraph).keys())
        self.documents = max(documents, 1)
        # +1 smoothing: a bigram of every paragraph still weighs a little, an unseen one most.
        self._unseen = math.log(self.documents + 1)
        self._weights = {g: math.log((self.documents + 1) / (n + 1)) for g, n in frequency.items()}
        self._vectors: OrderedDict[tuple[str, ...], tuple[dict[str, float], float]] = (
            OrderedDict()
        )

    def counts(self, paragraph: str) -> Counter[str]:
        found = self._counts.get(paragraph)
        if found is None:
            found = self._counts[paragraph] = bigrams(paragraph)
        return found

    def weight(self, gram: str) -> float:
        return self._weights.get(gram, self._unseen)

    def vector(self, stretch: Stretch) -> tuple[dict[str, float], float]:
        """The weighted vector of a stretch and its length."""
        parts = (stretch,) if isinstance(stretch, str) else tuple(stretch)
        cached = self._vectors.get(parts)
        if cached is not None:
            self._vectors.move_to_end(parts)
            return cached
        total: Counter[str] = Counter()
        for part in parts:
            total.update(self.counts(part))
        vector = {g: (1 + math.log(n)) * self.weight(g) for g, n in total.items()}
        result = vector, math.sqrt(sum(w * w for w in vector.values()))
        self._vectors[parts] = result
        if len(self._vectors) > VECTOR_CACHE:
            self._vectors.popitem(last=False)
        return result

    def similarity(self, a: Stretch, b: Stretch) -> float:
        """Cosine similarity in [0, 1] of two stretches of this page; 0 when either is empty."""
        (va, na), (vb, nb) = self.vector(a), self.vector(b)
        if not na or not nb:
            return 0.0
        if len(va) > len(vb):
            va, vb = vb, va
        return sum(w * vb.get(g, 0.0) for g, w in va.items()) / (na * nb)
