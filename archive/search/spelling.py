"""Spelling corrections from the words the index holds (the jieba `words` field).

Chinese typing errors are mostly homophones (动力电尺 for 动力电池), so a word with the
same toneless pinyin comes first; then words one edit away (a character added, dropped
or replaced), found through each word's one-character deletions. Whoosh's own corrector
walks the term table with an automaton per query (100 ms and more); building the same
tables from every segment's lexicon on the first query took 9 s at 50k articles.

So the tables are written with each segment (segments never change), by the segment
writer (`whoosh_bulk.BulkSegmentWriter`), one compact file per segment and field
(`<segment>.<field>.spl`), and a query reads a few small pieces of each file: its cost
is a few seeks per segment, whatever the size of the archive.

File layout (all integers little-endian):

    magic       8 bytes  b"PNSPELL1"
    header      4 × uint32: words W, keys K, block size B, text bytes T
    sparse      uint64 × ceil(K / B): the first key hash of every block of B keys
    hashes      uint64 × K: key hashes, ascending (ties: more frequent word first)
    word ids    uint32 × K: the word each key belongs to
    frequency   uint32 × W: each word's document frequency in the segment
    offsets     uint32 × (W + 1): where each word's UTF-8 text starts in `text`
    text        T bytes: the words, most frequent first

A word's keys are "p" + its pinyin and "d" + itself, and for words of 3 characters or
more "d" + each one-character deletion (a query's keys are never shorter than 2). Sizes
are bounded: at most MAX_WORDS words a segment (the most frequent), at most MAX_PER_KEY
words a key.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pypinyin import lazy_pinyin

MIN_CHARS, MAX_CHARS = 2, 12
EXT = ".spl"
MAGIC = b"PNSPELL1"
MAX_WORDS = 40_000
MAX_PER_KEY = 64
BLOCK = 128
_HEADER = struct.Struct("<8sIIII")


# Pinyin already worked out for words (`remember_pinyin`): pypinyin takes ~20 µs a word,
# half a second for the words of a big page's segment.
_KNOWN_PINYIN: dict[str, str] = {}
KNOWN_PINYIN_MAX = 200_000


def _pinyin(word: str) -> str:
    known = _KNOWN_PINYIN.get(word)
    return known if known is not None else _pypinyin(word)


def _pypinyin(word: str) -> str:
    return " ".join(lazy_pinyin(word))


def pinyin_of_words(text: str) -> dict[str, str]:
    """The pinyin of every word a table could hold (jieba's words of `text`, sub-words
    included, as the `words` field indexes them), for `remember_pinyin`."""
    from archive.search.analysis import word_positions

    return {word: _pypinyin(word) for word in word_positions(text)
            if MIN_CHARS <= len(word) <= MAX_CHARS}


def remember_pinyin(table: Mapping[str, str]) -> None:
    """Keep these words' pinyin for the tables written next (by this process, or by the
    index workers it forks). Bounded: past KNOWN_PINYIN_MAX words it starts afresh."""
    if len(_KNOWN_PINYIN) + len(table) > KNOWN_PINYIN_MAX:
        _KNOWN_PINYIN.clear()
    _KNOWN_PINYIN.update(table)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def filename(segment: Any, fieldname: str) -> str:
    """The table's file name for a Whoosh segment (named like the segment's files, so
    Whoosh deletes it with them; `BulkSegmentWriter._write_spelling` writes it)."""
    return segment.make_filename(f".{fieldname}{EXT}")


def build(frequencies: Mapping[str, int]) -> bytes:
    """The table file for a segment's words (word → document frequency)."""
    words = sorted((w for w in frequencies if MIN_CHARS <= len(w) <= MAX_CHARS),
                   key=lambda w: (-frequencies[w], w))[:MAX_WORDS]
    hashes: list[int] = []
    ids: list[int] = []
    for i, word in enumerate(words):
        keys = {"p" + _pinyin(word), "d" + word}
        if len(word) > 2:
            keys |= {"d" + d for d in _deletions(word)}
        hashes.extend(_hash(k) for k in keys)
        ids.extend([i] * len(keys))
    hash_a = np.array(hashes, dtype=np.uint64)
    id_a = np.array(ids, dtype=np.uint32)
    order = np.lexsort((id_a, hash_a))
    hash_a, id_a = hash_a[order], id_a[order]
    if len(hash_a):
        # Rank of each entry within its run of equal hashes: keep the first MAX_PER_KEY.
        starts = np.flatnonzero(np.concatenate(([True], hash_a[1:] != hash_a[:-1])))
        run_start = np.repeat(starts, np.diff(np.append(starts, len(hash_a))))
        keep = (np.arange(len(hash_a)) - run_start) < MAX_PER_KEY
        hash_a, id_a = hash_a[keep], id_a[keep]
    texts = [w.encode("utf-8") for w in words]
    offsets = np.zeros(len(texts) + 1, dtype=np.uint32)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    text = b"".join(texts)
    parts = [
        _HEADER.pack(MAGIC, len(words), len(hash_a), BLOCK, len(text)),
        hash_a[::BLOCK].astype("<u8").tobytes(),
        hash_a.astype("<u8").tobytes(),
        id_a.astype("<u4").tobytes(),
        np.array([frequencies[w] for w in words], dtype="<u4").tobytes(),
        offsets.astype("<u4").tobytes(),
        text,
    ]
    return b"".join(parts)


