"""The search page (/search/) and its JSON twin (/api/search/).

Both take the same GET parameters (`params.py`) and run the same search (`engine.py`).
No input gives a 500: parameters are read leniently, the query parser accepts anything,
and an index that does not answer gives a 503 with a message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from archive.search import engine
from archive.search.backend import SearchUnavailable
from archive.search.facets import BY_PARAM, FACETS, VALUES_MAX
from archive.search.params import SORTS, SearchParams, read_params
from archive.search.query import MAX_INPUT_CHARS
from archive.serializers import issue_date_fields

FACET_VALUES_SHOWN = 8
FACET_VALUES_MAX = VALUES_MAX
UNAVAILABLE = "搜索暂时不可用，请稍后再试。"


@dataclass
class FacetLink:
    value: str | int
    count: int
    url: str
    selected: bool


@dataclass
class FacetBox:
    param: str
    label: str
    shown: list[FacetLink]
    more: list[FacetLink]


@dataclass
class ZoneGapView:
    message: str
    park_url: str
    nearest: list[tuple[str, int, str]]  # (query, results, url)


@dataclass
class ActiveFilter:
    param: str
    label: str
    value: str | int
    remove_url: str


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    params, notes = read_params(request.GET)
    context: dict[str, Any] = {
        "params": params, "q": params.q, "notes": notes, "max_q": MAX_INPUT_CHARS,
    }
    try:
        outcome = engine.search(params)
    except SearchUnavailable:
        context["error"] = UNAVAILABLE
        return render(request, "search/search.html", context, status=503)
    context.update(
        outcome=outcome,
        notes=notes + outcome.notes,
        hits=outcome.hits,
        facet_boxes=_facet_boxes(params, outcome.facets),
        active=_active_filters(params),
        sorts=[
            (key, label, params.querystring(sort=key, page=1), key == outcome.sort)
            for key, label in SORTS.items()
            if key != "relevance" or outcome.parsed.positive
        ],
        prev_url=params.querystring(page=outcome.page - 1) if outcome.page > 1 else None,
        next_url=(
            params.querystring(page=outcome.page + 1) if outcome.page < outcome.num_pages else None
        ),
        suggestion_url=(
            SearchParams(q=outcome.suggestion, filters=params.filters).querystring()
            if outcome.suggestion
            else None
        ),
        clear_url=SearchParams(q=params.q).querystring(),
        park_links=[
            (park, SearchParams(filters={"park": (park.name,)}).querystring())
            for park in outcome.parks
        ],
        browsing=outcome.parsed.matches_all,
        zone_gaps=[
            ZoneGapView(
                gap.message(),
                gap.park.get_absolute_url(),
                [(q, n, replace(params, q=q, page=1).querystring()) for q, n in gap.nearest],
            )
            for gap in outcome.zone_gaps
        ],
    )
    return render(request, "search/search.html", context)


@require_safe
def search_api(request: HttpRequest) -> JsonResponse:
    params, notes = read_params(request.GET, api=True)
    try:
        outcome = engine.search(params)
    except SearchUnavailable:
        body = {"count": 0, "results": [], "facets": {}, "error": UNAVAILABLE}
        return JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    body = {
        "count": outcome.count,
        "results": [
            {
                "id": hit.article.pk,
                "title": hit.article.title,
                "park": hit.article.park.name if hit.article.park else None,
                "url": hit.article.get_absolute_url(),
                "highlight": str(hit.snippet_html),
                "title_highlight": str(hit.title_html),
                **issue_date_fields(
                    hit.article.page.issue_date, hit.article.page.issue_date_estimated
                ),
                "score": hit.score,
            }
            for hit in outcome.hits
        ],
        "facets": {
            param: [[value, count] for value, count in values[:FACET_VALUES_MAX]]
            for param, values in outcome.facets.items()
        },
        "page": outcome.page,
        "num_pages": outcome.num_pages,
        "per_page": params.per_page,
        "sort": outcome.sort,
        "query": outcome.parsed.display(),
        "notes": notes + outcome.notes,
        "suggestion": outcome.suggestion,
        "parks": [
            {"name": p.name, "url": p.get_absolute_url(), "filter": f"park={p.name}"}
            for p in outcome.parks
        ],
        "zone_gaps": [
            {"park": gap.park.name, "message": gap.message(),
             "nearest": [{"q": q, "count": n} for q, n in gap.nearest]}
            for gap in outcome.zone_gaps
        ],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _facet_boxes(params: SearchParams, counts: dict[str, list]) -> list[FacetBox]:
    boxes = []
    for facet in FACETS:
        values = counts.get(facet.param) or []
        selected = set(params.filters.get(facet.param, ()))
        links = [
            FacetLink(
                value,
                count,
                params.without_filter(facet.param, value).querystring()
                if value in selected
                else params.with_filter(facet.param, value).querystring(),
                value in selected,
            )
            for value, count in values[:FACET_VALUES_MAX]
        ]
        if facet.numeric:
            links.sort(key=lambda link: -int(link.value))
        if links:
            boxes.append(
                FacetBox(
                    facet.param, facet.label, links[:FACET_VALUES_SHOWN], links[FACET_VALUES_SHOWN:]
                )
            )
    return boxes


def _active_filters(params: SearchParams) -> list[ActiveFilter]:
    return [
        ActiveFilter(
            param, BY_PARAM[param].label, value, params.without_filter(param, value).querystring()
        )
        for param, values in params.filters.items()
        for value in values
    ]
