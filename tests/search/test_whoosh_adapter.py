"""The one seam to Whoosh (archive/search/whoosh_adapter.py): the bulk writer conforms to
Whoosh's own, and a Whoosh other than the one it was written for is refused at start-up.

Conformance: the seeds' documents written once by our writer (postings a block at a
time, short lists inlined, lengths read as one buffer) and once by Whoosh's own
SegmentWriter over the fields' analyzers (its posting pool, its per-posting codec
writer) give the same terms, postings, positions, stored fields, field lengths, matches
and BM25 scores."""

from __future__ import annotations

import random
from array import array
from pathlib import Path

import pytest
from haystack import connections
from whoosh.fields import NUMERIC, TEXT
from whoosh.index import create_in
from whoosh.writing import SegmentWriter

from archive.models import Article
from archive.search import arrays, whoosh_adapter, whoosh_bulk
from archive.search import compile as qc
from archive.search.backend import SIDECAR_FIELDS, get_backend
from archive.search.query import parse

pytestmark = pytest.mark.django_db

QUERIES = ["高新区", "企业", "高新技术企业", "宁波 创新", '"科技 创新"', "亿元 -西安", "的",
           "2020", "动力电池", "一区十园"]


def _seed_documents(django_db_blocker) -> tuple:
    """(the backend, the seeds' articles as the documents the index writers are given)."""
    with django_db_blocker.unblock():
        backend = get_backend()
        backend.setup()
        index = connections["default"].get_unified_index().get_index(Article)
        return backend, backend._prepare(index, list(index.index_queryset().order_by("pk")), [])


@pytest.fixture(scope="module")
def both(tmp_path_factory, django_db_setup, django_db_blocker):
    """(ours, Whoosh's): the seeds written by each writer into an index of its own."""
    backend, docs = _seed_documents(django_db_blocker)
    assert len(docs) > 20
    root = tmp_path_factory.mktemp("conformance")
    indexes = []
    for name in ("ours", "whoosh"):
        (root / name).mkdir()
        indexes.append(create_in(str(root / name), backend.schema))
    ours, theirs = indexes
    writer = whoosh_bulk.BulkSegmentWriter(ours, SIDECAR_FIELDS)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    # Whoosh's own path: the field's analyzer (TEXT.index), Whoosh's pool and codec.
    original = whoosh_bulk._BulkText.index
    whoosh_bulk._BulkText.index = TEXT.index  # type: ignore[method-assign]
    try:
        writer = SegmentWriter(theirs)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
    finally:
        whoosh_bulk._BulkText.index = original  # type: ignore[method-assign]
    with ours.searcher() as a, theirs.searcher() as b:
        yield a, b


def _postings(reader, field: str, btext: bytes) -> list[tuple[int, float, bytes]]:
    matcher = reader.postings(field, btext)
    out = []
    while matcher.is_active():
        # A value-less format (ID fields) reads as None from a block and "" from a term
        # kept inline in the term table (Whoosh's ListMatcher): the same nothing.
        out.append((matcher.id(), matcher.weight(), matcher.value() or None))
        matcher.next()
    return out


def _term_stats(reader, field: str, btext: bytes) -> tuple:
    info = reader.term_info(field, btext)
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
            info.max_weight(), info.min_id(), info.max_id())


def test_the_same_terms_postings_and_positions(both) -> None:
    ours, theirs = both
    compared = 0
    for field, fieldobj in ours.schema.items():
        if not fieldobj.indexed:
            continue
        lexicon = list(ours.reader().lexicon(field))
        assert lexicon == list(theirs.reader().lexicon(field)), field
        for btext in lexicon:
            assert _postings(ours.reader(), field, btext) == _postings(
                theirs.reader(), field, btext), (field, btext)
            # The term's statistics (inlined or not): what scoring and skipping read.
            assert _term_stats(ours.reader(), field, btext) == _term_stats(
                theirs.reader(), field, btext), (field, btext)
            compared += 1
    assert compared > 5000
    # Our readers of whole blocks read Whoosh's blocks as they read ours.
    for searcher in both:
        _assert_whole_block_readers_agree(searcher)


