"""Step 5: give displaced column fragments back to the article they belong to.

A page's columns are sometimes printed out of order: the end of one article lands after
another. Such a tail is moved only on clear evidence, else left where it is:

* it starts at a break in the host article (a subhead, or a paragraph after one the
  layout cut mid-sentence);
* its first section names a zone, and that zone is the main zone of exactly one other
  article on the page;
* nothing from that break to the host's end names the host's own zone.

A tail that qualifies but has no owner on the page (its zone leads no other article, or
several) is split off as a fragment flagged for review when the layout cut a sentence at
the break; after a subhead it stays put, since an article may well end on another zone.
"""

from __future__ import annotations

from collections.abc import Callable

from .assemble import Para, RawArticle
from .text import ends_sentence

MainPark = Callable[[RawArticle], str | None]
ParkFinder = Callable[[str], list[str]]


def reattach_fragments(
    articles: list[RawArticle], main_park: MainPark, find_parks: ParkFinder
) -> list[RawArticle]:
    """Move displaced tails to their article; orphaned tails come last, as fragments."""
    owners = [main_park(article) for article in articles]
    orphans: list[RawArticle] = []
    for index, host in enumerate(articles):
        own = owners[index]
        if own is None:
            continue
        tail_at, target_park = _find_displaced_tail(host.paras, own, find_parks)
        if tail_at is None:
            continue
        tail = host.paras[tail_at:]
        candidates = [i for i, park in enumerate(owners) if park == target_park and i != index]
        if len(candidates) == 1:
            target = articles[candidates[0]]
            target.paras.extend(tail)
            target.fragment = True
            del host.paras[tail_at:]
        elif not tail[0].is_subhead:
            orphans.append(RawArticle(paras=tail, untitled=True, fragment=True))
            del host.paras[tail_at:]
    return articles + orphans


def _break_points(paras: list[Para]) -> list[int]:
    points = []
    for i in range(1, len(paras)):
        previous = paras[i - 1]
        cut_before = not previous.is_subhead and not ends_sentence(previous.text)
        if paras[i].is_subhead or cut_before:
            points.append(i)
    return points


def _find_displaced_tail(
    paras: list[Para], own_park: str, find_parks: ParkFinder
) -> tuple[int | None, str | None]:
    points = _break_points(paras)
    for n, start in enumerate(points):
        tail_text = "\n".join(p.text for p in paras[start:])
        if own_park in find_parks(tail_text):
            continue
        section_end = points[n + 1] if n + 1 < len(points) else len(paras)
        section_text = "\n".join(p.text for p in paras[start:section_end])
        foreign = [park for park in find_parks(section_text) if park != own_park]
        if foreign:
            return start, foreign[0]
    return None, None
