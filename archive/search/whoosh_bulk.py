"""Whoosh index writes without a Python call per posting.

Whoosh's SegmentWriter turns each field into a stream of Token objects, pushes every
posting as a tuple into an external sorting pool and, at commit, walks the sorted
postings one call at a time, reading each document's field length back from disk.
Profiled on 313 articles of the benchmark corpus (about 1,300 postings each), that was
23 ms per article to add and 21 ms to commit. Here instead:

* gram and word fields compute a document's postings in one pass over its folded text
  (`GramText.term_values`, `WordText.term_values`);
* a segment's postings collect in memory, per field and term
  (`whoosh_adapter.PostingTable`; callers bound a segment by committing every few
  thousand documents);
* at commit each term's posting list goes to Whoosh's own codec a whole block at a time,
  with the field lengths read once per field (`whoosh_adapter.TableSegmentWriter`);
* beside each segment, the files a new process needs to answer at once: whole-value
  fields as (document, term) pairs (`.fct`) and spelling tables (`spelling.py`).

The files are Whoosh's own format: Whoosh reads, merges and deletes from them as usual,
and the fields still carry their analyzers for query parsing and key terms. Every
private Whoosh detail this needs is in `whoosh_adapter.py`.
"""

from __future__ import annotations

import math
import pickle
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
from whoosh.fields import TEXT
from whoosh.formats import Frequency
from whoosh.writing import SegmentWriter

from archive import cycles
from archive.search import analysis, spelling
from archive.search.whoosh_adapter import (
    PackedPositions,
    TableSegmentWriter,
    finish_unlisted_segment,
    merge_segment,
    packed_count,
    worker_writer,
)

T = TypeVar("T")
Posting = tuple[bytes, int, float, bytes]  # term, frequency, weight, encoded positions
SIDECAR_EXT = ".fct"


_CHAR_BITS = 21  # Unicode code points fit in 21 bits

def _gram_groups(text: str) -> tuple[list[str], list[int], list[int], bytes]:
    """Every character but spaces and every adjacent pair, none across a barrier (what
    `analysis.grams` yields), grouped: (terms, where each term's value starts, counts,
    values). The values are one buffer of uint32s: for each term in turn its count
    (big-endian, Whoosh's `pack_uint`) then its positions, ascending (native order), so a
    term's `PackedPositions` value is one slice of it."""
    folded = analysis.fold(text).text
    if not folded:
        return [], [], [], b""
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype="<u4").astype(np.int64)
    barrier, space = ord(analysis.BARRIER), ord(analysis.SPACE)
    # A pair's key is above every character's: (first + 1) << 21 | second.
    keys = np.concatenate([codes, ((codes[:-1] + 1) << _CHAR_BITS) | codes[1:]])
    positions = np.concatenate([np.arange(len(codes)), np.arange(len(codes) - 1)])
    keep = np.concatenate([(codes != barrier) & (codes != space),
                           (codes[:-1] != barrier) & (codes[1:] != barrier)])
    keys, positions = keys[keep], positions[keep]
    if not len(keys):  # only spaces and barriers
        return [], [], [], b""
    order = np.argsort(keys, kind="stable")
    keys, positions = keys[order], positions[order]
    firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(firsts, len(keys)))
    # Term i's count goes just before its positions: i places further on.
    heads = firsts + np.arange(len(firsts))
    values = np.empty(len(keys) + len(firsts), dtype=np.uint32)
    is_head = np.zeros(len(values), dtype=bool)
    is_head[heads] = True
    values[is_head] = counts.astype(">u4").view(np.uint32)
    values[~is_head] = positions
    mask = (1 << _CHAR_BITS) - 1
    terms = [chr(k) if k <= mask else chr((k >> _CHAR_BITS) - 1) + chr(k & mask)
             for k in keys[firsts].tolist()]
    return terms, (4 * heads).tolist(), counts.tolist(), values.tobytes()