def _assert_whole_block_readers_agree(searcher) -> int:
    """`term_postings` and `term_positions` read every term of the text field and of the
    frequency-only words field as Whoosh's matcher does; returns how many terms were
    kept in blocks rather than inline."""
    (reader, _), = searcher.reader().leaf_readers()
    in_blocks = 0
    for field in (qc.TEXT, qc.WORDS):
        for btext in searcher.reader().lexicon(field):
            expected = _postings(reader, field, btext)
            ids, weights = whoosh_adapter.term_postings(reader, field, btext)
            assert ids.tolist() == [p[0] for p in expected], (field, btext)
            assert weights.tolist() == [p[1] for p in expected], (field, btext)
            in_blocks += not reader.term_info(field, btext).is_inlined()
            if field == qc.TEXT:
                decode = reader.schema[field].format.decode_positions
                owners, positions = whoosh_adapter.term_positions(reader, field, btext)
                assert list(zip(owners.tolist(), positions.tolist(), strict=True)) == [
                    (doc, at) for doc, _, value in expected for at in decode(value)
                ], btext
    return in_blocks


@pytest.mark.parametrize("writer_class", ["ours", "whoosh"])
def test_whole_block_readers_read_many_blocks_as_whoosh_does(writer_class, tmp_path,
                                                             django_db_blocker) -> None:
    """The seeds written with blocks of 3 postings (the default 128 holds all of a
    seed term's postings in one block): terms spread over many blocks, the last one
    short, weights minified all three ways (none, one for the block, one each)."""
    from whoosh.codec.whoosh3 import W3Codec

    backend, docs = _seed_documents(django_db_blocker)
    ix = create_in(str(tmp_path), backend.schema)
    codec = W3Codec(blocklimit=3)
    if writer_class == "ours":
        writer = whoosh_bulk.BulkSegmentWriter(ix, SIDECAR_FIELDS, codec=codec)
    else:
        writer = SegmentWriter(ix, codec=codec)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    with ix.searcher() as searcher:
        assert _assert_whole_block_readers_agree(searcher) > 100


def test_the_same_stored_fields_and_field_lengths(both) -> None:
    ours, theirs = both
    assert ours.doc_count_all() == theirs.doc_count_all()
    for doc in range(ours.doc_count_all()):
        assert ours.stored_fields(doc) == theirs.stored_fields(doc)
    scorable = [f for f, obj in ours.schema.items() if obj.scorable]
    assert {qc.TEXT, qc.HEADLINE, qc.WORDS} <= set(scorable)
    for field in scorable:
        assert ours.reader().field_length(field) == theirs.reader().field_length(field)
        lengths = [[s.reader().doc_field_length(d, field) for d in range(s.doc_count_all())]
                   for s in both]
        assert lengths[0] == lengths[1], field
        (reader, _), = ours.reader().leaf_readers()
        read = whoosh_adapter.field_lengths(whoosh_adapter.segment_perdoc(reader), field,
                                            ours.doc_count_all())
        assert [int(n) for n in read] == [n or 0 for n in lengths[0]], field


@pytest.mark.parametrize("q", QUERIES)
def test_the_same_matches_and_bm25_scores(both, q: str) -> None:
    parsed = parse(q)
    plan = qc.match_plan(parsed, {})
    rank = qc.rank_query(parsed)
    found = [qc.matching_array(s, plan).tolist() for s in both]
    assert found[0] == found[1]
    # Whoosh's own BM25F over the ranking query, on each index.
    scored = [[(hit.docnum, round(hit.score, 9)) for hit in s.search(rank, limit=None)]
              for s in both]
    assert scored[0] == scored[1] and scored[0]
    # And our array ranking, on each index.
    ranked = [[(d, round(score, 9)) for d, score in
               arrays.ranked(s, qc.matching_array(s, plan), rank, 50)] for s in both]
    assert ranked[0] == ranked[1]


def test_the_version_it_was_written_for_is_the_one_installed() -> None:
    assert whoosh_adapter.version_problem() is None


def test_another_whoosh_is_refused_with_one_clear_message(monkeypatch) -> None:
    import importlib.metadata

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(whoosh_adapter.whoosh, "__version__", (2, 7, 5))
    with pytest.raises(ImproperlyConfigured, match=r"Whoosh 2\.7\.5 .*needs Whoosh==2\.7\.4"):
        whoosh_adapter.check_version()
    monkeypatch.undo()
    real = importlib.metadata.version

    def with_reloaded(name: str) -> str:
        return "2.7.5" if name == "whoosh-reloaded" else real(name)

    monkeypatch.setattr(importlib.metadata, "version", with_reloaded)
    with pytest.raises(ImproperlyConfigured, match=r"whoosh-reloaded 2\.7\.5 is installed"):
        whoosh_adapter.check_version()


