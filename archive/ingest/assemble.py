"""Step 4: assemble classified blocks into articles.

Reads the page top to bottom. A run of headline-like blocks opens a new article when
something says so (a byline or 本报讯 follows, the previous article was signed off, or the
headline names a zone); otherwise it is a subhead inside the open article, or, where it
interrupts a sentence, a caption or a displaced subtitle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .boundaries import RunContext, weigh
from .classify import (
    HEADLINE_LINE_MAX_CHARS,
    Classified,
    Kind,
    byline_names,
    looks_like_headline,
)
from .datelines import split_dateline
from .names import parse_name_line, split_trailing_names
from .text import SENTENCE_END, ends_sentence, fold, visible_length
from .topic import PageTopics
from .types import ParkMention


class ZoneFinder(Protocol):
    def parks_in(self, text: str) -> list[str]: ...

    def find_mentions(self, text: str) -> list[ParkMention]: ...


# A page's section label (要闻, 园区动态) is short and printed over the page's first
# headline; a longer line over a headline, or a short one further down, is a kicker.
SECTION_LABEL_MAX_CHARS = 4
# Blank lines that mark where a picture stood in the OCR'd column.
PICTURE_GAP = 2
# A kicker, or a headline over a dateline or byline, may run longer than a headline line;
# past this it is a sentence.
KICKER_MAX_CHARS = 64
# How much of the text under a headline run is read to judge its topic.
TOPIC_WINDOW_BLOCKS = 3
# How many articles back a headline's text is compared with (a displaced column's owner).
EARLIER_ARTICLES_READ = 6


@dataclass
class Para:
    text: str
    spans: list[tuple[int, int]]
    is_subhead: bool = False


@dataclass
class RawArticle:
    """An article while it is being assembled: paragraphs not yet joined or cleaned."""

    title: str = ""
    dateline: str = ""
    kicker: str = ""
    subtitle: str = ""
    section: str = ""
    authors: list[str] = field(default_factory=list)
    paras: list[Para] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    other_spans: list[tuple[int, int]] = field(default_factory=list)
    signed_off: bool = False
    untitled: bool = False
    fragment: bool = False

    @property
    def last_para(self) -> Para | None:
        return self.paras[-1] if self.paras else None

    def add_authors(self, names: list[str]) -> None:
        for name in names:
            if name not in self.authors:
                self.authors.append(name)


def block_span(item: Classified) -> tuple[int, int]:
    return (item.block.start, item.block.end)


def headline_text(item: Classified) -> str:
    """A headline printed over several lines reads as one line."""
    return " ".join(item.block.lines)


_DASHES = ("—", "-", "──")


def headline_parts(item: Classified) -> list[str]:
    """The headline lines of one block, a line opened by a dash starting a part of its own:
    `密云水库60年` over `——清水润京城` with no blank line between is a title and its
    subtitle, as when a blank line stands between them."""
    parts: list[list[str]] = []
    for line in item.block.lines:
        if not parts or line.lstrip().startswith(_DASHES):
            parts.append([])
        parts[-1].append(line)
    return [" ".join(part) for part in parts]


def assemble_articles(
    items: list[Classified], zones: ZoneFinder, topics: PageTopics
) -> list[RawArticle]:
    """Group the page's blocks into articles, in page order."""
    assembler = _Assembler(promote_long_kickers(items), zones, topics)
    return assembler.run()


# What a long headline-like line stands over when it is a kicker (a headline) or the
# headline itself (a dateline paragraph, a byline or a line of authors' names over text).
_OVER_LONG_HEADLINE = (Kind.SHORT, Kind.REPORT, Kind.BYLINE, Kind.NAMES)


def _opens_body(items: list[Classified], byline_at: int) -> bool:
    """The byline at `byline_at` opens an article: it is no bracketed credit, and text
    follows it."""
    byline = items[byline_at]
    after = items[byline_at + 1] if byline_at + 1 < len(items) else None
    return not byline.text.lstrip().startswith(("(", "（")) and (
        after is not None and after.kind in (Kind.PARA, Kind.REPORT)
    )


