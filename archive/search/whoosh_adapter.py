"""Every private detail of Whoosh that the search core relies on, in one module.

The index writer (`whoosh_bulk.py`), the array evaluation (`arrays.py`) and the backend
(`backend.py`) reach past Whoosh's public API for speed: postings written and read a
whole block at a time, a commit that adds segments written by worker processes, field
lengths read as one buffer. Those details are Whoosh 2.7.4's (the `Whoosh` distribution)
and are asserted at start-up (`check_version`, called from `ArchiveConfig.ready`): a
fork such as whoosh-reloaded 2.7.5 changes them (its `Searcher.refresh()` reuses segment
readers, so replaced documents stayed matchable), and is refused with one clear message.
`tests/search/test_whoosh_adapter.py` holds the writer to Whoosh's own: the same
documents written both ways give the same postings, field lengths and BM25 scores.

Byte layout shared by the writer and the reader (Whoosh's W3 codec, files per segment,
never a compound file):

* Term table (`.trm`): Whoosh's ordered hash file of `W3TermInfo` per (field, term),
  its rows written in one go per field (`add_term_rows`). A term with at most
  INLINE_POSTINGS postings keeps them in its term info (`set_inlined`: ids, weights,
  values), with no block in the postings file; Whoosh's reader supports this, its writer
  never does it (`_inlined_terminfo`).
* Postings (`.pst`): Whoosh's W3 blocks of at most the codec's block limit (`BLOCK_POSTINGS`)
  postings (`_block_terminfo`): the header magic, then per block its length, its info
  (count, last id, max weight, compression level, min/max field length) and its data:
  ids as deltas, weights minified as Whoosh does, values; ids and unequal weights as
  `array` buffers (uint16 or uint32, float32) where Whoosh writes tuples. The data, and inlined
  postings, are pickled with PICKLE_PROTOCOL (Whoosh writes protocol 2; its reader
  takes any); zlib level COMPRESSION for blocks of COMPRESS_FROM postings or more, none
  below (the level is read from each block's info).
* Values: a gram field's value is `PackedPositions`: a 4-byte big-endian count (Whoosh's
  `pack_uint`), then that many positions as native-endian (little on x86/ARM) uint32,
  ascending; `term_positions` reads a block's values as one numpy buffer. A word
  field's value is Whoosh's `Frequency`: the count alone (`pack_uint`).
* Field lengths: Whoosh's length column `_<field>_len` in the per-document file, one byte
  a document (`length_to_byte`, an approximation BM25 uses); `field_lengths` reads it as
  one buffer and maps each byte back with `byte_to_length`, as Whoosh's reader does.
* Our own files beside a segment, named `<segment id>.<ext>` so that Whoosh's
  `clean_files` deletes them with it: `.fct` (whole-value fields as (document, term)
  pairs, `whoosh_bulk.BulkSegmentWriter._write_sidecar`) and `.<field>.spl` (spelling
  tables, layout in `spelling.py`).
"""

from __future__ import annotations

import importlib.metadata
import io
import itertools
import operator
import pickle
import struct
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from hashlib import md5
from typing import Any

import numpy as np
import whoosh
from django.core.exceptions import ImproperlyConfigured
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3TermInfo,
    byte_to_length,
)
from whoosh.fields import FieldType
from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
from whoosh.formats import Positions
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.system import _INT_SIZE, pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

