"""Facets: which ones, their filters and their counts.

A facet's values are whole (an ID, comma-separated KEYWORD or NUMERIC field, see
`backend.py`). Counts are taken over the documents that match the query and the selected
filters ("drill down": each count is exactly the number of results you get by adding
that value). Whoosh's own grouping re-reads every posting on every query; here the values
of each document are read once per index segment and kept, so counting is a walk over the
matched documents.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.searching import Searcher


@dataclass(frozen=True)
class Facet:
    param: str  # GET parameter and key in the API's "facets"
    field: str  # index field
    label: str
    numeric: bool = False


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


# Per-segment values: segment id → field → values of each document in the segment.
_cache: dict[tuple[str, str], list[tuple]] = {}
_cache_lock = threading.Lock()
_CACHE_SEGMENTS = 256


def _segment_values(reader: object, fieldname: str) -> list[tuple]:
    key = (reader.segment().segment_id(), fieldname)  # type: ignore[attr-defined]
    values = _cache.get(key)
    if values is not None:
        return values
    field = reader.schema[fieldname]  # type: ignore[attr-defined]
    lists: list[list] = [[] for _ in range(reader.doc_count_all())]  # type: ignore[attr-defined]
    if fieldname in reader.schema:  # type: ignore[attr-defined]
        for btext in field.sortable_terms(reader, fieldname):
            value = field.from_bytes(btext)
            for docnum in reader.postings(fieldname, btext).all_ids():  # type: ignore[attr-defined]
                lists[docnum].append(value)
    values = [tuple(v) for v in lists]
    with _cache_lock:
        if len(_cache) >= _CACHE_SEGMENTS:
            _cache.clear()
        _cache[key] = values
    return values


def count(
    searcher: Searcher, docnums: Iterable[int], facets: Iterable[Facet]
) -> dict[str, Counter]:
    """Value counts of each facet over the given (global) document numbers."""
    ordered = sorted(docnums)
    counts = {facet.param: Counter() for facet in facets}
    for reader, offset in searcher.reader().leaf_readers():
        lo = bisect_left(ordered, offset)
        hi = bisect_left(ordered, offset + reader.doc_count_all())
        if lo == hi:
            continue
        for facet in FACETS:
            if facet.param not in counts:
                continue
            values = _segment_values(reader, facet.field)
            counter = counts[facet.param]
            for docnum in ordered[lo:hi]:
                counter.update(values[docnum - offset])
    return counts


def ranked(counter: Counter, facet: Facet) -> list[tuple[str | int, int]]:
    """Most frequent first; ties by value (years newest first)."""
    if facet.numeric:
        return sorted(counter.items(), key=lambda kv: (-kv[1], -int(kv[0])))
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
