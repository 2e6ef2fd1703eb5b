"""A parsed query and its filters, as Whoosh queries.

Matching and ranking are separate on purpose. The match query decides *which* articles
are results, exactly: each needle is the phrase of its grams in the `text` field (a
substring test, see `analysis.py`; a `title:` needle in the `headline` field), combined
with AND / OR / NOT as typed, plus the facet filters; the combining is done on document
sets (`matching_array`). The query's field, date and figure conditions arrive as article
ids from the database (`conditions.py`) and keep or drop matches by their `django_id`.
The ranking query only orders them: the needle found in the headline (boosted) and the
needle's jieba words in `words`; it never adds or removes a result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from haystack.constants import DJANGO_CT, DJANGO_ID
from whoosh import query as wq
from whoosh.searching import Searcher

from archive.search import analysis, arrays
from archive.search.conditions import NONE, Restriction
from archive.search.facets import BY_PARAM, filter_query
from archive.search.query import Needle, ParsedQuery

TEXT = "text"
HEADLINE = "headline"
WORDS = "words"
ARTICLE_CT = "archive.article"
HEADLINE_BOOST = 3.0


def needle_query(needle: Needle | str, fieldname: str | None = None) -> wq.Query:
    """Documents whose field holds the needle as a substring (by default the needle's
    own field: the headline for `title:`, else the whole text)."""
    text = needle.text if isinstance(needle, Needle) else needle
    if fieldname is None:
        fieldname = HEADLINE if isinstance(needle, Needle) and needle.field == "title" else TEXT
    grams = analysis.needle_grams(text)
    if len(grams) == 1:
        return wq.Term(fieldname, grams[0])
    return wq.Phrase(fieldname, grams)


@dataclass
class MatchPlan:
    """Which documents match: in every group at least one query matches, and no
    excluded query matches. Evaluated with set operations (`matching_array`) rather than
    Whoosh's And/AndNot matchers, whose skip_to over phrase matchers is unreliable
    (AndNotMatcher lets excluded documents through, depending on document order:
    whoosh-community/whoosh#419; seen here with `大产 -高新区`)."""

    required: list[list[wq.Query]] = field(default_factory=list)
    excluded: list[wq.Query] = field(default_factory=list)
    ids: Restriction = NONE  # article ids the query's conditions allow and exclude
    nothing: bool = False  # the query can match nothing (`(` alone)


def match_plan(parsed: ParsedQuery, filters: Mapping[str, Sequence[str | int]],
               ids: Restriction = NONE) -> MatchPlan:
    """Exactly the articles that contain what was asked and pass every filter."""
    plan = MatchPlan(required=[[wq.Term(DJANGO_CT, ARTICLE_CT)]], ids=ids,
                     nothing=parsed.unsearchable or ids.empty)
    for param, values in filters.items():
        facet = BY_PARAM[param]
        plan.required += [[filter_query(facet, v)] for v in values]
    plan.required += [[needle_query(n) for n in c.needles] for c in parsed.positive]
    plan.excluded = [needle_query(n) for c in parsed.negative for n in c.needles]
    return plan


def matching_array(searcher: Searcher, plan: MatchPlan) -> np.ndarray:
    """Sorted document numbers the plan matches, deleted documents never (`arrays.py`;
    Whoosh's own matchers for a query that module does not evaluate)."""
    if plan.nothing:
        return arrays.EMPTY
    try:
        docs = arrays.match(searcher, plan.required, plan.excluded)
    except arrays.Unsupported:
        docs = np.array(sorted(_whoosh_matching_docs(searcher, plan)), dtype=np.int64)
    if plan.ids.only is None and not len(plan.ids.without):
        return docs
    ids = django_ids(searcher, docs)
    keep = np.ones(len(docs), dtype=bool)
    if plan.ids.only is not None:
        keep &= np.isin(ids, plan.ids.only)
    if len(plan.ids.without):
        keep &= ~np.isin(ids, plan.ids.without)
    return docs[keep]


def has_match(searcher: Searcher, plan: MatchPlan) -> bool:
    """Whether the plan matches anything: `matching_array` stopping at the first segment
    with a match, where nothing but the index decides (no id restriction, arrays.py)."""
    if plan.nothing:
        return False
    if plan.ids.only is None and not len(plan.ids.without):
        try:
            return arrays.any_match(searcher, plan.required, plan.excluded)
        except arrays.Unsupported:
            pass
    return len(matching_array(searcher, plan)) > 0


def django_ids(searcher: Searcher, docs: np.ndarray) -> np.ndarray:
    """The article id of each (sorted, global) document number."""
    out = []
    for segment in arrays.segments(searcher):
        lo, hi = np.searchsorted(docs, [segment.offset, segment.offset + segment.size])
        out.append(_segment_ids(segment)[docs[lo:hi] - segment.offset])
    return np.concatenate(out) if out else arrays.EMPTY


def _segment_ids(segment: arrays.Segment) -> np.ndarray:
    """Each document's django_id in one segment (-1 for none), read once and kept like
    the segment's facet values (its django_id terms are a whole-value field)."""

    def make() -> np.ndarray:
        pair_docs, codes, values = arrays._facet_pairs(segment, DJANGO_ID)
        out = np.full(segment.size, -1, dtype=np.int64)
        if values:
            numbers = np.array([int(v) for v in values], dtype=np.int64)
            out[pair_docs] = numbers[codes]
        return out

    return segment.cached(("django_ids",), make)


def _whoosh_matching_docs(searcher: Searcher, plan: MatchPlan) -> set[int]:
    docs: set[int] | None = None
    for group in plan.required:
        found: set[int] = set()
        for query in group:
            found.update(searcher.docs_for_query(query))
        docs = found if docs is None else docs & found
        if not docs:
            return set()
    docs = docs or set()
    for query in plan.excluded:
        docs -= set(searcher.docs_for_query(query))
    return docs


def rank_query(parsed: ParsedQuery) -> wq.Query | None:
    """What makes one result better than another; None when nothing was asked."""
    parts: list[wq.Query] = []
    for clause in parsed.positive:
        for needle in clause.needles:
            if needle.field != "title":
                parts.append(needle_query(needle, TEXT))
            headline = needle_query(needle, HEADLINE)
            headline.boost = HEADLINE_BOOST
            parts.append(headline)
            seen = set()
            for term in analysis.words(needle.text):
                if term.text not in seen:
                    seen.add(term.text)
                    parts.append(wq.Term(WORDS, term.text))
    return wq.Or(parts) if parts else None
