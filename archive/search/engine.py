"""Running one search: parse, match, count, facet, rank or sort, page, highlight.

One pass over the index finds the exact set of matching documents (unscored), which
gives the count and the facet counts; a second, ranked or date-sorted pass restricted to
that set gives the requested page. Articles are then read from the database (the source
of truth) and highlighted there.

On Elasticsearch (`elasticsearch_backend.active()`), one request gives the count, the
facet counts and the page for the same match and ranking; the rest is shared.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString
from whoosh import query as wq

from archive.models import Article, Park
from archive.search import arrays, conditions, dictionary, facets, highlight, suggest
from archive.search import compile as qc
from archive.search import elasticsearch_backend as es
from archive.search.backend import get_backend
from archive.search.params import SearchParams
from archive.search.query import ParsedQuery, parse

log = logging.getLogger(__name__)


@dataclass
class Hit:
    article: Article
    title_html: SafeString
    snippet_html: SafeString
    score: float | None


@dataclass
class Outcome:
    params: SearchParams
    parsed: ParsedQuery
    sort: str
    count: int = 0
    page: int = 1
    num_pages: int = 1
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str | int, int]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    suggestion: str | None = None
    parks: list[Park] = field(default_factory=list)
    zone_gaps: list[suggest.ZoneGap] = field(default_factory=list)


@dataclass
class _Found:
    count: int
    page: int
    ids: list[tuple[int, float | None]]
    facet_counts: dict[str, Any]


def effective_sort(params: SearchParams, parsed: ParsedQuery) -> str:
    if params.sort in ("newest", "oldest"):
        return params.sort
    return "relevance" if parsed.positive else "newest"


def search(
    params: SearchParams, *, with_facets: bool = True, with_highlight: bool = True
) -> Outcome:
    """Run the search; raises backend.SearchUnavailable when the index does not answer."""
    parsed = parse(params.q)
    sort = effective_sort(params, parsed)
    outcome = Outcome(params=params, parsed=parsed, sort=sort, notes=list(parsed.notes))
    dictionary.load_database_parks()
    wanted = facets.FACETS if with_facets else ()
    ids = conditions.restriction(parsed.conditions)
    cluster = es.active()
    if cluster is not None:
        found = _run_on_cluster(cluster, parsed, sort, params, wanted, ids)
    else:
        match = qc.match_plan(parsed, params.filters, ids)
        rank = qc.rank_query(parsed) if sort == "relevance" else None
        found = get_backend().read(lambda s: _run(s, match, rank, sort, params, wanted))

    outcome.count, outcome.page = found.count, found.page
    outcome.num_pages = max(1, math.ceil(found.count / params.per_page))
    outcome.facets = {
        f.param: facets.ranked(found.facet_counts[f.param], f)
        for f in wanted
        if f.param in found.facet_counts
    }
    outcome.hits = _hits(found.ids, parsed.needles(), with_highlight)
    if parsed.positive:
        outcome.parks = suggest.parks_matching(parsed)
        if found.count == 0:
            outcome.suggestion = suggest.suggestion(parsed, params.filters)
            outcome.zone_gaps = suggest.zone_gaps(parsed, params.filters)
    return outcome


def count_matches(parsed: ParsedQuery, filters: dict[str, tuple[str | int, ...]]) -> int:
    return _count(parsed, filters, lambda s, plan: len(qc.matching_array(s, plan)))


def has_matches(parsed: ParsedQuery, filters: dict[str, tuple[str | int, ...]]) -> bool:
    """count_matches(...) > 0, without counting past the first segment that matches."""
    return _count(parsed, filters, qc.has_match) > 0


def _count(parsed: ParsedQuery, filters: dict[str, tuple[str | int, ...]],
           on_index: Callable[[Any, qc.MatchPlan], int]) -> int:
    ids = conditions.restriction(parsed.conditions)
    cluster = es.active()
    if cluster is not None:
        return cluster.count_articles(es.article_query(parsed, filters, ids))
    plan = qc.match_plan(parsed, filters, ids)
    return get_backend().read(lambda s: int(on_index(s, plan)))


def _run(searcher: Any, match: qc.MatchPlan, rank: wq.Query | None, sort: str,
         params: SearchParams, wanted: tuple[facets.Facet, ...]) -> _Found:
    docs = qc.matching_array(searcher, match)
    count = len(docs)
    facet_counts = facets.count(searcher, docs, wanted, facets.VALUES_MAX) if wanted else {}
    page = min(params.page, max(1, math.ceil(count / params.per_page)))
    start, end = (page - 1) * params.per_page, page * params.per_page
    if not count or start >= count:
        return _Found(count, page, [], facet_counts)
    # Every match is ranked (a match no ranking clause scores comes last), so every match
    # is reachable by paging.
    if rank is not None:
        order: list[tuple[int, float | None]] = list(arrays.ranked(searcher, docs, rank, end))
    else:
        newest = sort == "newest"
        order = [(d, None) for d in arrays.by_date(searcher, docs, "issue_date", newest, end)]
    ids = [(int(searcher.stored_fields(d)["django_id"]), score) for d, score in order[start:end]]
    return _Found(count, page, ids, facet_counts)


def _run_on_cluster(cluster: es.ParkNewsElasticsearchBackend, parsed: ParsedQuery, sort: str,
                    params: SearchParams, wanted: tuple[facets.Facet, ...],
                    ids: conditions.Restriction) -> _Found:
    """`_run` on Elasticsearch: the same matches, facet counts, ranking and paging."""
    match = es.article_query(parsed, params.filters, ids)
    needles = [es.needle_of(n) for clause in parsed.positive for n in clause.needles]
    rank = es.rank_query(needles) if sort == "relevance" else []
    per_page = params.per_page
    found = cluster.search_articles(
        match, rank, facet_fields=[f.field for f in wanted],
        start=(params.page - 1) * per_page, size=per_page, sort=sort,
    )
    page = min(params.page, max(1, math.ceil(found.count / per_page)))
    ids = found.ids
    if page != params.page and found.count:
        # Past the end: the last page, as on Whoosh (the count was needed to know it).
        ids = cluster.search_articles(
            match, rank, start=(page - 1) * per_page, size=per_page, sort=sort
        ).ids
    facet_counts = {f.param: Counter(dict(found.facets[f.field])) for f in wanted}
    return _Found(found.count, page, ids, facet_counts)


def _hits(ids: list[tuple[int, float | None]], needles: list[str], marked: bool) -> list[Hit]:
    articles = (
        Article.objects.public()
        .select_related("park", "page")
        .defer("page__raw_text")
        .in_bulk([pk for pk, _ in ids])
    )
    stale = [pk for pk, _ in ids if pk not in articles]
    if stale:
        # The index is behind the database: show what exists. A search never writes: the
        # outbox already holds what is missing, or `check_index --repair` finds it.
        log.warning("search index holds %s articles the database does not: %s",
                    len(stale), stale[:10])
    hits = []
    for pk, score in ids:
        article = articles.get(pk)
        if article is None:
            continue
        shown = needles if marked else []
        title = highlight.highlight(article.title, shown)
        snippet = highlight.snippet(article.body, shown)
        hits.append(Hit(article, title, snippet, score))
    return hits
