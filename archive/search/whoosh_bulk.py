"""Whoosh index writes without a Python call per posting.

Whoosh's SegmentWriter turns each field into a stream of Token objects, pushes every
posting as a tuple into an external sorting pool and, at commit, walks the sorted
postings one call at a time, reading each document's field length back from disk.
Profiled on 313 articles of the benchmark corpus (about 1,300 postings each), that was
23 ms per article to add and 21 ms to commit. Here instead:

* gram and word fields compute a document's postings in one pass over its folded text
  (`GramText.postings`, `WordText.postings`);
* a segment's postings collect in memory, per field and term (`PostingTable`; callers
  bound a segment by committing every few thousand documents);
* at commit each term's posting list goes to Whoosh's own codec a whole block at a time,
  with the field lengths read once per field.

The files are Whoosh's own format: Whoosh reads, merges and deletes from them as usual,
and the fields still carry their analyzers for query parsing and key terms.
"""

from __future__ import annotations

import math
import operator
from array import array
from collections import defaultdict
from collections.abc import Iterator
from pickle import dumps
from typing import Any

from whoosh.fields import TEXT
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from archive.search import analysis

Posting = tuple[bytes, int, float, bytes]  # term, frequency, weight, encoded positions
COMPRESSION = 3  # Whoosh's default zlib level for posting blocks
COMPRESS_FROM = 8  # postings in a block


# Most terms occur once in a document: their encodings, by position, made once.
_SINGLE: list[bytes] = [pack_uint(1) + dumps([i], 2) for i in range(8192)]


def _encode_positions(positions: list[int]) -> bytes:
    """Whoosh's Positions.encode: the count, then the pickled position deltas."""
    if len(positions) == 1:
        at = positions[0]
        return _SINGLE[at] if at < len(_SINGLE) else pack_uint(1) + dumps(positions, 2)
    deltas = [b - a for a, b in zip([0, *positions[:-1]], positions, strict=True)]
    return pack_uint(len(deltas)) + dumps(deltas, 2)


def _postings(positions: dict[str, list[int]], boost: float) -> list[Posting]:
    single, top = _SINGLE, len(_SINGLE)
    return [
        (
            term.encode("utf-8"),
            len(where),
            len(where) * boost,
            single[where[0]] if len(where) == 1 and where[0] < top else _encode_positions(where),
        )
        for term, where in positions.items()
    ]


def gram_positions(text: str) -> dict[str, list[int]]:
    """What `analysis.grams` yields, as term → positions: every character but spaces and
    every adjacent pair, at the first character's position, none across a barrier."""
    folded = analysis.fold(text).text
    positions: defaultdict[str, list[int]] = defaultdict(list)
    for i, ch in enumerate(folded):
        positions[ch].append(i)
    for i, pair in enumerate(map(operator.add, folded, folded[1:])):
        positions[pair].append(i)
    for term in [t for t in positions if analysis.BARRIER in t]:
        del positions[term]
    positions.pop(analysis.SPACE, None)
    return positions


def word_positions(text: str) -> dict[str, list[int]]:
    """What `analysis.words` yields, as term → positions."""
    return analysis.word_positions(text)


class _BulkText(TEXT):
    """A TEXT field (Positions format) that hands the writer all of a document's
    postings at once."""

    def positions(self, value: str) -> dict[str, list[int]]:
        raise NotImplementedError

    def postings(self, value: str) -> list[Posting]:
        return _postings(self.positions(value), self.format.field_boost)

    def index(self, value: Any, **kwargs: Any) -> Iterator[Posting]:
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a string")
        return iter(self.postings(value))


class GramText(_BulkText):
    """Characters and character pairs (`analysis.GramAnalyzer` for queries)."""


GramText.positions = lambda self, value: gram_positions(value)  # type: ignore[method-assign]


class WordText(_BulkText):
    """jieba search-mode words (`analysis.WordAnalyzer` for queries and key terms)."""


WordText.positions = lambda self, value: word_positions(value)  # type: ignore[method-assign]


