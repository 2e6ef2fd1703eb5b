"""Whoosh index writes without a Python call per posting.

Whoosh's SegmentWriter turns each field into a stream of Token objects, pushes every
posting as a tuple into an external sorting pool and, at commit, walks the sorted
postings one call at a time, reading each document's field length back from disk.
Profiled on 313 articles of the benchmark corpus (about 1,300 postings each), that was
23 ms per article to add and 21 ms to commit. Here instead:

* gram and word fields compute a document's postings in one pass over its folded text
  (`GramText.term_values`, `WordText.term_values`);
* a segment's postings collect in memory, per field and term (`PostingTable`; callers
  bound a segment by committing every few thousand documents);
* at commit each term's posting list goes to Whoosh's own codec a whole block at a time,
  with the field lengths read once per field.

The files are Whoosh's own format: Whoosh reads, merges and deletes from them as usual,
and the fields still carry their analyzers for query parsing and key terms.
"""

from __future__ import annotations

import itertools
import math
import operator
import pickle
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PostingsWriter, byte_to_length
from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.system import _INT_SIZE, pack_uint, pack_ushort
from whoosh.writing import SegmentWriter

from archive.search import analysis, spelling

T = TypeVar("T")
Posting = tuple[bytes, int, float, bytes]  # term, frequency, weight, encoded positions
COMPRESSION = 1  # zlib level for posting blocks (Whoosh's default, 3, is slower)
COMPRESS_FROM = 8  # postings in a block
SIDECAR_EXT = ".fct"
INLINE_POSTINGS = 4  # a term with at most this many postings keeps them in the term table


class PackedPositions(Positions):
    """Whoosh's Positions format with the positions as packed 32-bit integers instead of
    pickled deltas: written with one C call per term and read back by `arrays.py` as one
    numpy buffer. The value starts with the count, as Whoosh's does."""

    def encode(self, poslist: list[int]) -> bytes:
        return pack_uint(len(poslist)) + array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return array("I", valuestring[_INT_SIZE:]).tolist()


_CHAR_BITS = 21  # Unicode code points fit in 21 bits


def _gram_groups(text: str) -> tuple[list[str], list[int], list[int], bytes]:
    """Every character but spaces and every adjacent pair, none across a barrier (what
    `analysis.grams` yields), grouped: (terms, first index, count, positions as uint32
    bytes, each term's positions ascending and contiguous)."""
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
    order = np.argsort(keys, kind="stable")
    keys, positions = keys[order], positions[order]
    firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(firsts, len(keys)))
    mask = (1 << _CHAR_BITS) - 1
    terms = [chr(k) if k <= mask else chr((k >> _CHAR_BITS) - 1) + chr(k & mask)
             for k in keys[firsts].tolist()]
    return terms, firsts.tolist(), counts.tolist(), positions.astype(np.uint32).tobytes()


def gram_positions(text: str) -> dict[str, list[int]]:
    """The grams as term → positions."""
    terms, firsts, counts, packed = _gram_groups(text)
    flat = array("I", packed).tolist()
    return {t: flat[f : f + c] for t, f, c in zip(terms, firsts, counts, strict=True)}


_COUNTS = [pack_uint(n) for n in range(1024)]


def _packed_count(count: int) -> bytes:
    return _COUNTS[count] if count < len(_COUNTS) else pack_uint(count)


class _BulkText(TEXT):
    """A TEXT field (PackedPositions format) that hands the writer all of a document's
    postings at once."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(phrase=True, **kwargs)
        self.format = PackedPositions(field_boost=self.format.field_boost)

    def term_values(self, value: str) -> Iterator[tuple[str, int, bytes]]:
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

    def term_values(self, value: str) -> Iterator[tuple[str, int, bytes]]:
        found, firsts, counts, packed = _gram_groups(value)
        for term, first, count in zip(found, firsts, counts, strict=True):
            yield term, count, _packed_count(count) + packed[4 * first : 4 * (first + count)]


class WordText(_BulkText):
    """jieba search-mode words (`analysis.WordAnalyzer` for queries and key terms), with
    frequencies only: words rank results and pick key terms, they never form phrases."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.format = Frequency(field_boost=self.format.field_boost)

    def term_values(self, value: str) -> Iterator[tuple[str, int, bytes]]:
        for word, at in analysis.word_positions(value).items():
            yield word, len(at), _packed_count(len(at))


