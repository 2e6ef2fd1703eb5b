"""Step 5: give displaced column fragments back to the article they belong to.

A page's columns are sometimes printed out of order: the end of one article lands after
another one. The last paragraphs of an article (its *tail*) move to an earlier article
on the page only on two kinds of evidence together:

* the tail's topic: it is closer (page-weighted bigram similarity, `topic.py`) to the
  earlier article than to the rest of its host, by a margin that depends on
* the signs of displacement: a column cut mid-sentence where the tail would join (the
  earlier article stops mid-sentence and the tail does not open with a subhead of its
  own) needs the smallest margin; so does a zone the tail shares with the earlier article
  (and the rest of its host does not name) together with a cut where the tail leaves its
  host; the shared zone alone needs more; with neither, only a tail plainly about the
  other article moves. A cut inside the host alone proves nothing: columns of one
  article are cut mid-sentence all the time.

A tail as long as the head it would leave needs a cut, in the earlier article or where
it leaves its host: a head of a paragraph or two is too little text to tell a displaced
tail by topic alone from a follow-up story on the same event (consecutive reports of one
visit, one meeting, one storm share their names).

Of the tails that qualify, the one with the clearest margin moves. Anything less stays
where it was printed: an article may well end on another zone.
"""

from __future__ import annotations

import itertools
import operator
from dataclasses import dataclass
from typing import Protocol

from .assemble import Para, RawArticle
from .text import ends_sentence
from .topic import PageTopics, RunningStretch

# A displaced fragment is a column's worth of text, not half an article; and it lands near
# its article. Both bounds also keep the search linear in the page.
MAX_TAIL_PARAS = 12
MAX_TARGETS_BACK = 6
# How much closer to the other article than to its host a tail must be: a column cut
# mid-sentence is the stronger sign of displacement, so it needs the smaller margin.
MIN_MARGIN = 0.03
MIN_MARGIN_AT_CUT = 0.01
# With no cut and no zone to go by, only a tail plainly about the other article moves.
MIN_MARGIN_TOPIC_ONLY = 0.10


class ParkFinder(Protocol):
    def parks_in(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class _Move:
    host: int
    start: int
    target: int
    margin: float


def reattach_fragments(
    articles: list[RawArticle], zones: ParkFinder, topics: PageTopics
) -> list[RawArticle]:
    """Move displaced tails to the article they continue."""
    for index in range(len(articles)):
        move = _best_move(articles, index, zones, topics)
        if move is None:
            continue
        host, target = articles[move.host], articles[move.target]
        target.paras.extend(host.paras[move.start :])
        target.fragment = True
        del host.paras[move.start :]
    return articles


def _parts(article: RawArticle, paras: list[Para]) -> tuple[str, ...]:
    return (article.title, article.kicker, article.subtitle, *(p.text for p in paras))


def _best_move(
    articles: list[RawArticle], index: int, zones: ParkFinder, topics: PageTopics
) -> _Move | None:
    host = articles[index]
    first = max(1, len(host.paras) - MAX_TAIL_PARAS)
    targets = [
        t for t in range(max(0, index - MAX_TARGETS_BACK), index) if articles[t].paras
    ]
    if not targets or first >= len(host.paras):
        return None
    target_parts = {t: _parts(articles[t], articles[t].paras) for t in targets}
    target_vectors = {t: topics.vector(parts) for t, parts in target_parts.items()}
    target_zones = {t: set(zones.parks_in("\n".join(parts))) for t, parts in target_parts.items()}
    any_target_zone = set().union(*target_zones.values())
    # Tails from the shortest up: each step moves one paragraph from the head to the tail,
    # and the vectors and dot products follow it (see RunningStretch).
    head = RunningStretch(topics, _parts(host, host.paras))
    tail = RunningStretch(topics)
    tail_head = 0.0
    tail_target = dict.fromkeys(targets, 0.0)
    moves: list[_Move] = []
    for start in range(len(host.paras) - 1, first - 1, -1):
        moved_text = host.paras[start].text
        from_head = head.remove(moved_text)
        to_tail = tail.add(moved_text)
        for gram, (tail_old, tail_new) in to_tail.items():
            head_old, head_new = from_head[gram]
            tail_head += tail_new * head_new - tail_old * head_old
        grams = list(to_tail)
        gains = [new - old for old, new in to_tail.values()]
        for t in targets:
            weights = map(target_vectors[t][0].get, grams, itertools.repeat(0.0))
            tail_target[t] += sum(map(operator.mul, gains, weights))
        tail_paras = host.paras[start:]
        if any_target_zone:
            tail_zones = set(zones.parks_in("\n".join(p.text for p in tail_paras)))
        else:
            tail_zones = set()
        # The head's zones matter only for a zone the tail shares with some target.
        head_zones = (
            set(zones.parks_in("\n".join(_parts(host, host.paras[:start]))))
            if tail_zones & any_target_zone
            else set()
        )
        to_head = _cosine(tail_head, tail, head.norm)
        before = host.paras[start - 1]
        leaves_cut = not before.is_subhead and not ends_sentence(before.text)
        as_long_as_head = start <= len(host.paras) // 2
        for t in targets:
            target = articles[t]
            cut = not ends_sentence(target.paras[-1].text) and not tail_paras[0].is_subhead
            if as_long_as_head and not (cut or leaves_cut):
                continue  # topic alone, on a head too short to judge it by
            shared_zone = bool((tail_zones - head_zones) & target_zones[t])
            margin = _cosine(tail_target[t], tail, target_vectors[t][1]) - to_head
            if cut or (shared_zone and leaves_cut):
                needed = MIN_MARGIN_AT_CUT
            elif shared_zone:
                needed = MIN_MARGIN
            else:
                needed = MIN_MARGIN_TOPIC_ONLY
            if margin >= needed:
                moves.append(_Move(index, start, t, margin))
    # The clearest margin; on a tie, the longest tail, then the earliest target.
    return max(moves, key=lambda m: (m.margin, -m.start, -m.target), default=None)


# Below this a stretch's length is nothing: bigrams found in every paragraph of a page
# weigh 0, and a length kept step by step can leave a rounding residue (a real length is
# at least one rarest bigram's weight, about 1 / paragraphs of the page).
_NO_LENGTH = 1e-9


def _cosine(dot: float, tail: RunningStretch, other_norm: float) -> float:
    """As PageTopics.similarity, from a kept dot product: 0 when either side has no length."""
    if tail.norm < _NO_LENGTH or other_norm < _NO_LENGTH:
        return 0.0
    return dot / (tail.norm * other_norm)
