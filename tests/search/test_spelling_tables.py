"""Spelling tables written with each segment (archive/search/spelling.py): a query with
no hits reads a few pieces of them, never the lexicon, and their size is bounded."""

from __future__ import annotations

import pytest
from whoosh.reading import SegmentReader

from archive.search import spelling
from archive.search.backend import get_backend
from archive.search.compile import WORDS

pytestmark = pytest.mark.django_db


def test_every_segment_has_its_table() -> None:
    def tables(searcher) -> list[bool]:
        return [reader.storage().file_exists(spelling.filename(reader.segment(), WORDS))
                for reader, _ in searcher.reader().leaf_readers()]

    found = get_backend().read(tables)
    assert found and all(found)


def test_a_zero_hit_query_never_walks_the_lexicon(api, monkeypatch) -> None:
    def walked(*args, **kwargs):
        raise AssertionError("the lexicon was walked")

    monkeypatch.setattr(SegmentReader, "lexicon", walked)
    monkeypatch.setattr(spelling, "_tables", {})  # as in a new process
    assert api(q="动力电尺")["suggestion"] == "动力电池"
    assert api(q="西安高新区动力电池")["suggestion"] == "西安高新区 动力电池"


def _read(data: bytes, key: str) -> list[tuple[str, int]]:
    import io

    f = io.BytesIO(data)
    table = spelling._Table.read(f)
    assert table is not None
    return [table.word(f, i) for i in table.word_ids(f, key)]


def test_a_table_keeps_the_most_frequent_words(monkeypatch) -> None:
    monkeypatch.setattr(spelling, "MAX_WORDS", 3)
    data = spelling.build({"电池": 5, "电站": 9, "电视": 1, "电器": 7, "电": 99})
    assert sorted(_read(data, "d电视")) == []  # the least frequent word is left out
    assert _read(data, "d电站") == [("电站", 9)]
    assert _read(data, "p" + spelling._pinyin("电池")) == [("电池", 5)]


def test_a_key_names_at_most_max_per_key_words_the_most_frequent_first(monkeypatch) -> None:
    monkeypatch.setattr(spelling, "MAX_PER_KEY", 4)
    monkeypatch.setattr(spelling, "BLOCK", 2)  # runs of one key across blocks
    words = {f"高新{chr(0x4E00 + i)}": 100 - i for i in range(10)}
    data = spelling.build(words)
    found = _read(data, "d高新")
    assert found == sorted(words.items(), key=lambda kv: -kv[1])[:4]


def test_pinyin_worked_out_ahead_gives_the_same_table(seed_texts, monkeypatch) -> None:
    """A big page's words' pinyin, worked out in a forked child beside the pipeline
    (`ingest._warm_spelling`), makes the very table pypinyin alone makes."""
    from pypinyin import lazy_pinyin

    from archive.management.commands import ingest
    from archive.search.analysis import word_positions

    monkeypatch.setattr(spelling, "_KNOWN_PINYIN", {})
    text = "\n\n".join(seed_texts.values())
    frequencies = {word: len(at) for word, at in word_positions(text).items()}
    plain = spelling.build(frequencies)
    monkeypatch.setattr(ingest, "WARM_SPELLING_CHARS", len(text))
    assert ingest._warm_spelling(text[:-1]) is None  # a usual page: no fork
    warming = ingest._warm_spelling(text)
    assert warming is not None
    ingest._remember_spelling(warming)
    known = spelling._KNOWN_PINYIN
    assert len(known) > 1000
    assert all(known[w] == " ".join(lazy_pinyin(w)) for w in list(known)[:500])
    monkeypatch.setattr(spelling, "lazy_pinyin", None)  # every word comes from the memo
    assert spelling.build(frequencies) == plain


def test_the_pinyin_memo_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(spelling, "_KNOWN_PINYIN", {})
    monkeypatch.setattr(spelling, "KNOWN_PINYIN_MAX", 3)
    spelling.remember_pinyin({"高新": "gao xin", "企业": "qi ye"})
    spelling.remember_pinyin({"创新": "chuang xin", "园区": "yuan qu"})
    assert spelling._KNOWN_PINYIN == {"创新": "chuang xin", "园区": "yuan qu"}