def gram_positions(text: str) -> dict[str, list[int]]:
    """The grams as term → positions."""
    terms, starts, counts, values = _gram_groups(text)
    flat = array("I", values).tolist()
    return {t: flat[s // 4 + 1 : s // 4 + 1 + c]
            for t, s, c in zip(terms, starts, counts, strict=True)}


class _BulkText(TEXT):
    """A TEXT field (PackedPositions format) that hands the writer all of a document's
    postings at once."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(phrase=True, **kwargs)
        self.format = PackedPositions(field_boost=self.format.field_boost)

    def term_values(self, value: str) -> Iterable[tuple[str, int, bytes]]:
        """(term, frequency, encoded value) of each term of a document."""
        raise NotImplementedError

    def index(self, value: Any, **kwargs: Any) -> Iterator[Posting]:
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a string")
        boost = self.format.field_boost
        return ((term.encode("utf-8"), count, count * boost, encoded)
                for term, count, encoded in self.term_values(value))

    def add_to(self, terms: dict, docnum: int, value: str, boost: float) -> int:
        """Add a document's postings to a segment's term → postings table (terms as
        str: encoded once per segment when written); returns the field length."""
        boost *= self.format.field_boost
        get = terms.get
        length = 0
        for term, count, encoded in self.term_values(value):
            length += count
            posting = (docnum, count * boost, encoded)
            entry = get(term)
            if entry is None:
                terms[term] = [posting]
            else:
                entry.append(posting)
        return length


class GramText(_BulkText):
    """Characters and character pairs (`analysis.GramAnalyzer` for queries)."""

    def term_values(self, value: str) -> Iterable[tuple[str, int, bytes]]:
        # Built by zip, not yielded: a page's postings are mostly these, and `add_to`
        # then takes them without a generator step each.
        found, starts, counts, values = _gram_groups(value)
        encoded = [values[start : start + 4 * (count + 1)]
                   for start, count in zip(starts, counts, strict=True)]
        return zip(found, counts, encoded, strict=True)


class WordText(_BulkText):
    """jieba search-mode words (`analysis.WordAnalyzer` for queries and key terms), with
    frequencies only: words rank results and pick key terms, they never form phrases."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.format = Frequency(field_boost=self.format.field_boost)

    def term_values(self, value: str) -> Iterator[tuple[str, int, bytes]]:
        for word, at in analysis.word_positions(value).items():
            yield word, len(at), packed_count(len(at))


class BulkSegmentWriter(TableSegmentWriter):
    """The segment writer, with our files written beside each segment."""

    def __init__(self, ix: Any, sidecar_fields: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.sidecar_fields = frozenset(sidecar_fields)

    def segment_written(self) -> None:
        self._write_sidecar()
        self._write_spelling()

    def _write_sidecar(self) -> None:
        """Whole-value fields as (document, term) pairs in one file beside the segment
        (`arrays.read_sidecar`), so a new process counts facets without walking every
        value's postings."""
        table: dict[str, tuple[bytes, bytes, list[bytes]]] = {}
        for fieldname in sorted(self.sidecar_fields & set(self.pool.fields)):
            terms = self.pool.fields[fieldname]
            docs: list[int] = []
            codes: list[int] = []
            btexts = sorted(terms)
            for code, btext in enumerate(btexts):
                ids = [posting[0] for posting in terms[btext]]
                docs.extend(ids)
                codes.extend([code] * len(ids))
            table[fieldname] = (np.array(docs, dtype=np.int64).tobytes(),
                                np.array(codes, dtype=np.int64).tobytes(), btexts)
        if table:
            with self.segment_file(SIDECAR_EXT) as f:
                f.write(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))

    def _write_spelling(self) -> None:
        """Each word field's spelling table in a file beside the segment
        (`spelling.py`), so a query with no hits never reads the whole lexicon."""
        for fieldname in sorted(self.pool.fields):
            if isinstance(self.schema[fieldname], WordText):
                terms = self.pool.fields[fieldname]
                data = spelling.build({term: len(postings) for term, postings in terms.items()})
                with self.segment_file(f".{fieldname}{spelling.EXT}") as f:
                    f.write(data)


# Merging and parallel segments.

# Segments of this many documents or more are never merged by a commit (a rebuild writes
# them): merging rewrites every posting in Python, as slow as indexing them again.
BIG_SEGMENT_DOCS = 2000
# Smaller segments merge when this many of a size class (powers of 8) pile up.
MERGE_FANOUT = 8


def merge_tiers(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: merge the small segments of the smallest size class that has
    MERGE_FANOUT of them, so each commit merges a bounded amount. (Whoosh's MERGE_SMALL
    can pick a merge point past nearly every segment and rewrite the whole index during a
    one-document commit.)"""
    tiers: dict[int, list[Any]] = defaultdict(list)
    for segment in segments:
        docs = segment.doc_count_all()
        if docs < BIG_SEGMENT_DOCS:
            tiers[(docs.bit_length() - 1) // 3].append(segment)  # [1, 8), [8, 64) …
    full = [tier for tier, members in sorted(tiers.items()) if len(members) >= MERGE_FANOUT]
    if not full:
        return segments
    merging = tiers[full[0]]
    for segment in merging:
        merge_segment(writer, segment)
    ids = {id(s) for s in merging}
    return [s for s in segments if id(s) not in ids]


def _segment_of(args: tuple[str, str, frozenset[str], list[dict[str, Any]]]) -> Any:
    """In a worker process: write documents into a new segment (not yet in the index's
    table of contents) and return the segment."""
    path, indexname, sidecar_fields, docs = args
    # A segment's postings form no cycles (and in a pool the worker has paused already).
    with cycles.paused():
        writer = worker_writer(BulkSegmentWriter, path, indexname, sidecar_fields)
        # The workers share the index's temporary directory: the committing writer
        # removes it, never a worker (as in Whoosh's MpWriter).
        for doc in docs:
            writer.add_document(**doc)
        return finish_unlisted_segment(writer)


def chunked(items: Sequence[T], processes: int, segment_docs: int) -> Iterator[Sequence[T]]:
    """Even chunks of at most `segment_docs`, at least one per process."""
    if not items:
        return
    count = max(min(processes, len(items)), math.ceil(len(items) / segment_docs))
    size = math.ceil(len(items) / count)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_segments(ix: Any, chunks: Iterable[list[dict[str, Any]]], processes: int,
                   id_field: str, sidecar_fields: frozenset[str] = frozenset(),
                   ) -> tuple[list[Any], list[str]]:
    """Write each chunk of documents as a new segment, `processes` at a time (forked
    workers; each chunk is handed over as soon as the iterable gives it, so preparing
    the next chunk overlaps indexing this one). Returns the segments, which the caller
    adds to the index in its own commit, and the documents' ids."""
    import multiprocessing

    ids: list[str] = []
    if processes <= 1:
        segments = []
        for docs in chunks:
            ids += [doc[id_field] for doc in docs]
            segments.append(_segment_of((ix.storage.folder, ix.indexname, sidecar_fields,
                                         docs)))
        return segments, ids
    context = multiprocessing.get_context("fork")
    # Each worker pauses the cycle collector from its start: its first collection (while
    # the task's documents unpickle) would walk, and copy, the whole heap it was forked
    # with. It exits after its one task.
    with context.Pool(processes, maxtasksperchild=1, initializer=cycles.pause_for_good) as pool:
        pending = []
        for docs in chunks:
            if docs:
                ids += [doc[id_field] for doc in docs]
                job = (ix.storage.folder, ix.indexname, sidecar_fields, docs)
                pending.append(pool.apply_async(_segment_of, (job,)))
        return [result.get() for result in pending], ids
