"""Facets: which ones, their filters and their counts.

A facet's values are whole (an ID, comma-separated KEYWORD or NUMERIC field, see
`backend.py`). Counts are taken over the documents that match the query and the selected
filters ("drill down": each count is exactly the number of results you get by adding
that value). Whoosh's own grouping re-reads every posting on every query; here each
segment's (document, value) pairs are read once and kept (`arrays.py`), so counting is a
few array operations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from archive.search import arrays


@dataclass(frozen=True)
class Facet:
    param: str  # GET parameter and key in the API's "facets"
    field: str  # index field
    label: str
    numeric: bool = False


# Values of one facet that a page or the API lists at most.
VALUES_MAX = 100

FACETS: tuple[Facet, ...] = (
    Facet("park", "park", "园区"),
    Facet("province", "province", "省份"),
    Facet("year", "year", "年份", numeric=True),
    Facet("author", "authors", "作者"),
    Facet("figure_kind", "figure_kinds", "数据类型"),
    Facet("mentions", "parks", "提及园区"),
)
BY_PARAM = {f.param: f for f in FACETS}


def filter_query(facet: Facet, value: str | int) -> wq.Query:
    if facet.numeric:
        return wq.NumericRange(facet.field, int(value), int(value))
    return wq.Term(facet.field, str(value))


def count(
    searcher: Searcher, docnums: Iterable[int], facets: Iterable[Facet], limit: int | None = None
) -> dict[str, Counter]:
    """Value counts of each facet over the given (global) document numbers (with `limit`,
    of the values that can rank among the `limit` most frequent)."""
    docs = docnums if isinstance(docnums, np.ndarray) else np.array(sorted(docnums), dtype=np.int64)
    fields = {facet.param: facet.field for facet in facets}
    return arrays.facet_counts(searcher, docs, fields, limit)


def ranked(counter: Counter, facet: Facet) -> list[tuple[str | int, int]]:
    """Most frequent first; ties by value (years newest first)."""
    if facet.numeric:
        return sorted(counter.items(), key=lambda kv: (-kv[1], -int(kv[0])))
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