WHOOSH_VERSION = (2, 7, 4)
WHOOSH_DISTRIBUTION = "Whoosh"
COMPRESSION = 1  # zlib level for posting blocks (Whoosh's default, 3, is slower)
COMPRESS_FROM = 8  # postings in a block
# Posting data (blocks and inlined lists) is pickled with protocol 3, not Whoosh's 2:
# protocol 2 stores each bytes value as a call to _codecs.encode on a latin-1 string, so
# on the benchmark corpus blocks were 1.6 times larger before zlib and twice after,
# and 3 times slower to unpickle. Not 4 either: its frame header adds 4 bytes to each
# inlined list, and most terms are a character pair seen once. Whoosh's reader
# unpickles any protocol.
PICKLE_PROTOCOL = 3
# A term with at most this many postings keeps them in the term table: a list too short
# to be compressed (below COMPRESS_FROM) is no larger inline than as a block with its
# headers, and is written in one step instead of through the postings writer (8 µs a term
# instead of 58) and read without a seek into the postings file.
INLINE_POSTINGS = COMPRESS_FROM - 1
# Postings a block holds at most (Whoosh's default is 128). Reading a block costs a seek,
# an unpickle, a zlib call and a few numpy calls whatever its size: with 128, a common
# pair on a 5,000-article segment is 40 blocks, and that overhead was half of a cold
# query. Whoosh's reader takes any block length (each block's info gives it); what a
# larger block costs is skipping, which only Whoosh's own matchers do, a block at a time.
BLOCK_POSTINGS = 1024
_TERM_INFO = W3TermInfo._struct  # flags, weight, doc freq, min/max length, max weight, ids
_ROW_LENGTHS = struct.Struct("!ii")  # a hash file record's key and value lengths


# Start-up check.


def version_problem() -> str | None:
    """What is wrong with the installed Whoosh for this module, or None."""
    try:
        reloaded = importlib.metadata.version("whoosh-reloaded")
    except importlib.metadata.PackageNotFoundError:
        reloaded = None
    found = tuple(whoosh.__version__[:3])
    wanted = ".".join(map(str, WHOOSH_VERSION))
    if reloaded is not None:
        return (f"whoosh-reloaded {reloaded} is installed; the search index needs "
                f"{WHOOSH_DISTRIBUTION}=={wanted} (archive/search/whoosh_adapter.py relies on "
                f"its internals): pip uninstall whoosh-reloaded && pip install "
                f"{WHOOSH_DISTRIBUTION}=={wanted}")
    if found != WHOOSH_VERSION:
        return (f"Whoosh {'.'.join(map(str, found))} is installed; the search index needs "
                f"{WHOOSH_DISTRIBUTION}=={wanted} (archive/search/whoosh_adapter.py relies on "
                f"its internals): pip install {WHOOSH_DISTRIBUTION}=={wanted}")
    return None


def check_version() -> None:
    """Refuse to start with a Whoosh this module was not written for."""
    problem = version_problem()
    if problem:
        raise ImproperlyConfigured(problem)


# Values.


class PackedPositions(Positions):
    """Whoosh's Positions format with the positions as packed 32-bit integers instead of
    pickled deltas: written with one C call per term and read back as one numpy buffer.
    The value starts with the count, as Whoosh's does."""

    def encode(self, poslist: list[int]) -> bytes:
        return pack_uint(len(poslist)) + array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return array("I", valuestring[_INT_SIZE:]).tolist()


_COUNTS = [pack_uint(n) for n in range(1024)]


def packed_count(count: int) -> bytes:
    """A count as the start of a PackedPositions value (and a whole Frequency value)."""
    return _COUNTS[count] if count < len(_COUNTS) else pack_uint(count)


def _raw_blocks(reader: Any, field: str, btext: bytes) -> Iterator[tuple[Any, Any, Any, int, bool]]:
    """(ids or id deltas, minified weights, minified values, posting count, whether the
    ids are deltas) of each block of a term's postings, as stored: decoding them a
    posting at a time in Python, as Whoosh's matcher does (`delta_decode`, one slice per
    value), was most of a cold query's time; `term_postings` and `term_positions` decode
    whole blocks with numpy instead."""
    terms = reader._terms
    try:
        info = terms.term_info(field, btext)
    except (TermNotFound, KeyError):
        return
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        yield ids, weights, values, len(ids), False
        return
    matcher = terms.matcher(field, btext, reader.schema[field].format)
    while matcher.is_active():
        matcher._read_data()
        deltas, weights, values = matcher._data
        yield deltas, weights, values, matcher._blocklength, not matcher._byteids
        matcher._next_block()


def _block_ids(ids: Any, are_deltas: bool) -> np.ndarray:
    out = np.asarray(ids, dtype=np.int64)
    return np.cumsum(out) if are_deltas else out


