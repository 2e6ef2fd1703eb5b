"""The search page's and the API's GET parameters, read leniently and written back.

q, page, per_page (API), sort (relevance | newest | oldest) and one parameter per facet
(`facets.FACETS`: park, province, year, author, figure_kind, mentions), each repeatable;
values of different facets and repeated values all must hold (AND). Bad values are
dropped with a note, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.http import QueryDict

from archive.search.facets import BY_PARAM, FACETS

PER_PAGE = 10
MAX_PER_PAGE = 50
MAX_PAGE = 10_000
MAX_VALUES_PER_FACET = 10
MAX_VALUE_CHARS = 100
MAX_NUMBER, MIN_NUMBER = 9999, 0  # years; also keeps Whoosh's 32-bit NUMERIC in range
MAX_Q_CHARS = 1024  # the parser uses less (query.MAX_INPUT_CHARS); links carry this much
SORTS = {"relevance": "相关度", "newest": "日期（新→旧）", "oldest": "日期（旧→新）"}
_SORT_ALIASES = {"date": "newest", "-date": "newest", "+date": "oldest", "score": "relevance"}


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    filters: dict[str, tuple[str | int, ...]] = field(default_factory=dict)
    sort: str = ""  # "" = relevance when something was asked, else newest
    page: int = 1
    per_page: int = PER_PAGE

    def has_filters(self) -> bool:
        return any(self.filters.values())

    def with_filter(self, param: str, value: str | int) -> SearchParams:
        values = self.filters.get(param, ())
        if value in values:
            return replace(self, page=1)
        return replace(self, filters={**self.filters, param: (*values, value)}, page=1)

    def without_filter(self, param: str, value: str | int) -> SearchParams:
        values = tuple(v for v in self.filters.get(param, ()) if v != value)
        filters = {k: v for k, v in {**self.filters, param: values}.items() if v}
        return replace(self, filters=filters, page=1)

    def querystring(self, **changes: object) -> str:
        """'?…' for these params with some changed (page, sort, q)."""
        params = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = []
        if params.q:
            pairs.append(("q", params.q))
        for facet in FACETS:
            pairs += [(facet.param, str(v)) for v in params.filters.get(facet.param, ())]
        if params.sort:
            pairs.append(("sort", params.sort))
        if params.per_page != PER_PAGE:
            pairs.append(("per_page", str(params.per_page)))
        if params.page > 1:
            pairs.append(("page", str(params.page)))
        return "?" + urlencode(pairs)


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


def read_params(get: QueryDict, *, api: bool = False) -> tuple[SearchParams, list[str]]:
    """SearchParams from a request's GET, with notes on what was ignored."""
    notes: list[str] = []
    filters: dict[str, tuple[str | int, ...]] = {}
    for facet in FACETS:
        values: list[str | int] = []
        for raw in get.getlist(facet.param)[: MAX_VALUES_PER_FACET * 2]:
            value = " ".join(str(raw).split())[:MAX_VALUE_CHARS]
            if not value:
                continue
            if facet.numeric:
                try:
                    number = int(value)
                except ValueError:
                    number = None
                if number is None or not MIN_NUMBER <= number <= MAX_NUMBER:
                    notes.append(f"{facet.label}“{value[:20]}”不是有效的数字，已忽略。")
                    continue
                if number not in values:
                    values.append(number)
            elif value not in values:
                values.append(value)
        if len(values) > MAX_VALUES_PER_FACET:
            notes.append(f"{facet.label}最多选 {MAX_VALUES_PER_FACET} 个。")
            values = values[:MAX_VALUES_PER_FACET]
        if values:
            filters[facet.param] = tuple(dict.fromkeys(values))
    sort = str(get.get("sort", "")).strip()
    sort = _SORT_ALIASES.get(sort, sort)
    if sort and sort not in SORTS:
        notes.append("未知的排序方式，已按默认排序。")
        sort = ""
    per_page = _int(get.get("per_page"), PER_PAGE, 1, MAX_PER_PAGE) if api else PER_PAGE
    params = SearchParams(
        q=str(get.get("q", ""))[:MAX_Q_CHARS],
        filters=filters,
        sort=sort,
        page=_int(get.get("page"), 1, 1, MAX_PAGE),
        per_page=per_page,
    )
    return params, notes


def facet_label(param: str) -> str:
    return BY_PARAM[param].label
