"""The ingest pipeline for one page, as a sequence of small named steps.

read (see `read.py`) → split into blocks → classify blocks → assemble articles →
reattach displaced fragments → clean each article → link parks → extract figures.
Everything here is a pure function of the page text and the park registry; storing the
result is `store.py`'s job.
"""

from __future__ import annotations

import bisect
import re
from typing import Protocol

from .assemble import RawArticle, assemble_articles
from .blocks import split_blocks
from .classify import Classified, Kind, classify_blocks
from .clean import finish_article
from .figures import extract_figures
from .forked import map_forked
from .fragments import reattach_fragments
from .topic import PageTopics
from .types import ArticleDraft, FigureDraft, ParkMention

# Bump when extraction changes: stored pages are then processed again on the next ingest.
PIPELINE_VERSION = 3

_SENTENCE_BREAK = re.compile(r"[。！？!?；;\n]")


class Linker(Protocol):
    def find_mentions(self, text: str) -> list[ParkMention]: ...

    def parks_in(self, text: str) -> list[str]: ...

    def main_park(
        self, *, title: str, kicker: str = "", subtitle: str = "", body: str = ""
    ) -> str | None: ...


def process_page(text: str, linker: Linker, processes: int = 1) -> list[ArticleDraft]:
    """Articles of one page, with their parks and figures. With processes > 1 a page of
    many articles finishes them in that many processes (`forked.py`): the same drafts."""
    linker = RememberedZones(linker)
    items = classify_blocks(split_blocks(text))
    topics = page_topics(items)
    raws = assemble_articles(items, linker, topics)
    raws = reattach_fragments(raws, linker, topics)
    kept = [r for r in raws if r.paras or r.title]
    numbered = list(enumerate(kept, start=1))
    return map_forked(lambda item: finished_draft(item[1], item[0], linker), numbered,
                      processes)


def finished_draft(raw: RawArticle, ordinal: int, linker: Linker) -> ArticleDraft:
    """One assembled article cleaned, with its zones and its figures (each with the zone
    its sentence speaks of)."""
    draft = finish_article(raw, ordinal)
    link_parks(draft, linker)
    draft.figures = extract_figures(draft.body)
    if draft.figures:
        # One scan of the body for every figure: scanning each figure's sentence again
        # made a long run-on sentence of figures cost its length squared.
        zones = ZonesInText(linker.find_mentions(draft.body))
        sentences = sentence_bounds(draft.body)
        for figure in draft.figures:
            figure.park = figure_park(figure, draft, sentences, zones)
    return draft


class RememberedZones:
    """A linker whose answers are remembered for one page.

    The assembler and the fragment finder ask about the same paragraphs and articles many
    times (each article is compared with the next few); scanning a text for zones is a
    pure function of the text, so each distinct text is scanned once. Bounded, so a page
    of many thousands of paragraphs cannot grow it without end.
    """

    LIMIT = 4096

    def __init__(self, linker: Linker) -> None:
        self._linker = linker
        self._mentions: dict[str, list[ParkMention]] = {}

    def find_mentions(self, text: str) -> list[ParkMention]:
        found = self._mentions.get(text)
        if found is None:
            if len(self._mentions) >= self.LIMIT:
                self._mentions.clear()
            found = self._mentions[text] = self._linker.find_mentions(text)
        return list(found)

    def parks_in(self, text: str) -> list[str]:
        return list(dict.fromkeys(m.park for m in self.find_mentions(text)))

    def main_park(
        self, *, title: str, kicker: str = "", subtitle: str = "", body: str = ""
    ) -> str | None:
        return self._linker.main_park(title=title, kicker=kicker, subtitle=subtitle, body=body)


def page_topics(items: list[Classified]) -> PageTopics:
    """Bigram weights of the page's running text, shared by the steps that judge topics."""
    return PageTopics(i.text for i in items if i.kind in (Kind.PARA, Kind.REPORT))


def link_parks(draft: ArticleDraft, linker: Linker) -> None:
    """The article's main zone and every zone it names."""
    draft.park = linker.main_park(
        title=draft.title, kicker=draft.kicker, subtitle=draft.subtitle, body=draft.body
    )
    headline = " ".join(x for x in (draft.kicker, draft.title, draft.subtitle) if x)
    named = linker.parks_in(headline + "\n" + draft.body)
    draft.parks = ([draft.park] if draft.park else []) + [p for p in named if p != draft.park]


def sentence_bounds(text: str) -> list[int]:
    """Offsets where sentences start, 0 first (a newline also ends one)."""
    return [0, *(m.end() for m in _SENTENCE_BREAK.finditer(text))]


class ZonesInText:
    """The zone mentions of one text, in order, for lookups by offset."""

    def __init__(self, mentions: list[ParkMention]) -> None:
        self.mentions = mentions
        self.starts = [m.start for m in mentions]

    def last_within(self, start: int, end: int) -> str | None:
        """The zone of the last mention lying wholly inside [start, end)."""
        at = bisect.bisect_left(self.starts, end) - 1
        while at >= 0 and self.mentions[at].start >= start:
            if self.mentions[at].end <= end:
                return self.mentions[at].park
            at -= 1
        return None

    def first_within(self, start: int, end: int) -> str | None:
        """The zone of the first mention lying wholly inside [start, end)."""
        at = bisect.bisect_left(self.starts, start)
        if at < len(self.mentions) and self.mentions[at].end <= end:
            return self.mentions[at].park
        return None


def figure_park(
    figure: FigureDraft, draft: ArticleDraft, sentences: list[int], zones: ZonesInText
) -> str | None:
    """The zone the figure's sentence speaks of (the one named last before it), else the
    article's."""
    at = bisect.bisect_right(sentences, figure.start) - 1
    start = sentences[at]
    end = sentences[at + 1] if at + 1 < len(sentences) else len(draft.body)
    before = zones.last_within(start, figure.start)
    if before:
        return before
    return zones.first_within(figure.end, end) or draft.park
