"""Article text marked up for reading: figures inline, and the page text with spans.

Everything is escaped piece by piece and joined with format_html, so article text never
reaches the page unescaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from archive.models import Article, Figure
from archive.search import highlight as search_marks
from archive.templatetags.archive_format import (
    QUALIFIERS_AFTER_NUMBER,
    printed_value,
)

register = template.Library()


def figure_extent(body: str, figure: Figure) -> tuple[int, int] | None:
    """Where a figure reads in the body: its number plus the qualifier and unit after it.

    None when the body no longer has the number at the stored position (a person edited
    the body, say): better no mark than a mark on the wrong words.
    """
    start = figure.position
    text = figure.value_text
    if not text or body[start : start + len(text)] != text:
        return None
    printed = figure.printed
    if printed:
        # The printed form holds the number; it may start before it (超2亿元).
        at = body.find(printed, max(0, start - len(printed)), start + len(printed))
        if at != -1 and at <= start < at + len(printed):
            return at, at + len(printed)
    end = start + len(text)
    if figure.qualifier in QUALIFIERS_AFTER_NUMBER and body.startswith(figure.qualifier, end):
        end += len(figure.qualifier)
    if figure.unit and body.startswith(figure.unit, end):
        end += len(figure.unit)
    return start, end


def figure_marks(body: str, figures: Iterable[Figure]) -> list[tuple[int, int, Figure]]:
    """Non-overlapping (start, end, figure) in body order; the first of overlapping wins."""
    marks = []
    for figure in figures:
        extent = figure_extent(body, figure)
        if extent:
            marks.append((*extent, figure))
    marks.sort(key=lambda m: (m[0], -m[1]))
    kept: list[tuple[int, int, Figure]] = []
    for mark in marks:
        if not kept or mark[0] >= kept[-1][1]:
            kept.append(mark)
    return kept


def mark_html(text: str, figure: Figure) -> SafeString:
    label = figure.label or "数据"
    return format_html(
        '<a class="fig" id="m-{}" href="#f-{}" title="{}：{}（{}）">{}</a>',
        figure.pk,
        figure.pk,
        label,
        printed_value(figure),
        figure.get_status_display(),
        text,
    )


def body_paragraphs(
    body: str, figures: Iterable[Figure], needles: Sequence[str] = ()
) -> list[SafeString]:
    """The body's paragraphs as HTML, each figure's words linked to its entry below and,
    with `needles` (a search's, `highlight.find_spans`), its matches in <mark>."""
    marks = figure_marks(body, figures)
    spans = search_marks.find_spans(body, needles) if needles else []

    def text(start: int, end: int) -> SafeString:
        # `mark` escapes the text and adds only <mark> around the matches.
        return mark_safe(search_marks.mark(body, spans, start, end))

    paragraphs = []
    offset = 0
    for line in body.split("\n"):
        end = offset + len(line)
        pieces: list[SafeString | str] = []
        cursor = offset
        for start, stop, figure in marks:
            # A mark never spans a paragraph break: the number and unit sit on one line.
            if start < offset or stop > end:
                continue
            pieces.append(text(cursor, start))
            pieces.append(mark_html(text(start, stop), figure))
            cursor = stop
        pieces.append(text(cursor, end))
        if line.strip():
            paragraphs.append(format_html_join("", "{}", ((p,) for p in pieces)))
        offset = end + 1
    return paragraphs


@dataclass(frozen=True)
class Piece:
    """A run of page text and which article, if any, it was assigned to."""

    text: str
    article: Article | None


def page_pieces(raw_text: str, articles: Sequence[Article]) -> list[Piece]:
    """The page text cut at every span boundary of the page's articles."""
    boundaries = {0, len(raw_text)}
    spans = []
    for article in articles:
        for start, end in article.spans:
            start, end = max(0, start), min(len(raw_text), end)
            if start < end:
                spans.append((start, end, article))
                boundaries.update((start, end))
    cuts = sorted(boundaries)
    at = {cut: i for i, cut in enumerate(cuts)}
    # Owner of each run between two cuts, painted span by span: linear in the page, where
    # asking every span about every run cost articles × articles on a big page.
    owners: list[Article | None] = [None] * (len(cuts) - 1)
    for start, end, article in spans:
        for i in range(at[start], at[end]):
            # Spans of two articles should not overlap; if they do, the first listed wins.
            if owners[i] is None:
                owners[i] = article
    pieces: list[Piece] = []
    run_start = 0
    for i, end in enumerate(cuts[1:]):
        if i + 1 == len(owners) or owners[i + 1] is not owners[i]:
            pieces.append(Piece(raw_text[cuts[run_start] : end], owners[i]))
            run_start = i + 1
    return pieces


@register.simple_tag
def marked_body(
    article: Article, figures: Iterable[Figure], needles: Sequence[str] = ()
) -> SafeString:
    """<p> per paragraph of the article body, with its figures (and search matches)
    marked."""
    return format_html_join(
        "\n", "<p>{}</p>", ((p,) for p in body_paragraphs(article.body, figures, needles))
    )


@register.simple_tag
def marked_text(text: str, needles: Sequence[str] = ()) -> SafeString:
    """Text escaped, with a search's matches in <mark>."""
    return search_marks.highlight(text or "", needles)


@register.simple_tag
def marked_page_text(article: Article, page_articles: Sequence[Article]) -> SafeString:
    """The page as read, this article's spans in <mark>, other articles' spans labelled."""
    html = []
    for piece in page_pieces(article.page.raw_text, page_articles):
        if piece.article is None:
            html.append(format_html('<span class="loose">{}</span>', piece.text))
        elif piece.article.pk == article.pk:
            html.append(format_html("<mark>{}</mark>", piece.text))
        else:
            html.append(
                format_html(
                    '<span class="other" title="{}">{}</span>',
                    f"第{piece.article.ordinal}篇：{piece.article.title or '无标题'}",
                    piece.text,
                )
            )
    return mark_safe("".join(html))  # every piece was built by format_html above
