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

Of the tails that qualify, the one with the clearest margin moves. Anything less stays
where it was printed: an article may well end on another zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .assemble import Para, RawArticle
from .text import ends_sentence
from .topic import PageTopics

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
    best: _Move | None = None
    first = max(1, len(host.paras) - MAX_TAIL_PARAS)
    targets = [
        (t, _parts(articles[t], articles[t].paras))
        for t in range(max(0, index - MAX_TARGETS_BACK), index)
        if articles[t].paras
    ]
    target_zones = {t: set(zones.parks_in("\n".join(parts))) for t, parts in targets}
    for start in range(first, len(host.paras)):
        tail = host.paras[start:]
        tail_parts = tuple(p.text for p in tail)
        head_parts = _parts(host, host.paras[:start])
        tail_zones = set(zones.parks_in("\n".join(tail_parts)))
        head_zones = set(zones.parks_in("\n".join(head_parts)))
        to_head = topics.similarity(tail_parts, head_parts)
        before = host.paras[start - 1]
        leaves_cut = not before.is_subhead and not ends_sentence(before.text)
        for t, target_parts in targets:
            target = articles[t]
            cut = not ends_sentence(target.paras[-1].text) and not tail[0].is_subhead
            shared_zone = bool((tail_zones - head_zones) & target_zones[t])
            margin = topics.similarity(tail_parts, target_parts) - to_head
            if cut or (shared_zone and leaves_cut):
                needed = MIN_MARGIN_AT_CUT
            elif shared_zone:
                needed = MIN_MARGIN
            else:
                needed = MIN_MARGIN_TOPIC_ONLY
            if margin >= needed and (best is None or margin > best.margin):
                best = _Move(index, start, t, margin)
    return best