def promote_long_kickers(items: list[Classified]) -> list[Classified]:
    """A long kicker or headline (over a headline's length) is headline-like in place.

    It reads as a paragraph on its own, but a line with no sentence in it, standing after
    a finished paragraph and right over a headline, is a kicker: text never stops without
    its punctuation just before a headline. Right over a dateline paragraph (本报讯,
    新华社…电) or a byline, which open an article, it is that article's headline: one
    line of it, as a wide headline can come out of the OCR, or several headline-wide lines.
    """
    out = list(items)
    for i, item in enumerate(items[:-1]):
        if item.kind is not Kind.PARA or items[i + 1].kind not in _OVER_LONG_HEADLINE:
            continue
        if items[i + 1].kind in (Kind.BYLINE, Kind.NAMES) and not _opens_body(items, i + 1):
            continue  # a credit closing an article, `（记者 李明）`, not one opening it
        one_line = len(item.block.lines) == 1
        if not one_line and items[i + 1].kind is Kind.SHORT:
            continue  # a kicker is one line
        if i > 0 and items[i - 1].kind is Kind.PARA and not ends_sentence(items[i - 1].text):
            continue
        line_chars = KICKER_MAX_CHARS if one_line else HEADLINE_LINE_MAX_CHARS
        if looks_like_headline(item.text, max_chars=line_chars, max_total=KICKER_MAX_CHARS):
            out[i] = Classified(item.block, Kind.SHORT)
    return out


