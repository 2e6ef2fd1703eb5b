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
import operator
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence

from .text import fold

Stretch = str | Sequence[str]
# Vectors kept per page: enough for the assembler's and fragment finder's comparisons,
# bounded so a page of thousands of paragraphs cannot grow it without end.
VECTOR_CACHE = 512


# A run of letters, digits and Han characters: `[^\W_]` is exactly str.isalnum.
_ALNUM_RUN = re.compile(r"[^\W_]{2,}")


def bigrams(text: str) -> Counter[str]:
    """Adjacent pairs of letters, digits and Han characters (punctuation breaks a pair)."""
    out: Counter[str] = Counter()
    for run in _ALNUM_RUN.findall(fold(text).lower()):
        out.update(map(operator.add, run, run[1:]))
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
        self.unseen_weight = math.log(self.documents + 1)
        self.weights = {g: math.log((self.documents + 1) / (n + 1)) for g, n in frequency.items()}
        self._vectors: OrderedDict[
            tuple[str, ...], tuple[dict[str, float], float, Counter[str]]
        ] = OrderedDict()

    def counts(self, paragraph: str) -> Counter[str]:
        found = self._counts.get(paragraph)
        if found is None:
            found = self._counts[paragraph] = bigrams(paragraph)
        return found

    def vector(self, stretch: Stretch) -> tuple[dict[str, float], float]:
        """The weighted vector of a stretch and its length."""
        vector, norm, _ = self.stretch(stretch)
        return vector, norm

    def stretch(self, stretch: Stretch) -> tuple[dict[str, float], float, Counter[str]]:
        """Vector, length and bigram counts of a stretch (callers must not change them)."""
        parts = (stretch,) if isinstance(stretch, str) else tuple(stretch)
        cached = self._vectors.get(parts)
        if cached is not None:
            self._vectors.move_to_end(parts)
            return cached
        total: Counter[str] = Counter()
        for part in parts:
            total.update(self.counts(part))
        weights, unseen, log = self.weights, self.unseen_weight, math.log
        vector = {g: (1 + log(n)) * weights.get(g, unseen) for g, n in total.items()}
        values = list(vector.values())
        result = vector, math.sqrt(sum(map(operator.mul, values, values))), total
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
        others = map(vb.get, va, itertools.repeat(0.0))
        return sum(map(operator.mul, va.values(), others)) / (na * nb)


class RunningStretch:
    """A stretch of one page that gains and loses paragraphs, with its vector kept current.

    Equal to `PageTopics.vector` of the same paragraphs (but for rounding), but a
    paragraph added or removed costs only its own bigrams: comparing every tail of a long
    article with its head is then linear in the article, not quadratic. `add` and
    `remove` report how the vector moved, so a caller can keep dot products with other
    stretches current the same way.
    """

    def __init__(self, topics: PageTopics, parts: Sequence[str] = ()) -> None:
        self.topics = topics
        # Start from the page's (cached) vector of the whole stretch: copies, not recounts.
        vector, norm, counts = topics.stretch(tuple(parts))
        self.counts: Counter[str] = Counter(counts)
        self.vector: dict[str, float] = dict(vector)
        self._norm2 = norm * norm

    @property
    def norm(self) -> float:
        return math.sqrt(max(self._norm2, 0.0))

    def add(self, part: str) -> dict[str, tuple[float, float]]:
        return self._change(part, 1)

    def remove(self, part: str) -> dict[str, tuple[float, float]]:
        return self._change(part, -1)

    def _change(self, part: str, sign: int) -> dict[str, tuple[float, float]]:
        """Apply one paragraph; return {bigram: (old weight, new weight)} for those it moved."""
        moved: dict[str, tuple[float, float]] = {}
        counts, vector = self.counts, self.vector
        weights, unseen, log = self.topics.weights, self.topics.unseen_weight, math.log
        norm2 = self._norm2
        for gram, n in self.topics.counts(part).items():
            count = counts[gram] + sign * n
            old = vector.get(gram, 0.0)
            if count > 0:
                counts[gram] = count
                new = vector[gram] = (1 + log(count)) * weights.get(gram, unseen)
            else:
                del counts[gram]
                vector.pop(gram, None)
                new = 0.0
            # Kept as it moves: recomputing it from every weight made each step cost the
            # whole stretch.
            norm2 += new * new - old * old
            moved[gram] = (old, new)
        # An empty stretch has no length, whatever rounding the steps left behind.
        self._norm2 = norm2 if vector else 0.0
        return moved