def _block_weights(weights: Any, count: int) -> np.ndarray:
    """A block's weights, as Whoosh minifies them: None (all 1.0), one float (all the
    same), or one per posting."""
    if weights is None:
        return np.ones(count, dtype=np.float32)
    if isinstance(weights, float):
        return np.full(count, weights, dtype=np.float32)
    return np.asarray(weights, dtype=np.float32)


def _concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype=dtype)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def term_postings(reader: Any, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(documents as int64, weights as float32) of a term's postings in a segment, in
    document order, deleted documents included (Whoosh's own reader filters them one
    posting at a time)."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for block_ids, block_weights, _, count, are_deltas in _raw_blocks(reader, field, btext):
        ids.append(_block_ids(block_ids, are_deltas))
        weights.append(_block_weights(block_weights, count))
    return _concat(ids, np.int64), _concat(weights, np.float32)


def term_positions(reader: Any, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(document of each position, position), both int64, of a `PackedPositions` term in a
    segment: each block's values joined into one buffer of uint32 runs, each run its
    count and then its positions, and the counts dropped."""
    owners: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    for block_ids, _, values, _, are_deltas in _raw_blocks(reader, field, btext):
        if not values:
            continue
        run_lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        run_lengths //= _INT_SIZE
        flat = np.frombuffer(b"".join(values), dtype=np.uint32)
        is_position = np.ones(len(flat), dtype=bool)
        is_position[np.cumsum(run_lengths) - run_lengths] = False  # each run's count
        owners.append(np.repeat(_block_ids(block_ids, are_deltas), run_lengths - 1))
        positions.append(flat[is_position].astype(np.int64))
    return _concat(owners, np.int64), _concat(positions, np.int64)


def field_terms(reader: Any, field: str) -> Iterator[tuple[bytes, Sequence[int] | None]]:
    """Each term of a field in a segment, in order, with its document ids when the term
    table holds them inline (else None: read them with `term_postings`). One walk over the
    term table instead of a lookup per term."""
    for (name, btext), info in reader._terms.items_from(field, b""):
        if name != field:
            return
        yield btext, (info.inlined_postings()[0] if info.is_inlined() else None)


def values_of(fieldobj: Any, btexts: Sequence[bytes]) -> list[Any]:
    """The values of a field's terms (what `fieldobj.from_bytes` gives for each). A text
    field's terms are UTF-8, decoded in one call for all of them (a segment holds
    thousands: one Python call each was a tenth of a cold faceted query); other fields
    (numbers, dates) one at a time, by Whoosh."""
    if type(fieldobj).from_bytes is not FieldType.from_bytes:
        return [fieldobj.from_bytes(b) for b in btexts]
    values = b"\x00".join(btexts).decode("utf-8").split("\x00")
    if len(values) != len(btexts):  # a term holding NUL itself, or no terms at all
        return [b.decode("utf-8") for b in btexts]
    return values


# Whoosh keeps a document's field length as one byte (an approximation for BM25).
_LENGTH_OF_BYTE = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.int64)


def field_lengths(perdoc: Any, fieldname: str, count: int) -> np.ndarray:
    """The first `count` documents' lengths in a field, read as one buffer from Whoosh's
    length column (what doc_field_length reads one document at a time). `perdoc` is a
    per-document reader (`segment_perdoc`, or a writer's `per_document_reader()`)."""
    out = np.zeros(count, dtype=np.int64)
    column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is not None and column._count:
        stored = min(count, column._count)
        raw = column._dbfile.get(column._basepos, stored)
        out[:stored] = _LENGTH_OF_BYTE[np.frombuffer(raw, dtype=np.uint8)]
    return out


def segment_perdoc(reader: Any) -> Any:
    """A segment reader's per-document reader (stored fields, lengths, columns)."""
    return reader._perdoc


# Open files: Whoosh's SegmentReader opens its term table and postings when it is made
# and keeps every column file it reads (lengths, stored fields) open until it is closed:
# about 5 files a segment, 1,300 a process at 500k articles. Here a searcher
# (`open_searcher`) opens a segment's files when a query first needs them and keeps the
# files of at most OPEN_SEGMENTS segments open and reopens the others when next needed.
# A query visits every segment, in the same order each time: closing the least recently
# used would close each segment just before its turn comes again (with one segment more
# than the limit, every query reopened them all). Closing instead the most recently used
# other one keeps the same OPEN_SEGMENTS - 1 open across queries, and a query reopens
# only the rest.

OPEN_SEGMENTS = 10
# Per-document methods that open column files (the others read the segment's header).
_COLUMN_METHODS = frozenset({"stored_fields", "all_stored_fields", "doc_field_length",
                             "min_field_length", "max_field_length", "column_reader",
                             "_cached_reader", "has_vector", "vector"})


class OpenSegments:
    """The segments of one searcher whose files are open, in the order last used."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self._open: OrderedDict[_SegmentFiles, None] = OrderedDict()
        self.opened = 0  # segments whose files were (re)opened, for tests and benches

    def touch(self, files: _SegmentFiles) -> None:
        if files in self._open:
            self._open.move_to_end(files)
            return
        self._open[files] = None
        limit = OPEN_SEGMENTS if self.limit is None else self.limit
        while len(self._open) > max(1, limit):
            newest = reversed(self._open)
            next(newest)  # `files` itself
            victim = next(newest)
            del self._open[victim]
            victim.release()
        self.opened += 1

    def forget(self, files: _SegmentFiles) -> None:
        self._open.pop(files, None)

    def __len__(self) -> int:
        return len(self._open)


class _SegmentFiles:
    """A segment's term table and postings (opened on first use) and its per-document
    reader (whose column files open on first use), closed together when evicted."""

    def __init__(self, reader: SegmentReader, lru: OpenSegments, terms: Any = None) -> None:
        self._codec, self._storage, self._segment = reader._codec, reader._storage, \
            reader._segment
        self._terms: Any = terms  # None until first used
        self.perdoc: Any = reader._perdoc
        self._lru = lru
        if terms is not None:
            lru.touch(self)

    def terms(self) -> Any:
        if self._terms is None:
            self._terms = self._codec.terms_reader(self._storage, self._segment)
        self._lru.touch(self)
        return self._terms

    def touch(self) -> None:
        self._lru.touch(self)

    def release(self) -> None:
        if self._terms is not None:
            self._terms.close()
            self._terms = None
        self.perdoc.close()
        self.perdoc._colfiles.clear()
        self.perdoc._readers.clear()

    def close(self) -> None:
        self.release()
        self._lru.forget(self)


class _LazyTerms:
    """Stands in for a SegmentReader's terms reader."""

    def __init__(self, files: _SegmentFiles) -> None:
        self._files = files

    def __getattr__(self, name: str) -> Any:
        return getattr(self._files.terms(), name)

    def __contains__(self, key: Any) -> bool:
        return key in self._files.terms()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._files.terms())

    def close(self) -> None:
        self._files.close()


class _TouchingPerDoc:
    """Stands in for a SegmentReader's per-document reader."""

    def __init__(self, files: _SegmentFiles) -> None:
        self._files = files

    def __getattr__(self, name: str) -> Any:
        if name in _COLUMN_METHODS:
            self._files.touch()
        return getattr(self._files.perdoc, name)

    def close(self) -> None:
        self._files.close()


def _lazy_segment_reader(storage: Any, schema: Any, segment: Any, generation: int,
                         lru: OpenSegments) -> SegmentReader:
    """SegmentReader.__init__ without opening the term table and postings."""
    reader = SegmentReader.__new__(SegmentReader)
    reader.schema = schema
    reader.is_closed = False
    reader._segment = segment
    reader._segid = segment.segment_id()
    reader._gen = generation
    if segment.is_compound():  # written by Whoosh's own writer (ours never is)
        from whoosh.filedb.filestore import OverlayStorage

        reader._storage = OverlayStorage(segment.open_compound_file(storage), storage)
    else:
        reader._storage = storage
    reader._codec = segment.codec()
    reader._perdoc = reader._codec.per_document_reader(reader._storage, segment)
    files = _SegmentFiles(reader, lru)
    reader._terms = _LazyTerms(files)
    reader._perdoc = _TouchingPerDoc(files)
    return reader


def open_searcher(ix: Any, lru: OpenSegments) -> Any:
    """A searcher on the index's latest generation whose segments open their files on
    first use, at most `OPEN_SEGMENTS` of them at a time. (Whoosh 2.7.4's `refresh()`
    reuses no segment reader either: it keys reusable readers by generation and looks
    them up by segment id; whoosh-reloaded reuses them, deletions and all.)"""
    from whoosh.reading import MultiReader
    from whoosh.searching import Searcher

    toc = ix._read_toc()
    if not toc.segments:
        return ix.searcher()  # Whoosh's EmptyReader
    readers = [_lazy_segment_reader(ix.storage, toc.schema, segment, toc.generation, lru)
               for segment in toc.segments]
    reader = readers[0] if len(readers) == 1 else MultiReader(readers,
                                                               generation=toc.generation)
    return Searcher(reader, fromindex=ix)


def index_segments(ix: Any) -> list[Any]:
    """The segments in an index's latest table of contents."""
    return ix._segments()


# Writing.


class PostingTable:
    """A segment's postings in memory: field → term → [(docnum, weight, value)]. Stands in
    for Whoosh's PostingPool (the writer's merges call `add` with Whoosh's posting tuple,
    and `cleanup` when done; a negative docnum marks Whoosh's separate spelling words)."""

    def __init__(self, text_fields: frozenset[str] = frozenset()) -> None:
        self.fields: dict[str, dict[Any, list[tuple[int, float, bytes]]]] = {}
        # Fields whose terms are kept as str (the bulk text fields); others as bytes.
        self.text_fields = text_fields
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


class TableSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with its posting pool replaced by a `PostingTable` and its
    flush writing each term's postings a block at a time. Fields with an `add_to(terms,
    docnum, value, boost)` method (`whoosh_bulk._BulkText`) add a whole document's
    postings in one call. Subclasses add files beside the segment in `segment_written`."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        # Separate files per segment, not one compound file: Whoosh opens a compound
        # file's parts as BytesIO copies of the mmap, so every searcher would copy the
        # whole index into memory (6 ms a file at 10k articles, and the RAM).
        kwargs.setdefault("compound", False)
        kwargs.setdefault("codec", W3Codec(blocklimit=BLOCK_POSTINGS))
        super().__init__(ix, **kwargs)
        self.pool = PostingTable(frozenset(  # type: ignore[assignment]
            name for name, field in self.schema.items() if hasattr(field, "add_to")))

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
                if fieldname in self.pool.text_fields:
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

    def segment_file(self, ext: str) -> Any:
        """A new file beside the segment being written (`<segment id><ext>`)."""
        return self.storage.create_file(self.newsegment.make_filename(ext))

    def segment_written(self) -> None:
        """Called once the segment's postings are written (the table still full)."""

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
            rows: list[tuple[bytes, bytes]] = []
            # UTF-8 sorts as code points do, so str terms sort as their bytes would.
            for term in sorted(terms):
                btext = term.encode("utf-8") if isinstance(term, str) else term
                rows.append(_write_term(writer, btext, terms[term], doc_lengths))
            add_term_rows(writer._tindex, rows)
            writer.finish_field()
        writer.close()
        if lengths is not None:
            lengths.close()
        self.segment_written()


def _write_term(writer: Any, btext: bytes, postings: list[tuple[int, float, bytes]],
                doc_lengths: list[int] | None) -> tuple[bytes, bytes]:
    """One term's postings (in document order): inlined in its term info when short, else
    written to the postings file a block at a time. Returns the term's row for the term
    table (what the field writer's finish_term would add), for `add_term_rows`."""
    key = pack_ushort(writer._fieldid) + btext
    if len(postings) <= INLINE_POSTINGS:
        # Most terms of a segment are this rare: their term info is built in one go.
        return key, _inlined_terminfo(postings, doc_lengths)
    return key, _block_terminfo(writer._postfile, writer._format.fixed_value_size(),
                                writer._codec._blocklimit, postings, doc_lengths)


def _dumps(postings: tuple) -> bytes:
    """Posting data pickled without a memo: pickle otherwise marks every tuple and bytes
    value for reuse (2 to 5 bytes each, 10 of a one-posting term's 40), and posting data
    holds nothing twice and nothing that refers to itself."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, PICKLE_PROTOCOL)
    pickler.fast = True
    pickler.dump(postings)
    return out.getvalue()


def _block_terminfo(postfile: Any, fixed_size: int | None, limit: int,
                    postings: list[tuple[int, float, bytes]],
                    doc_lengths: list[int] | None) -> bytes:
    """Write a posting list in Whoosh's W3 block layout (what `W3PostingsWriter` writes
    through start_postings, add_posting, _write_block and finish_postings, one write
    here) and return its `W3TermInfo.to_bytes()`.

    The layout: the magic `W3Bl`, then per block its length (negative for the last), the
    block info pickled (postings, last id, max weight, compression, min and max length
    bytes) and the data: (id deltas, weights minified, values) pickled with protocol
    PICKLE_PROTOCOL, zlib-compressed for blocks of COMPRESS_FROM postings or more."""
    start = postfile.tell()
    parts = [WHOOSH3_HEADER_MAGIC]
    total_weight = 0.0
    max_weight: float = 0
    min_length: int | None = None
    max_length = 0
    count = len(postings)
    for at in range(0, count, limit):
        block = postings[at : at + limit]
        ids, weights, values = zip(*block, strict=True)
        stored = array("f", weights)  # the block holds float32 weights
        total_weight += sum(stored)
        block_max_weight = max(weights)
        max_weight = max(max_weight, block_max_weight)
        block_min = None
        block_max = 0
        if doc_lengths:
            # A document with a posting in a field has a length there (> 0).
            lengths = list(map(doc_lengths.__getitem__, ids))
            block_min, block_max = min(lengths), max(lengths)
            min_length = block_min if min_length is None else min(min_length, block_min)
            max_length = max(max_length, block_max)
        low, high = min(stored), max(stored)
        if low == high:
            mini_weights: Any = None if low == 1.0 else stored[0]
        else:
            # As an array, not Whoosh's tuple: pickled as one buffer of float32 (4 bytes
            # a weight, not 9) that numpy reads without a loop; Whoosh's reader indexes
            # any sequence.
            mini_weights = stored
        kept = [v for v in values if v]
        if fixed_size is None or fixed_size < 0:
            mini_values: Any = tuple(kept)
        elif fixed_size == 0:
            mini_values = None
        else:
            mini_values = b"".join(kept)
        # As weights are; 16 bits where the gaps allow (as small as pickle's 2-byte
        # ints, which zlib at level 1 packs better than 32-bit zeros).
        gaps = list(map(operator.sub, ids, itertools.chain((0,), ids)))
        deltas = array("H" if max(gaps) < 65536 else "I", gaps)
        data = _dumps((deltas, mini_weights, mini_values))
        # zlib costs more than it saves on a block of a few postings (the reader reads
        # the compression level from each block's info).
        compression = COMPRESSION if len(block) >= COMPRESS_FROM else 0
        if compression:
            data = zlib.compress(data, compression)
        info = pickle.dumps((len(ids), ids[-1], block_max_weight, compression,
                             length_to_byte(block_min), length_to_byte(block_max)), 2)
        size = len(info) + len(data)
        parts += (pack_int(-size if at + limit >= count else size), info, data)
    written = b"".join(parts)
    postfile.write(written)
    head = _TERM_INFO.pack(False, total_weight, count,
                           0 if min_length is None else length_to_byte(min_length),
                           length_to_byte(max_length), max_weight, postings[0][0],
                           postings[-1][0])
    return head + pack_long(start) + pack_int(len(written))


def add_term_rows(tindex: OrderedHashWriter, rows: list[tuple[bytes, bytes]]) -> None:
    """`OrderedHashWriter.add(key, value)` for each row, in one write: the same file
    (each record its two lengths, key and value; the same MD5 hash and position in the
    hash buckets and the ordered index), without three writes and a hash call per term."""
    if not rows:
        return
    if tindex.hashfn is not md5_hash:  # only Whoosh's default hash is done here
        for key, value in rows:
            tindex.add(key, value)
        return
    keys = [key for key, _ in rows]
    if keys[0] <= tindex.lastkey or any(map(operator.ge, keys, keys[1:])):
        raise ValueError("term table keys must increase")
    dbfile = tindex.dbfile
    position = dbfile.tell()
    buckets = tindex.buckets
    pack = _ROW_LENGTHS.pack
    parts: list[bytes] = []
    positions: list[int] = []
    for key, value in rows:
        positions.append(position)
        parts += (pack(len(key), len(value)), key, value)
        # md5_hash: the digest's low 32 bits (its last 4 bytes, big-endian).
        hashed = int.from_bytes(md5(key).digest()[12:], "big")
        buckets[hashed & 255].append((hashed, position))
        position += _ROW_LENGTHS.size + len(key) + len(value)
    dbfile.write(b"".join(parts))
    tindex.index.extend(positions)
    tindex.lastkey = keys[-1]


def _inlined_terminfo(postings: list[tuple[int, float, bytes]],
                      doc_lengths: list[int] | None) -> bytes:
    """The `W3TermInfo.to_bytes()` of a short posting list kept in the term table itself
    (Whoosh's reader supports this, but its writer calls a misspelt method, so it never
    inlines): the bytes Whoosh's start_term, add_block, set_inlined and to_bytes would
    make, without their objects (`tests/search/test_whoosh_adapter.py` compares the bytes)."""
    ids, weights, values = zip(*postings, strict=True)
    stored = tuple(array("f", weights))  # the block holds float32 weights
    if doc_lengths:
        lengths = list(map(doc_lengths.__getitem__, ids))
        min_length = length_to_byte(min(lengths))
        max_length = length_to_byte(max(lengths))
    else:
        min_length, max_length = 0, length_to_byte(0)
    head = _TERM_INFO.pack(True, sum(stored), len(ids), min_length, max_length,
                           max(0, max(weights)), ids[0], ids[-1])
    # A whole weight (a count, in a field without boost: nearly every inlined term) as an
    # int, which pickles in 2 bytes instead of a float's 9; Whoosh reads it as a number
    # like any other, and it equals the float (the conformance test compares them).
    small = tuple(int(w) if w.is_integer() and 0 <= w < 256 else w for w in stored)
    return head + _dumps((ids, small, tuple(v for v in values if v)))


# Segments: merging, writing in worker processes, committing them.


def merge_segment(writer: SegmentWriter, segment: Any) -> None:
    """Add a segment's live documents to the segment a writer is writing."""
    reader = SegmentReader(writer.storage, writer.schema, segment)
    writer.add_reader(reader)
    reader.close()


def worker_writer(make: Callable[..., TableSegmentWriter], path: str, indexname: str,
                  *args: Any) -> TableSegmentWriter:
    """A writer in a worker process, without the index's write lock (the committing
    process holds it) and sharing the index's temporary directory."""
    from whoosh.index import open_dir

    return make(open_dir(path, indexname=indexname), *args, _lk=False)


def finish_unlisted_segment(writer: TableSegmentWriter) -> Any:
    """Write a worker's segment to disk without adding it to the table of contents;
    returns the segment, for `commit_with_segments`."""
    # A worker exits after its one task: freeing the postings one by one is wasted time.
    writer.pool.keep = True
    return writer._finalize_segment()


def commit_with_segments(writer: SegmentWriter, mergetype: Callable[..., list[Any]],
                         segments: list[Any]) -> None:
    """Whoosh's commit, plus `segments` written elsewhere (`finish_unlisted_segment`):
    merge by the policy, finish the writer's own segment if it added documents, then one
    new table of contents listing them all."""
    kept = writer._merge_segments(mergetype, None, None)
    if writer._added:
        kept.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(kept + segments)
    writer._finish()