class PostingTable:
    """A segment's postings in memory: field → term → [(docnum, weight, value)]. Stands in
    for Whoosh's PostingPool (the writer and its merges call `add`)."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[Any, list[tuple[int, float, bytes]]]] = {}
        # Fields whose terms are kept as str (the bulk text fields); others as bytes.
        self.text_fields: frozenset[str] = frozenset()
        self.keep = False

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, btext, docnum, weight, value = item
        if docnum < 0:  # Whoosh's marker for spelling words, which we do not keep
            return
        terms = self.fields.setdefault(fieldname, {})
        key = btext.decode("utf-8") if fieldname in self.text_fields else btext
        terms.setdefault(key, []).append((docnum, weight, value or b""))

    def cleanup(self) -> None:
        if not self.keep:
            self.fields = {}


class BulkSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with the posting table above and a block-at-a-time flush."""

    def __init__(self, ix: Any, sidecar_fields: Iterable[str] = (), **kwargs: Any) -> None:
        # Separate files per segment, not one compound file: Whoosh opens a compound
        # file's parts as BytesIO copies of the mmap, so every searcher would copy the
        # whole index into memory (6 ms a file at 10k articles, and the RAM).
        kwargs.setdefault("compound", False)
        super().__init__(ix, **kwargs)
        self.pool = PostingTable()  # type: ignore[assignment]
        self.pool.text_fields = frozenset(
            name for name, field in self.schema.items() if isinstance(field, _BulkText))
        self.sidecar_fields = frozenset(sidecar_fields)

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
                    terms = self.pool.fields.setdefault(fieldname, {})
                    length = field.add_to(terms, docnum, value, boost)
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

    def delete_terms(self, fieldname: str, texts: Iterable[str]) -> int:
        """Delete the documents holding any of these terms, with one searcher (Whoosh's
        delete_by_term, and so update_document, opens a new one for every call)."""
        from whoosh.query import Term

        count = 0
        with self.searcher() as searcher:
            for text in texts:
                for docnum in searcher.docs_for_query(Term(fieldname, text), for_deletion=True):
                    self.delete_document(docnum)
                    count += 1
        return count

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        writer = self.fieldwriter
        for fieldname in sorted(self.pool.fields):
            terms = self.pool.fields[fieldname]
            fieldobj = self.schema[fieldname]
            doc_lengths = None
            if lengths is not None and fieldobj.scorable:
                doc_lengths = field_lengths(lengths, fieldname, self.docnum).tolist()
            writer.start_field(fieldname, fieldobj)
            # UTF-8 sorts as code points do, so str terms sort as their bytes would.
            for term in sorted(terms):
                btext = term.encode("utf-8") if isinstance(term, str) else term
                _write_term(writer, btext, terms[term], doc_lengths)
            writer.finish_field()
        writer.close()
        if lengths is not None:
            lengths.close()
        self._write_sidecar()
        self._write_spelling()

    def _write_sidecar(self) -> None:
        """Whole-value fields as (document, term) pairs in one file beside the segment
        (`arrays.read_sidecar`), so a new process counts facets without walking every
        value's postings. Named like the segment's files, so Whoosh deletes it with them."""
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
            with self.storage.create_file(self.newsegment.make_filename(SIDECAR_EXT)) as f:
                f.write(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))


    def _write_spelling(self) -> None:
        """Each word field's spelling table in a file beside the segment
        (`spelling.py`), so a query with no hits never reads the whole lexicon."""
        for fieldname in sorted(self.pool.fields):
            if isinstance(self.schema[fieldname], WordText):
                terms = self.pool.fields[fieldname]
                data = spelling.build({term: len(postings) for term, postings in terms.items()})
                with self.storage.create_file(spelling.filename(self.newsegment,
                                                                fieldname)) as f:
                    f.write(data)


# Whoosh keeps a document's field length as one byte (an approximation for BM25).
_LENGTH_OF_BYTE = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.int64)


def field_lengths(perdoc: Any, fieldname: str, count: int) -> np.ndarray:
    """The first `count` documents' lengths in a field, read as one buffer from Whoosh's
    length column (what doc_field_length reads one document at a time)."""
    out = np.zeros(count, dtype=np.int64)
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is not None and column._count:
        stored = min(count, column._count)
        raw = column._dbfile.get(column._basepos, stored)
        out[:stored] = _LENGTH_OF_BYTE[np.frombuffer(raw, dtype=np.uint8)]
    return out


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer with its per-block minification done at C speed (Whoosh
    walks each block's ids and weights with Python generators)."""

    def _mini_ids(self) -> tuple[int, ...]:
        ids = self._ids
        return tuple(map(operator.sub, ids, itertools.chain((0,), ids)))

    def _mini_weights(self) -> Any:
        weights = self._weights
        low, high = min(weights), max(weights)
        if low == high:
            return None if low == 1.0 else weights[0]
        return tuple(weights)


def _write_term(writer: Any, btext: bytes, postings: list[tuple[int, float, bytes]],
                doc_lengths: list[int] | None) -> None:
    """One term's postings (in document order) through the codec's postings writer, a
    block at a time: what its add_posting does per posting, done per block."""
    writer.start_term(btext)
    postwriter = writer._postwriter
    postwriter.__class__ = _PostingsWriter
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
    if len(postings) <= INLINE_POSTINGS:
        _finish_inlined_term(writer)
    else:
        writer.finish_term()


def _finish_inlined_term(writer: Any) -> None:
    """The codec's finish_term for a short posting list kept in the term table itself
    (Whoosh's reader supports this, but its writer calls a misspelt method, so it never
    inlines): no block in the postings file to pickle, compress and seek to."""
    postwriter = writer._postwriter
    terminfo = postwriter._terminfo
    terminfo.add_block(postwriter)
    terminfo.set_inlined(postwriter._ids, postwriter._weights, postwriter._values)
    postwriter._terminfo = None
    writer._tindex.add(pack_ushort(writer._fieldid) + writer._btext, terminfo.to_bytes())


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


def _segment_of(args: tuple[str, str, frozenset[str], list[dict[str, Any]]]) -> Any:
    """In a worker process: write documents into a new segment (not yet in the index's
    table of contents) and return the segment."""
    from whoosh.index import open_dir

    path, indexname, sidecar_fields, docs = args
    writer = BulkSegmentWriter(open_dir(path, indexname=indexname), sidecar_fields, _lk=False)
    # The workers share the index's temporary directory: the committing writer removes
    # it, never a worker (as in Whoosh's MpWriter).
    for doc in docs:
        writer.add_document(**doc)
    # A worker exits after its one task: freeing the postings one by one is wasted time.
    writer.pool.keep = True
    return writer._finalize_segment()


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
    with context.Pool(processes, maxtasksperchild=1) as pool:
        pending = []
        for docs in chunks:
            if docs:
                ids += [doc[id_field] for doc in docs]
                job = (ix.storage.folder, ix.indexname, sidecar_fields, docs)
                pending.append(pool.apply_async(_segment_of, (job,)))
        return [result.get() for result in pending], ids
