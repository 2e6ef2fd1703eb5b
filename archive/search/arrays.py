"""Query evaluation on numpy arrays read from the Whoosh index, one segment at a time.

Whoosh matches phrases, scores and counts facets one posting at a time in Python; on an
archive of 10k articles a phrase of two common character pairs (高新区) took over a
second. A segment's postings never change once written (only its deletions grow), so what
a query needs from a segment is read into arrays once and kept, within a memory budget:

* a term's documents and weights (term frequency × boost);
* a term's positions, as (document << POSITION_BITS | position), so that a phrase is the
  intersection of its pairs' position arrays, each shifted back by its offset;
* a facet field's (document, value) pairs, field lengths, issue dates.

A query is then array operations: match (`match`), count facets (`facet_counts`), rank
with BM25 over the same atoms the ranking query names (`ranked`), or sort by date
(`by_date`). The results equal Whoosh's own evaluation of the same queries
(tests/search/test_arrays.py compares them).
"""

from __future__ import annotations

import math
import pickle
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from whoosh import query as wq
from whoosh.fields import NUMERIC
from whoosh.searching import Searcher

from archive.search import sortedsets, whoosh_adapter
from archive.search.whoosh_bulk import SIDECAR_EXT

POSITION_BITS = 23  # positions below 8M characters in one field of one article
EMPTY = np.zeros(0, dtype=np.int64)
BM25_K1, BM25_B = 1.2, 0.75


class Unsupported(Exception):
    """A query this module does not evaluate (the caller falls back to Whoosh)."""


# The cache: (segment id, deletions, what) → arrays, least recently used dropped first.