class PostingTable:
    """A segment's postings in memory: field → term → [(docnum, weight, value)]. Stands in
    for Whoosh's PostingPool (the writer and its merges call `add`)."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, list[tuple[int, float, bytes]]]] = {}

    @property
    def fieldnames(self) -> set[str]:
        return set(self.fields)

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, btext, docnum, weight, value = item
        if docnum < 0:  # Whoosh's marker for spelling words, which we do not keep
            return
        terms = self.fields.setdefault(fieldname, {})
        terms.setdefault(btext, []).append((docnum, weight, value or b""))

    def add_document(self, fieldname: str, docnum: int, postings: list[Posting],
                     boost: float) -> None:
        terms = self.fields.setdefault(fieldname, {})
        get = terms.get
        for btext, _, weight, value in postings:
            entry = get(btext)
            if entry is None:
                terms[btext] = [(docnum, weight * boost, value)]
            else:
                entry.append((docnum, weight * boost, value))

    def cleanup(self) -> None:
        self.fields = {}


class BulkSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with the posting table above and a block-at-a-time flush."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = PostingTable()  # type: ignore[assignment]

    def add_document(self, **fields: Any) -> None:
        """Whoosh's add_document, minus what our schema never uses (vectors, separate
        spelling), with bulk fields' postings added to the table in one call."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                boost = self._field_boost(fields, fieldname, docboost)
                if isinstance(field, _BulkText):
                    postings = field.postings(value)
                    self.pool.add_document(fieldname, docnum, postings, boost)
                    length = sum(p[1] for p in postings) if field.scorable else 0
                else:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if field.scorable:
                            length += freq
                        self.pool.add((fieldname, tbytes, docnum, weight * boost, vbytes))
            stored = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdocwriter.add_column_value(
                    fieldname, field.column_type, field.to_column_value(stored)
                )
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        writer = self.fieldwriter
        for fieldname in sorted(self.pool.fields):
            terms = self.pool.fields[fieldname]
            fieldobj = self.schema[fieldname]
            doc_lengths = None
            if lengths is not None and fieldobj.scorable:
                doc_lengths = [lengths.doc_field_length(d, fieldname) for d in range(self.docnum)]
            writer.start_field(fieldname, fieldobj)
            for btext in sorted(terms):
                _write_term(writer, btext, terms[btext], doc_lengths)
            writer.finish_field()
        writer.close()
        if lengths is not None:
            lengths.close()


def _write_term(writer: Any, btext: bytes, postings: list[tuple[int, float, bytes]],
                doc_lengths: list[int] | None) -> None:
    """One term's postings (in document order) through the codec's postings writer, a
    block at a time: what its add_posting does per posting, done per block."""
    writer.start_term(btext)
    postwriter = writer._postwriter
    limit = postwriter._blocklimit
    for start in range(0, len(postings), limit):
        if start:
            postwriter._write_block()
        block = postings[start : start + limit]
        ids, weights, values = zip(*block, strict=True)
        postwriter._ids = array("I", ids)
        postwriter._weights = array("f", weights)
        postwriter._values = [v for v in values if v]
        postwriter._maxweight = max(weights)
        if doc_lengths:
            # A document with a posting in a field has a length there (> 0).
            lengths = list(map(doc_lengths.__getitem__, ids))
            postwriter._minlength, postwriter._maxlength = min(lengths), max(lengths)
        # zlib costs more than it saves on a block of a few postings (the reader reads
        # the compression level from each block's header).
        postwriter._compression = COMPRESSION if len(block) >= COMPRESS_FROM else 0
    writer.finish_term()


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
    from whoosh.reading import SegmentReader

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
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    ids = {id(s) for s in merging}
    return [s for s in segments if id(s) not in ids]


def _segment_of(args: tuple[str, str, list[dict[str, Any]]]) -> Any:
    """In a worker process: write documents into a new segment (not yet in the index's
    table of contents) and return the segment."""
    from whoosh.index import open_dir

    path, indexname, docs = args
    writer = BulkSegmentWriter(open_dir(path, indexname=indexname), _lk=False)
    # The workers share the index's temporary directory: the committing writer removes
    # it, never a worker (as in Whoosh's MpWriter).
    for doc in docs:
        writer.add_document(**doc)
    return writer._finalize_segment()


def write_segments(ix: Any, docs: list[dict[str, Any]], processes: int,
                   segment_docs: int) -> list[Any]:
    """Write `docs` as new segments of at most `segment_docs`, `processes` at a time (forked
    workers). The caller adds the segments to the index in its own commit."""
    import multiprocessing

    count = max(min(processes, len(docs)), math.ceil(len(docs) / segment_docs))
    size = math.ceil(len(docs) / count)
    jobs = [(ix.storage.folder, ix.indexname, docs[i : i + size])
            for i in range(0, len(docs), size)]
    if processes <= 1 or len(jobs) == 1:
        return [_segment_of(job) for job in jobs]
    with multiprocessing.get_context("fork").Pool(min(processes, len(jobs))) as pool:
        return pool.map(_segment_of, jobs, chunksize=1)
