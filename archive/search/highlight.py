"""Highlighting with the index's own analysis.

A query's needles (`query.py`) match where their folded characters stand in a row in the
folded text (`analysis.fold`), which is exactly what the gram phrases match in the index;
so the marked spans are the matches, mapped back to the original characters. Everything
else is HTML-escaped: article text is never trusted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from whoosh import query as wq

from archive.search.analysis import fold

SNIPPET_CHARS = 140
LEAD_CHARS = 24
ELLIPSIS = "…"
MAX_ANCHORS, MAX_SPANS_SCORED = 40, 300
CLAUSE_BREAKS = frozenset("。！？；，、：,.!?;: \n")


def find_spans(text: str, needles: Iterable[str]) -> list[tuple[int, int, int]]:
    """(start, end, needle index) of every occurrence, in original offsets, sorted."""
    needles = list(needles)
    if not needles or not text:
        return []
    folded = fold(text)
    found = []
    for index, needle in enumerate(needles):
        if not needle:
            continue
        at = folded.text.find(needle)
        while at != -1:
            start, end = folded.span(at, at + len(needle))
            found.append((start, end, index))
            at = folded.text.find(needle, at + 1)
    return sorted(found)


def _merge(spans: Sequence[tuple[int, int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end, _ in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def mark(text: str, spans: Sequence[tuple[int, int, int]], start: int = 0,
         end: int | None = None) -> str:
    """text[start:end], escaped, with the spans inside <mark>."""
    end = len(text) if end is None else end
    out, at = [], start
    for s, e in _merge(spans):
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(escape(text[at:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        at = e
    out.append(escape(text[at:end]))
    return "".join(out)


def highlight(text: str, needles: Sequence[str]) -> SafeString:
    """The whole text, escaped, with every match marked."""
    return mark_safe(mark(text, find_spans(text, needles)))


def snippet(text: str, needles: Sequence[str], size: int = SNIPPET_CHARS) -> SafeString:
    """About `size` characters of text around the place where most of the needles meet,
    escaped, matches marked; the opening of the text when nothing matches."""
    text = " ".join(text.split())
    spans = find_spans(text, needles)
    if len(text) <= size:
        start, end = 0, len(text)
    elif not spans:
        start, end = 0, size
    else:
        start = _best_window(text, spans, size)
        end = min(len(text), start + size)
        start = max(0, min(start, end - size))
    body = mark(text, spans, start, end)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return mark_safe(prefix + body + suffix)


def _best_window(text: str, spans: Sequence[tuple[int, int, int]], size: int) -> int:
    """Start of the window (a clause start shortly before a match) that holds the most
    distinct needles, then the most matches; the earliest on ties."""
    best, best_key = 0, (-1, -1)
    # Bounded work for queries that match everywhere: the first matches decide.
    near = spans[:MAX_SPANS_SCORED]
    for anchor, _, _ in near[:MAX_ANCHORS]:
        start = _clause_start(text, anchor)
        inside = [s for s in near if s[0] >= start and s[1] <= start + size]
        key = (len({s[2] for s in inside}), len(inside))
        if key > best_key:
            best, best_key = start, key
    return best


def _clause_start(text: str, anchor: int) -> int:
    """Just after the last clause break within LEAD_CHARS before anchor, else
    LEAD_CHARS before it."""
    low = max(0, anchor - LEAD_CHARS)
    for i in range(anchor - 1, low - 1, -1):
        if text[i] in CLAUSE_BREAKS:
            return i + 1
    return low


# haystack's SearchQuerySet.highlight() (see backend._process_results).


def needles_in_query(q: wq.Query, fieldname: str) -> list[str]:
    """The strings a parsed Whoosh query looks for in the gram field, outside NOTs."""
    needles: list[str] = []

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.Phrase) and node.fieldname == fieldname and node.words:
            needles.append(node.words[0] + "".join(w[-1] for w in node.words[1:]))
        elif isinstance(node, wq.Term) and node.fieldname == fieldname:
            needles.append(str(node.text))
        for child in node.children():
            walk(child)

    walk(q)
    return needles


def highlight_search_results(results: list[Any], needles: list[str], fieldname: str) -> None:
    """Set `highlighted` on haystack SearchResults for articles, from the database text."""
    from archive.models import Article

    pks = [int(r.pk) for r in results if r.model_name == "article"]
    articles = Article.objects.in_bulk(pks)
    for result in results:
        article = articles.get(int(result.pk))
        if article is not None:
            result.highlighted = {fieldname: [str(snippet(article.body, needles))]}