class _Cache:
    def __init__(self) -> None:
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._sizes: dict[tuple, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        size = _nbytes(value)
        budget = getattr(settings, "SEARCH_CACHE_MB", 256) * 2**20
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self._sizes[key] = size
                self._bytes += size
            while self._bytes > budget and len(self._items) > 1:
                old, _ = self._items.popitem(last=False)
                self._bytes -= self._sizes.pop(old)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._sizes.clear()
            self._bytes = 0


# A long list is sized from a sample of its items: walking a segment's 5,000 facet terms
# one by one only to weigh them was half of a cold faceted query.
_SIZE_SAMPLE = 16


def _nbytes(value: Any) -> int:
    """About how much memory a cached value holds (for the cache's budget)."""
    if isinstance(value, np.ndarray):
        return value.nbytes + 100
    if isinstance(value, bytes | str):
        return len(value) + 50
    if isinstance(value, tuple | list):
        if len(value) <= _SIZE_SAMPLE:
            return sum(_nbytes(v) for v in value) + 50
        # Spread over the whole list (first to last), not at a whole stride, which could
        # fall in step with a pattern in the list.
        last = len(value) - 1
        sample = [value[k * last // (_SIZE_SAMPLE - 1)] for k in range(_SIZE_SAMPLE)]
        return sum(_nbytes(v) for v in sample) * len(value) // _SIZE_SAMPLE + 50
    if isinstance(value, dict):
        return _nbytes(list(value.values())) + 50
    return 100


cache = _Cache()


@dataclass(frozen=True)
class Segment:
    reader: Any  # whoosh SegmentReader
    offset: int  # its first global document number
    key: tuple  # (segment id, deleted count): what cached arrays are valid for
    size: int  # documents, deleted included

    def cached(self, what: tuple, make: Callable[[], Any]) -> Any:
        return cache.get((*self.key, *what), make)

    @property
    def deleted(self) -> np.ndarray:
        if not self.reader.has_deletions():
            return EMPTY
        return self.cached(("deleted",), lambda: np.array(
            sorted(self.reader.segment().deleted_docs()), dtype=np.int64))


def segments(searcher: Searcher) -> list[Segment]:
    out = []
    for reader, offset in searcher.reader().leaf_readers():
        segment = reader.segment()
        if segment is None:  # an empty index reads as one reader with no segment
            continue
        key = (segment.segment_id(), segment.deleted_count())
        out.append(Segment(reader, offset, key, reader.doc_count_all()))
    return out


# Reading postings.


def term_postings(segment: Segment, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(documents, weights) of a term in a segment, deleted documents included."""
    return segment.cached(("postings", field, btext),
                          lambda: whoosh_adapter.term_postings(segment.reader, field, btext))


def term_positions(segment: Segment, field: str, btext: bytes) -> np.ndarray:
    """Sorted (document << POSITION_BITS | position) of every occurrence of a term."""

    def make() -> np.ndarray:
        owners, positions = whoosh_adapter.term_positions(segment.reader, field, btext)
        return (owners << POSITION_BITS) | positions

    return segment.cached(("positions", field, btext), make)


def _to_bytes(segment: Segment, field: str, text: Any) -> bytes:
    return segment.reader.schema[field].to_bytes(text)


# Matching.


def phrase_hits(segment: Segment, field: str, terms: Sequence[str]) -> np.ndarray:
    """Positions where the terms stand in a row, at the first term's position."""
    hits: np.ndarray | None = None
    # Rarest first (by document frequency, from the term table: no positions read)
    # keeps the intermediate arrays small, and an empty intersection stops before the
    # commoner terms' positions are read at all.
    frequencies = [segment.reader.doc_frequency(field, term) for term in terms]
    if not all(frequencies):
        return EMPTY
    for i in sorted(range(len(terms)), key=frequencies.__getitem__):
        shifted = term_positions(segment, field, _to_bytes(segment, field, terms[i])) - i
        hits = shifted if hits is None else sortedsets.intersect(hits, shifted)
        if not len(hits):
            return EMPTY
    return EMPTY if hits is None else hits


def phrase_docs(segment: Segment, field: str,
                terms: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(documents, occurrences) of a phrase, kept: matching and ranking both ask."""
    return segment.cached(("phrase", field, terms), lambda: sortedsets.runs(
        phrase_hits(segment, field, terms) >> POSITION_BITS))


def query_docs(segment: Segment, query: wq.Query) -> np.ndarray:
    """Sorted local documents (deleted ones included) that a match-plan query matches."""
    if isinstance(query, wq.Term):
        if segment.reader.doc_frequency(query.fieldname, query.text) == segment.size:
            # A term every document has (the article type, a one-park archive): its
            # postings would be read, block by block, only to list every document.
            return np.arange(segment.size, dtype=np.int64)
        return term_postings(segment, query.fieldname, _to_bytes(segment, query.fieldname,
                                                                    query.text))[0]
    if isinstance(query, wq.Phrase):
        if len(query.words) == 1:
            return query_docs(segment, wq.Term(query.fieldname, query.words[0]))
        return phrase_docs(segment, query.fieldname, tuple(query.words))[0]
    if isinstance(query, wq.NumericRange) and query.start == query.end is not None:
        return query_docs(segment, wq.Term(query.fieldname, query.start))
    if isinstance(query, wq.Every):
        return np.arange(segment.size, dtype=np.int64)
    raise Unsupported(repr(query))


def estimated_docs(segment: Segment, query: wq.Query) -> int:
    """At most how many of the segment's documents a match-plan query matches, from the
    term table alone (no postings read)."""
    reader = segment.reader
    if isinstance(query, wq.Term):
        return reader.doc_frequency(query.fieldname, query.text)
    if isinstance(query, wq.Phrase):
        return min(reader.doc_frequency(query.fieldname, w) for w in query.words)
    if isinstance(query, wq.NumericRange) and query.start == query.end is not None:
        return reader.doc_frequency(query.fieldname, query.start)
    return segment.size


def match(searcher: Searcher, required: Sequence[Sequence[wq.Query]],
          excluded: Sequence[wq.Query]) -> np.ndarray:
    """Sorted global documents in every required group (any of its queries) and in no
    excluded query; deleted documents never."""
    out = list(_segment_matches(searcher, required, excluded))
    return np.concatenate(out) if out else EMPTY


def any_match(searcher: Searcher, required: Sequence[Sequence[wq.Query]],
              excluded: Sequence[wq.Query]) -> bool:
    """Whether `match` would find anything, reading segments only until one has a match:
    a suggestion is checked for existence, and a common phrase found in the first segment
    then costs one segment's postings instead of the whole index's."""
    return any(len(docs) for docs in _segment_matches(searcher, required, excluded))


def _segment_matches(searcher: Searcher, required: Sequence[Sequence[wq.Query]],
                     excluded: Sequence[wq.Query]) -> Iterator[np.ndarray]:
    """`match`, one segment at a time (global document numbers)."""
    for segment in segments(searcher):
        docs: np.ndarray | None = None
        # The rarest group first: a needle the segment lacks ends it before the commoner
        # groups' postings are read at all, so a query's cost follows its rarest part.
        for group in sorted(required, key=lambda g: sum(estimated_docs(segment, q) for q in g)):
            found = _union(query_docs(segment, q) for q in group)
            docs = found if docs is None else sortedsets.intersect(docs, found)
            if not len(docs):
                break
        if docs is None:
            docs = np.arange(segment.size, dtype=np.int64)
        for query in excluded:
            if not len(docs):
                break
            docs = sortedsets.difference(docs, query_docs(segment, query))
        if len(segment.deleted) and len(docs):
            docs = sortedsets.difference(docs, segment.deleted)
        yield docs + segment.offset


def _union(arrays: Iterable[np.ndarray]) -> np.ndarray:
    found: np.ndarray | None = None
    for array in arrays:
        found = array if found is None else sortedsets.union(found, array)
    return EMPTY if found is None else found


def _local(segment: Segment, docs: np.ndarray) -> np.ndarray:
    lo, hi = np.searchsorted(docs, [segment.offset, segment.offset + segment.size])
    return docs[lo:hi] - segment.offset


# Facets.


def read_sidecar(segment: Segment) -> dict[str, tuple[bytes, bytes, list[bytes]]] | None:
    """The (document, term) pairs the writer kept beside the segment, if it did
    (`whoosh_bulk.BulkSegmentWriter._write_sidecar`)."""

    def make() -> dict | None:
        storage = segment.reader.storage()
        name = segment.reader.segment().make_filename(SIDECAR_EXT)
        if not storage.file_exists(name):
            return None
        with storage.open_file(name) as f:
            return pickle.loads(f.read())

    return segment.cached(("sidecar",), make)


def _facet_pairs(segment: Segment, field: str) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """(documents, value codes, values) of a whole-value field."""

    def make() -> tuple[np.ndarray, np.ndarray, list[Any]]:
        reader = segment.reader
        if field not in reader.schema:
            return EMPTY, EMPTY, []
        fieldobj = reader.schema[field]
        sidecar = read_sidecar(segment)
        if sidecar is not None and field in sidecar:
            docs_b, codes_b, btexts = sidecar[field]
            numeric_terms = [b for b in btexts if not isinstance(fieldobj, NUMERIC)
                             or b[:1] == b"\x00"]
            keep = len(numeric_terms)  # a number's full-precision terms sort first
            docs_a = np.frombuffer(docs_b, dtype=np.int64)
            codes_a = np.frombuffer(codes_b, dtype=np.int64)
            if keep < len(btexts):
                mask = codes_a < keep
                docs_a, codes_a = docs_a[mask], codes_a[mask]
            return docs_a, codes_a, whoosh_adapter.values_of(fieldobj, numeric_terms)
        numeric = isinstance(fieldobj, NUMERIC)
        docs: list[int] = []
        codes: list[int] = []
        values: list[Any] = []
        # One walk over the field's terms in the term table (a lookup per value costs
        # more where there are thousands of authors).
        for btext, inlined in whoosh_adapter.field_terms(reader, field):
            if numeric and btext[:1] != b"\x00":
                break  # past a number's full-precision terms
            if inlined is not None:
                ids = list(inlined)
            else:
                ids = term_postings(segment, field, btext)[0].tolist()
            codes.extend([len(values)] * len(ids))
            docs.extend(ids)
            values.append(fieldobj.from_bytes(btext))
        return np.array(docs, dtype=np.int64), np.array(codes, dtype=np.int64), values

    return segment.cached(("facet", field), make)


# Facet values across segments: field → value → a number that never changes, so counts
# from every segment add up in one array.
_vocabulary: dict[str, dict[Any, int]] = {}
_vocabulary_values: dict[str, list[Any]] = {}
_vocabulary_lock = threading.Lock()


def _value_numbers(segment: Segment, field: str) -> np.ndarray:
    """The segment's value codes for a field, as vocabulary numbers."""

    def make() -> np.ndarray:
        values = _facet_pairs(segment, field)[2]
        with _vocabulary_lock:
            numbers = _vocabulary.setdefault(field, {})
            known = _vocabulary_values.setdefault(field, [])
            out = []
            for value in values:
                if value not in numbers:
                    numbers[value] = len(known)
                    known.append(value)
                out.append(numbers[value])
        return np.array(out, dtype=np.int64)

    return segment.cached(("vocabulary", field), make)


def facet_counts(searcher: Searcher, docs: np.ndarray, fields: dict[str, str],
                 limit: int | None = None) -> dict[str, Counter]:
    """Value counts over the (sorted, global) documents, for each {param: field}; with
    `limit`, only the values that can be among the `limit` most frequent (ties kept)."""
    found: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {param: [] for param in fields}
    for segment in segments(searcher):
        local = _local(segment, docs)
        if not len(local):
            continue
        member = np.zeros(segment.size, dtype=bool)
        member[local] = True
        for param, field in fields.items():
            pair_docs, codes, values = _facet_pairs(segment, field)
            if not values:
                continue
            hits = np.bincount(codes[member[pair_docs]], minlength=len(values))
            present = np.flatnonzero(hits)
            found[param].append((_value_numbers(segment, field)[present], hits[present]))
    return {param: _top(found[param], fields[param], limit) for param in fields}


def _top(parts: list[tuple[np.ndarray, np.ndarray]], field: str, limit: int | None) -> Counter:
    if not parts:
        return Counter()
    numbers = np.concatenate([n for n, _ in parts])
    totals = np.bincount(numbers, weights=np.concatenate([c for _, c in parts]))
    present = np.flatnonzero(totals)
    if limit is not None and len(present) > limit:
        least = np.partition(totals[present], -limit)[-limit]
        present = present[totals[present] >= least]
    values = _vocabulary_values[field]
    return Counter({values[i]: int(totals[i]) for i in present.tolist()})


# Ranking and sorting.


@dataclass(frozen=True)
class Atom:
    """One scoring clause: a term or phrase in a field, with a boost."""

    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


def atoms_of(query: wq.Query | None) -> list[Atom]:
    """The clauses of a ranking query (an Or of Terms and Phrases)."""
    if query is None:
        return []
    parts = query.subqueries if isinstance(query, wq.Or) else [query]
    out = []
    for part in parts:
        if isinstance(part, wq.Term):
            out.append(Atom(part.fieldname, (part.text,), part.boost))
        elif isinstance(part, wq.Phrase):
            out.append(Atom(part.fieldname, tuple(part.words), part.boost))
        else:
            raise Unsupported(repr(part))
    return out


def _atom_postings(segment: Segment, atom: Atom) -> tuple[np.ndarray, np.ndarray]:
    """(documents, frequencies) of an atom in a segment."""
    if len(atom.terms) == 1:
        docs, weights = term_postings(segment, atom.field,
                                      _to_bytes(segment, atom.field, atom.terms[0]))
        return docs, weights.astype(np.float64)
    docs, counts = phrase_docs(segment, atom.field, atom.terms)
    return docs, counts.astype(np.float64)


def _lengths(segment: Segment, field: str) -> np.ndarray:
    return segment.cached(("lengths", field), lambda: whoosh_adapter.field_lengths(
        whoosh_adapter.segment_perdoc(segment.reader), field, segment.size).astype(np.float64))


def ranked(searcher: Searcher, docs: np.ndarray, query: wq.Query | None,
           limit: int) -> list[tuple[int, float]]:
    """The best `limit` of the (sorted, global) documents by BM25 over the ranking
    query's clauses: (document, score), best first, ties by document number."""
    atoms = atoms_of(query)
    parts = segments(searcher)
    per_segment = [[_atom_postings(s, a) for a in atoms] for s in parts]
    total = max(1, searcher.doc_count_all())
    reader = searcher.reader()
    scores = []
    frequencies = [sum(len(p[i][0]) for p in per_segment) for i in range(len(atoms))]
    for segment, postings in zip(parts, per_segment, strict=True):
        local = _local(segment, docs)
        score = np.zeros(segment.size, dtype=np.float64)
        for atom, df, (atom_docs, freqs) in zip(atoms, frequencies, postings, strict=True):
            if not len(atom_docs):
                continue
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            average = max(1.0, reader.field_length(atom.field) / total)
            norm = 1 - BM25_B + BM25_B * _lengths(segment, atom.field)[atom_docs] / average
            contribution = atom.boost * idf * freqs * (BM25_K1 + 1) / (freqs + BM25_K1 * norm)
            score += np.bincount(atom_docs, weights=contribution, minlength=segment.size)
        scores.append(score[local])
    if not len(docs):
        return []
    all_scores = np.concatenate(scores)
    order = np.lexsort((docs, -all_scores))[:limit]
    return [(int(docs[i]), float(all_scores[i])) for i in order]


def by_date(searcher: Searcher, docs: np.ndarray, field: str, newest: bool,
            limit: int) -> list[int]:
    """The first `limit` of the documents by date (undated last), ties by number."""
    keys = []
    for segment in segments(searcher):
        local = _local(segment, docs)
        keys.append(_dates(segment, field)[local])
    if not len(docs):
        return []
    dates = np.concatenate(keys)
    order = np.lexsort((docs, -dates if newest else np.where(dates < 0, np.inf, dates)))
    return [int(docs[i]) for i in order[:limit]]


def _dates(segment: Segment, field: str) -> np.ndarray:
    """A sortable date field as numbers per document (-1 where there is none)."""

    def make() -> np.ndarray:
        out = np.full(segment.size, -1.0)
        pair_docs, codes, values = _facet_pairs(segment, field)
        if values:
            numbers = np.array([v.toordinal() if v else -1 for v in values], dtype=np.float64)
            out[pair_docs] = numbers[codes]
        return out

    return segment.cached(("dates", field), make)