@dataclass(frozen=True)
class _Table:
    """A table file's header and sparse index (read once per segment and kept)."""

    words: int
    keys: int
    block: int
    sparse: np.ndarray
    hashes_at: int
    ids_at: int
    frequency_at: int
    offsets_at: int
    text_at: int

    @classmethod
    def read(cls, f: Any) -> _Table | None:
        head = f.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return None
        magic, words, keys, block, _ = _HEADER.unpack(head)
        if magic != MAGIC:
            return None
        blocks = -(-keys // block)
        sparse = np.frombuffer(f.read(8 * blocks), dtype="<u8")
        hashes_at = _HEADER.size + 8 * blocks
        ids_at = hashes_at + 8 * keys
        frequency_at = ids_at + 4 * keys
        offsets_at = frequency_at + 4 * words
        text_at = offsets_at + 4 * (words + 1)
        return cls(words, keys, block, sparse, hashes_at, ids_at, frequency_at, offsets_at,
                   text_at)

    def word_ids(self, f: Any, key: str) -> list[int]:
        """The ids of the words under a key: a read of one or two blocks."""
        h = np.uint64(_hash(key))
        first = max(0, int(np.searchsorted(self.sparse, h, "left")) - 1)
        last = int(np.searchsorted(self.sparse, h, "right"))
        if last == 0:
            return []
        lo, hi = first * self.block, min(self.keys, last * self.block)
        hashes = np.frombuffer(_pread(f, self.hashes_at + 8 * lo, 8 * (hi - lo)), dtype="<u8")
        a, b = np.searchsorted(hashes, h, "left"), np.searchsorted(hashes, h, "right")
        if a == b:
            return []
        ids = np.frombuffer(_pread(f, self.ids_at + 4 * (lo + a), 4 * (b - a)), dtype="<u4")
        return ids.tolist()

    def word(self, f: Any, i: int) -> tuple[str, int]:
        """A word and its document frequency in the segment."""
        start, end = struct.unpack("<II", _pread(f, self.offsets_at + 4 * i, 8))
        (frequency,) = struct.unpack("<I", _pread(f, self.frequency_at + 4 * i, 4))
        return _pread(f, self.text_at + start, end - start).decode("utf-8"), frequency


def _pread(f: Any, at: int, size: int) -> bytes:
    f.seek(at)
    return f.read(size)


_tables: dict[tuple[str, str], _Table | None] = {}
_lock = threading.Lock()
_MAX_SEGMENTS = 1024


def _segment_words(reader: Any, fieldname: str, sound_key: str,
                   near_keys: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """(sound, near) words of one segment's table, word → frequency there."""
    segment = reader.segment()
    storage = reader.storage()
    name = filename(segment, fieldname)
    if not storage.file_exists(name):
        return {}, {}  # written by Whoosh's own writer: no table
    cache_key = (segment.segment_id(), fieldname)
    sound: dict[str, int] = {}
    near: dict[str, int] = {}
    with storage.open_file(name) as f:
        table = _tables.get(cache_key)
        if table is None:
            table = _Table.read(f)
            with _lock:
                if len(_tables) >= _MAX_SEGMENTS:
                    _tables.clear()
                _tables[cache_key] = table
        if table is None:
            return {}, {}
        for i in table.word_ids(f, sound_key):
            word, frequency = table.word(f, i)
            sound[word] = frequency
        for key in near_keys:
            for i in table.word_ids(f, key):
                word, frequency = table.word(f, i)
                # A hash collision would name a word that is not one edit away.
                if key[1:] == word or key[1:] in _deletions(word):
                    near[word] = frequency
    return sound, near


def corrections(searcher: Any, fieldname: str, word: str, limit: int = 3) -> list[str]:
    """Indexed words like `word`: same pinyin first, then one edit away; more frequent
    first within each group."""
    if not MIN_CHARS <= len(word) <= MAX_CHARS:
        return []
    sound: dict[str, int] = {}
    near: dict[str, int] = {}
    # One edit in a two-character word leaves one character: too loose to suggest.
    keys = {"d" + k for k in {word} | _deletions(word)} if len(word) > 2 else set()
    sound_key = "p" + _pinyin(word)
    for reader, _ in searcher.reader().leaf_readers():
        if fieldname not in reader.schema or reader.segment() is None:
            continue
        found_sound, found_near = _segment_words(reader, fieldname, sound_key, keys)
        for w, n in found_sound.items():
            sound[w] = sound.get(w, 0) + n
        for w, n in found_near.items():
            near[w] = near.get(w, 0) + n

    def by_frequency(words: dict[str, int], skip: dict[str, int]) -> list[str]:
        found = [w for w in words if w != word and w not in skip]
        return sorted(found, key=lambda w: (-words[w], w))

    ordered = by_frequency(sound, {}) + by_frequency(near, sound)
    return ordered[:limit]