class _Assembler:
    def __init__(self, items: list[Classified], zones: ZoneFinder, topics: PageTopics) -> None:
        self.items = items
        self.zones = zones
        self.find_parks = zones.parks_in
        self.topics = topics
        self.articles: list[RawArticle] = []
        self.pending_credits: list[tuple[str, tuple[int, int]]] = []

    @property
    def current(self) -> RawArticle | None:
        return self.articles[-1] if self.articles else None

    def run(self) -> list[RawArticle]:
        index = 0
        while index < len(self.items):
            item = self.items[index]
            if item.kind is Kind.SHORT:
                index = self.take_headlines(index)
                continue
            handler = {
                Kind.CREDIT: self.take_credit,
                Kind.CAPTION: self.take_caption,
                Kind.BYLINE: self.take_byline,
                Kind.NAMES: self.take_names,
                Kind.REPORT: self.take_report,
                Kind.PARA: self.take_paragraph,
                Kind.PAGE_META: self.skip,
            }[item.kind]
            handler(item)
            index += 1
        return self.articles

    # --- single blocks -------------------------------------------------------------

    def take_credit(self, item: Classified) -> None:
        if self.current is None:
            self.pending_credits.append((item.text, block_span(item)))
            return
        self.current.credits.append(item.text)
        self.current.other_spans.append(block_span(item))

    def skip(self, item: Classified) -> None:
        """Page furniture (header, editor credits) belongs to no article."""

    def take_caption(self, item: Classified) -> None:
        article = self.current or self.open_untitled()
        article.captions.append(item.text)
        article.other_spans.append(block_span(item))

    def take_byline(self, item: Classified) -> None:
        article = self.current or self.open_untitled()
        article.add_authors(byline_names(item.text))
        article.other_spans.append(block_span(item))
        if article.paras:
            article.signed_off = True

    def take_names(self, item: Classified) -> None:
        article = self.current or self.open_untitled()
        article.add_authors(parse_name_line(fold(item.text)) or [])
        article.other_spans.append(block_span(item))
        if article.paras:
            # Names after the text sign the article off: what follows is another one.
            article.signed_off = True

    def take_report(self, item: Classified) -> None:
        """A paragraph opened by a dateline: the dateline is kept apart from the body.

        A dateline below the text of an article means a new report whose headline the
        page lost (or never printed): it opens an untitled article.
        """
        article = self.current
        if article is None or article.signed_off or article.paras or article.dateline:
            article = self.open_untitled()
        dateline, rest = split_dateline(item.text)
        if dateline is not None:
            article.dateline = dateline.text
            article.add_authors(list(dateline.credited))
        self.add_text(article, rest, item)

    def take_paragraph(self, item: Classified) -> None:
        article = self.current
        if article is None or article.signed_off:
            article = self.open_untitled()
        self.add_text(article, item.text, item)

    @staticmethod
    def add_text(article: RawArticle, text: str, item: Classified) -> None:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines:
            article.paras.append(Para("".join(lines), [block_span(item)]))
        else:
            article.other_spans.append(block_span(item))

    def open_untitled(self) -> RawArticle:
        """Text with no headline above it: the page starts inside an article."""
        article = RawArticle(untitled=True)
        self.open(article)
        return article

    def open(self, article: RawArticle) -> None:
        for text, span in self.pending_credits:
            article.credits.append(text)
            article.other_spans.append(span)
        self.pending_credits.clear()
        self.articles.append(article)

    # --- headline runs -------------------------------------------------------------

    def take_headlines(self, index: int) -> int:
        """Handle a run of headline-like blocks; return the index after it."""
        stack: list[Classified] = []
        credits: list[Classified] = []
        end = index
        # Credits and page furniture (a 责任编辑 line) may stand among the headline lines.
        while end < len(self.items) and self.items[end].kind in (
            Kind.SHORT, Kind.CREDIT, Kind.PAGE_META
        ):
            kind = self.items[end].kind
            if kind is not Kind.PAGE_META:
                (stack if kind is Kind.SHORT else credits).append(self.items[end])
            end += 1
        following = self.items[end] if end < len(self.items) else None

        verdict = weigh(self.context(stack, end))
        if verdict.opens:
            self.open(self.article_from_headlines(stack))
        elif self.interrupts_sentence(stack, following):
            self.take_interruption(stack)
        else:
            self.take_subheads(stack)
        for credit in credits:
            self.take_credit(credit)
        return end

    def context(self, stack: list[Classified], end: int) -> RunContext:
        """What the page says around the headline run `stack`, which ends before `end`."""
        article = self.current
        following = self.items[end] if end < len(self.items) else None
        headline = " ".join(headline_text(item) for item in stack)
        below = self.text_below(end)
        decisive = None
        if article is None:
            decisive = "page-start"
        elif article.signed_off or self.ends_with_names(article):
            decisive = "signed-off"
        elif following is not None and following.kind in (Kind.BYLINE, Kind.NAMES):
            decisive = "byline-below"
        elif following is not None and following.kind is Kind.REPORT:
            decisive = "dateline-below"
        zones = self.headline_zones(headline, "\n".join(below))
        open_zone = self.zone_of(article) if article is not None else None
        similarity = None
        earlier = 0.0
        earlier_zone = False
        if article is not None and below and article.paras:
            # A displaced column lands near its article: the last few articles are enough,
            # and keep the cost linear in the page.
            recent = self.articles[-1 - EARLIER_ARTICLES_READ : -1]
            named_below = self.find_parks("\n".join(below))
            earlier_zones = {self.zone_of(a) for a in recent} - {open_zone, None}
            earlier_zone = bool(named_below) and named_below[0] in earlier_zones
            similarity = self.topics.similarity(below, self.article_text(article))
            earlier = max(
                (self.topics.similarity(below, self.article_text(a)) for a in recent),
                default=0.0,
            )
        return RunContext(
            headline=headline,
            stacked=len(stack) >= 2,
            decisive=decisive,
            names_zone=bool(zones),
            names_open_zone=open_zone in zones,
            topic_similarity=similarity,
            earlier_similarity=earlier,
            below_names_earlier_zone=earlier_zone,
            cuts_sentence=self.interrupts_sentence(stack, following),
        )

    @staticmethod
    def ends_with_names(article: RawArticle) -> bool:
        """`…的有生力量。 耿丽如`: authors' names after the last sentence sign it off."""
        last = article.last_para
        return last is not None and bool(split_trailing_names(last.text, SENTENCE_END)[1])

    def text_below(self, end: int) -> tuple[str, ...]:
        """The paragraphs under a headline run, up to the next headline."""
        texts: list[str] = []
        for item in self.items[end:]:
            if item.kind is Kind.SHORT or len(texts) >= TOPIC_WINDOW_BLOCKS:
                break
            if item.kind in (Kind.PARA, Kind.REPORT):
                texts.append(split_dateline(item.text)[1])
        return tuple(texts)

    @staticmethod
    def article_text(article: RawArticle) -> tuple[str, ...]:
        return (article.title, article.kicker, *(p.text for p in article.paras))

    def headline_zones(self, headline: str, below: str) -> list[str]:
        """Zones the headline names, read with the text below it as evidence.

        An alias such as 光谷 alone proves nothing (a hospital, a torch relay); the same
        evidence rule as park linking applies, with the article's first paragraphs as the
        text that may name the zone plainly.
        """
        mentions = self.zones.find_mentions(headline + "\n" + below)
        return list(dict.fromkeys(m.park for m in mentions if m.start < len(headline)))

    def zone_of(self, article: RawArticle) -> str | None:
        texts = (article.title, article.kicker, article.subtitle, *(p.text for p in article.paras))
        for text in texts:
            named = self.find_parks(text) if text else []
            if named:
                return named[0]
        return None

    def interrupts_sentence(self, stack: list[Classified], following: Classified | None) -> bool:
        """A single short line standing inside a sentence cut by the layout."""
        article = self.current
        if article is None or article.last_para is None or following is None:
            return False
        if following.kind is not Kind.PARA or ends_sentence(article.last_para.text):
            return False
        return len(stack) == 1 and len(stack[0].block.lines) == 1

    def take_interruption(self, stack: list[Classified]) -> None:
        """A caption beside a picture gap, else the headline's displaced second part."""
        article = self.current
        assert article is not None
        item = stack[0]
        text = headline_text(item)
        if item.block.blank_lines_before < PICTURE_GAP and not article.subtitle:
            article.subtitle = text
        else:
            article.captions.append(text)
        article.other_spans.append(block_span(item))

    def take_subheads(self, stack: list[Classified]) -> None:
        article = self.current
        assert article is not None
        for item in stack:
            article.paras.append(Para(headline_text(item), [block_span(item)], is_subhead=True))

    def article_from_headlines(self, stack: list[Classified]) -> RawArticle:
        article = RawArticle(other_spans=[block_span(item) for item in stack])
        lines = [part for item in stack for part in headline_parts(item)]
        if len(lines) >= 2 and self.at_page_top() and self.is_section_label(lines[0]):
            article.section = lines.pop(0)
        if len(lines) == 1:
            article.title = lines[0]
        elif lines:
            article.kicker, article.title, article.subtitle = self.split_headline_stack(lines)
        return article

    def at_page_top(self) -> bool:
        """No article text yet: what stands here is the page's own furniture or first headline."""
        return not any(article.paras for article in self.articles)

    def is_section_label(self, line: str) -> bool:
        return visible_length(line) <= SECTION_LABEL_MAX_CHARS and not self.find_parks(line)

    def split_headline_stack(self, lines: list[str]) -> tuple[str, str, str]:
        """Kicker, title, subtitle of a stacked headline.

        The main title is the line naming a zone; with no such clue, a two-line stack is
        read kicker-over-title, the common layout of these pages. A line opened by a dash
        is a subtitle wherever it stands.
        """
        subtitle = ""
        if len(lines) >= 2 and lines[-1].lstrip().startswith(_DASHES):
            subtitle = lines.pop().lstrip("—-─ ").strip()
        if len(lines) == 1:
            return "", lines[0], subtitle
        naming = [i for i, line in enumerate(lines) if self.find_parks(line)]
        title_at = naming[0] if naming else len(lines) - 1
        kicker = " ".join(lines[:title_at])
        rest = lines[title_at + 1 :]
        if rest:
            subtitle = " ".join([*rest, subtitle] if subtitle else rest)
        return kicker, lines[title_at], subtitle