def test_start_up_refuses_another_whoosh(tmp_path: Path) -> None:
    """`manage.py check` (any command, and gunicorn's app load) stops at AppConfig.ready."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    shim = tmp_path / "sitecustomize.py"
    shim.write_text("import whoosh\nwhoosh.__version__ = (2, 7, 5)\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Whoosh 2.7.5 is installed; the search index needs Whoosh==2.7.4" in done.stderr


class _WhooshBlock:
    """The postings block Whoosh's W3PostingsWriter holds for one term, filled as its
    add_posting fills it, for W3TermInfo.add_block."""

    def __init__(self, postings, lengths) -> None:
        self._ids, self._weights, self._values = array("I"), array("f"), []
        self._minlength, self._maxlength, self._maxweight = None, 0, 0
        for docnum, weight, value in postings:
            self._ids.append(docnum)
            self._weights.append(weight)
            self._maxweight = max(self._maxweight, weight)
            if value:
                self._values.append(value)
            length = lengths[docnum] if lengths else None
            if length:
                self._minlength = length if self._minlength is None else min(self._minlength,
                                                                             length)
                self._maxlength = max(self._maxlength, length)

    def __len__(self) -> int:
        return len(self._ids)

    def min_length(self):
        return self._minlength

    def max_length(self):
        return self._maxlength

    def max_weight(self):
        return self._maxweight

    def min_id(self):
        return self._ids[0]

    def max_id(self):
        return self._ids[-1]


def _read_info(value: bytes) -> tuple:
    from whoosh.codec.whoosh3 import W3TermInfo

    info = W3TermInfo.from_bytes(value)
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
            info.max_weight(), info.min_id(), info.max_id(), info.is_inlined())


def test_an_inlined_term_info_reads_as_the_one_whoosh_would_write() -> None:
    """The same statistics, byte for byte, and the same postings; only the pickle
    protocol of the postings differs (PICKLE_PROTOCOL, not Whoosh's 2)."""
    import pickle

    from whoosh.codec.whoosh3 import W3TermInfo

    rng = random.Random(5)
    lengths = [rng.choice([1, 5, 300, 70_000]) for _ in range(2_000)]
    head = W3TermInfo._struct.size
    for _ in range(3_000):
        docs = sorted(rng.sample(range(2_000), rng.randint(1, whoosh_adapter.INLINE_POSTINGS)))
        postings = [(d, rng.choice([1.0, 2.0, 0.1, 1.5, 3.3333]), rng.choice([b"", b"\x01\x02"]))
                    for d in docs]
        with_lengths = lengths if rng.random() < 0.7 else None
        block = _WhooshBlock(postings, with_lengths)
        theirs = W3TermInfo()
        theirs.add_block(block)
        theirs.set_inlined(block._ids, block._weights, block._values)
        ours = whoosh_adapter._inlined_terminfo(postings, with_lengths)
        expected = theirs.to_bytes()
        assert ours[:head] == expected[:head]
        assert pickle.loads(ours[head:]) == pickle.loads(expected[head:])
        assert W3TermInfo.from_bytes(ours).inlined_postings() == theirs.inlined_postings()


def _blocks_read(path: Path, value: bytes, fmt) -> list[tuple]:
    """Each block of a posting list as Whoosh's matcher reads it: (count, last id, max
    weight, min length, max length, ids, weights, values)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo
    from whoosh.filedb.structfile import StructFile

    offset, length = W3TermInfo.from_bytes(value).extent()
    with open(path, "rb") as handle:
        matcher = W3LeafMatcher(StructFile(handle), offset, length, fmt)
        blocks = []
        while True:
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            blocks.append((matcher._blocklength, matcher._maxid, matcher._maxweight,
                           matcher._minlength, matcher._maxlength, tuple(matcher._ids),
                           tuple(matcher._weights), tuple(matcher._values)))
            if matcher._lastblock:
                return blocks
            matcher._next_block()


@pytest.mark.parametrize("fmt_name", ["positions", "frequency", "existence"])
def test_a_block_posting_list_reads_as_the_one_whoosh_would_write(tmp_path: Path,
                                                                 fmt_name: str) -> None:
    """Posting lists from 8 to 400 postings (1 to 4 blocks), written by `_block_terminfo`
    and by Whoosh's W3PostingsWriter: the same term statistics and, block by block, the
    same ids, weights, values and block statistics as Whoosh's matcher reads them."""
    from whoosh.codec.whoosh3 import W3PostingsWriter, W3TermInfo
    from whoosh.filedb.structfile import StructFile
    from whoosh.formats import Existence, Frequency

    fmt = {"positions": whoosh_adapter.PackedPositions(), "frequency": Frequency(),
           "existence": Existence()}[fmt_name]
    rng = random.Random(9)
    lengths = [rng.choice([1, 5, 300, 70_000]) for _ in range(5_000)]
    ours_path, theirs_path = tmp_path / "ours.pst", tmp_path / "theirs.pst"
    with open(ours_path, "wb") as ours_file, open(theirs_path, "wb") as theirs_file:
        ours_out, theirs_out = StructFile(ours_file), StructFile(theirs_file)
        cases = []
        for _ in range(200):
            count = rng.choice([8, 9, 127, 128, 129, 256, 400, rng.randint(8, 400)])
            docs = sorted(rng.sample(range(5_000), count))
            same = rng.random() < 0.3  # every weight equal: minified to one number
            weight = rng.choice([1.0, 2.0, 0.1])
            postings = []
            for d in docs:
                n = rng.randint(1, 3)
                value = {"positions": whoosh_adapter.PackedPositions().encode(
                             sorted(rng.sample(range(900), n))),
                         "frequency": whoosh_adapter.packed_count(n),
                         "existence": b""}[fmt_name]
                postings.append((d, weight if same else float(n) * 1.5, value))
            with_lengths = lengths if rng.random() < 0.7 else None
            ours = whoosh_adapter._block_terminfo(ours_out, fmt.fixed_value_size(), 128,
                                                  postings, with_lengths)
            writer = W3PostingsWriter(theirs_out, 128, compression=1)
            writer.start_postings(fmt, W3TermInfo())
            for d, w, v in postings:
                writer.add_posting(d, w, v, with_lengths[d] if with_lengths else None)
            theirs = writer.finish_postings().to_bytes()
            assert _read_info(ours) == _read_info(theirs)
            cases.append((ours, theirs))
    for ours, theirs in cases:
        assert _blocks_read(ours_path, ours, fmt) == _blocks_read(theirs_path, theirs, fmt)


def test_term_rows_written_at_once_make_the_file_whoosh_would(tmp_path: Path) -> None:
    """`add_term_rows` against OrderedHashWriter.add one row at a time: the same bytes,
    over two fields' batches and 20,000 rows (positions past 65,535 retype the index)."""
    from whoosh.filedb.filetables import OrderedHashWriter
    from whoosh.filedb.structfile import StructFile

    rng = random.Random(3)
    words = sorted({"".join(rng.choice("高新区企业创新") for _ in range(rng.randint(1, 4)))
                    for _ in range(20_000)})
    batches = [[(bytes([0, field]) + w.encode(), bytes(rng.randint(0, 60)))
                for w in words] for field in (0, 1)]
    files = {}
    for name in ("ours", "whoosh"):
        path = tmp_path / name
        with open(path, "wb") as handle:
            table = OrderedHashWriter(StructFile(handle))
            for rows in batches:
                if name == "ours":
                    whoosh_adapter.add_term_rows(table, rows)
                else:
                    for key, value in rows:
                        table.add(key, value)
            table.close()
        files[name] = path.read_bytes()
    assert files["ours"] == files["whoosh"]
    with open(tmp_path / "bad", "wb") as handle:
        table = OrderedHashWriter(StructFile(handle))
        with pytest.raises(ValueError, match="must increase"):
            whoosh_adapter.add_term_rows(table, [(b"b", b""), (b"a", b"")])


def test_values_of_a_fields_terms_equal_whooshs_from_bytes(both) -> None:
    """`values_of` decodes a text field's terms in one call and other fields' (numbers,
    dates) by Whoosh: the same values as `from_bytes` term by term, for every field of
    the seeds' index, and for a term holding NUL."""
    ours, _ = both
    compared = 0
    for field, fieldobj in ours.schema.items():
        if not fieldobj.indexed:
            continue
        btexts = list(ours.reader().lexicon(field))
        if isinstance(fieldobj, NUMERIC):  # a number's full-precision terms (shift 0)
            btexts = [b for b in btexts if b[:1] == b"\x00"]
        assert whoosh_adapter.values_of(fieldobj, btexts) == [
            fieldobj.from_bytes(b) for b in btexts], field
        compared += len(btexts)
    assert compared > 5000
    text_field = ours.schema["django_id"]
    odd = [b"a", "园\x00区".encode(), b"", "宁波".encode()]
    assert whoosh_adapter.values_of(text_field, odd) == ["a", "园\x00区", "", "宁波"]
    assert whoosh_adapter.values_of(text_field, []) == []
