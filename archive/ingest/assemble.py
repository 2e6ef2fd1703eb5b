"""Step 4: assemble classified blocks into articles.

Reads the page top to bottom. A run of headline-like blocks opens a new article when
something says so (a byline or 本报讯 follows, the previous article was signed off, or the
headline names a zone); otherwise it is a subhead inside the open article, or, where it
interrupts a sentence, a caption or a displaced subtitle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .classify import Classified, Kind, byline_names, report_credit
from .names import parse_name_line
from .text import ends_sentence, fold, visible_length

ParkFinder = Callable[[str], list[str]]

SECTION_LABEL_MAX_CHARS = 6
# Blank lines that mark where a picture stood in the OCR'd column.
PICTURE_GAP = 2


@dataclass
class Para:
    text: str
    spans: list[tuple[int, int]]
    is_subhead: bool = False


@dataclass
class RawArticle:
    """An article while it is being assembled: paragraphs not yet joined or cleaned."""

    title: str = ""
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


def assemble_articles(items: list[Classified], find_parks: ParkFinder) -> list[RawArticle]:
    """Group the page's blocks into articles, in page order."""
    assembler = _Assembler(items, find_parks)
    return assembler.run()


class _Assembler:
    def __init__(self, items: list[Classified], find_parks: ParkFinder) -> None:
        self.items = items
        self.find_parks = find_parks
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
                Kind.REPORT: self.take_paragraph,
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

    def take_paragraph(self, item: Classified) -> None:
        article = self.current
        if article is None or article.signed_off:
            article = self.open_untitled()
        text = item.text
        if item.kind is Kind.REPORT:
            text, names = report_credit(text)
            article.add_authors(names)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        article.paras.append(Para("".join(lines), [block_span(item)]))

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
        while end < len(self.items) and self.items[end].kind in (Kind.SHORT, Kind.CREDIT):
            target = stack if self.items[end].kind is Kind.SHORT else credits
            target.append(self.items[end])
            end += 1
        following = self.items[end] if end < len(self.items) else None

        if self.opens_article(stack, following):
            self.open(self.article_from_headlines(stack))
        elif self.interrupts_sentence(stack, following):
            self.take_interruption(stack)
        else:
            self.take_subheads(stack)
        for credit in credits:
            self.take_credit(credit)
        return end

    def opens_article(self, stack: list[Classified], following: Classified | None) -> bool:
        article = self.current
        if article is None or article.signed_off:
            return True
        if following is not None and following.kind in (Kind.BYLINE, Kind.NAMES, Kind.REPORT):
            return True
        if self.interrupts_sentence(stack, following):
            return False
        if any(self.find_parks(headline_text(item)) for item in stack):
            return True
        return self.turns_to_another_zone(following)

    def turns_to_another_zone(self, following: Classified | None) -> bool:
        """The text under the headline is about a zone no article so far is about.

        A subhead is followed by more about the open article's zone (or none); a headline
        whose text names a new zone starts a new article. A zone another article on the
        page is about means a displaced column of that article: a subhead, for
        `fragments` to give back.
        """
        if following is None or following.kind is not Kind.PARA or self.current is None:
            return False
        named = self.find_parks(following.text)
        if not named:
            return False
        if self.zone_of(self.current) in named:
            return False
        return all(named[0] != self.zone_of(article) for article in self.articles)

    def zone_of(self, article: RawArticle) -> str | None:
        texts = (article.title, article.kicker, article.subtitle, *(p.text for p in article.paras))
        for text in texts:
            named = self.find_parks(text) if text else []
            if named:
                return named[0]
        return None

    def interrupts_sentence(self, stack: list[Classified], following: Classified | None) -> bool:
        """A short line standing inside a sentence cut by the layout: a caption or subtitle."""
        article = self.current
        if article is None or article.last_para is None or following is None:
            return False
        if following.kind is not Kind.PARA or ends_sentence(article.last_para.text):
            return False
        if len(stack) != 1:
            return False
        beside_picture = stack[0].block.blank_lines_before >= PICTURE_GAP
        return beside_picture or not self.find_parks(stack[0].text)

    def take_interruption(self, stack: list[Classified]) -> None:
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
        lines = [headline_text(item) for item in stack]
        if len(lines) >= 2 and self.is_section_label(lines[0]):
            article.section = lines.pop(0)
        if len(lines) == 1:
            article.title = lines[0]
        elif lines:
            article.kicker, article.title, article.subtitle = self.split_headline_stack(lines)
        return article

    def is_section_label(self, line: str) -> bool:
        return visible_length(line) <= SECTION_LABEL_MAX_CHARS and not self.find_parks(line)

    def split_headline_stack(self, lines: list[str]) -> tuple[str, str, str]:
        """Kicker, title, subtitle of a stacked headline.

        The main title is the line naming a zone; with no such clue, a two-line stack is
        read kicker-over-title, the common layout of these pages. A line opened by a dash
        is a subtitle wherever it stands.
        """
        subtitle = ""
        if len(lines) >= 2 and lines[-1].lstrip().startswith(("—", "-", "──")):
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
