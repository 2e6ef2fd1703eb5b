"""Spelling corrections from the words the index holds (the jieba `words` field).

Chinese typing errors are mostly homophones (动力电尺 for 动力电池), so a word with the
same toneless pinyin comes first; then words one edit away (a character added, dropped
or replaced), found through a table of each word with one character deleted. Tables are
built per index segment (segments never change) and kept, so a correction costs a few
dictionary lookups. Whoosh's own corrector walks the term table with an automaton per
query, which took 100 ms and more.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from pypinyin import lazy_pinyin
from whoosh.searching import Searcher

MIN_CHARS, MAX_CHARS = 2, 12


@dataclass
class _Table:
    by_pinyin: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_deletion: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


_tables: dict[tuple[str, str], _Table] = {}
_lock = threading.Lock()
_MAX_SEGMENTS = 256


def _pinyin(word: str) -> str:
    return " ".join(lazy_pinyin(word))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _table(reader: object, fieldname: str) -> _Table:
    key = (reader.segment().segment_id(), fieldname)  # type: ignore[attr-defined]
    table = _tables.get(key)
    if table is None:
        table = _Table()
        for btext in reader.lexicon(fieldname):  # type: ignore[attr-defined]
            word = btext.decode("utf-8")
            if not MIN_CHARS <= len(word) <= MAX_CHARS:
                continue
            table.by_pinyin[_pinyin(word)].add(word)
            table.by_deletion[word].add(word)
            for shorter in _deletions(word):
                table.by_deletion[shorter].add(word)
        with _lock:
            if len(_tables) >= _MAX_SEGMENTS:
                _tables.clear()
            _tables[key] = table
    return table


def corrections(searcher: Searcher, fieldname: str, word: str, limit: int = 3) -> list[str]:
    """Indexed words like `word`: same pinyin first, then one edit away; more frequent
    first within each group."""
    if not MIN_CHARS <= len(word) <= MAX_CHARS:
        return []
    sound: set[str] = set()
    near: set[str] = set()
    # One edit in a two-character word leaves one character: too loose to suggest.
    keys = {word} | _deletions(word) if len(word) > 2 else set()
    for reader, _ in searcher.reader().leaf_readers():
        if fieldname not in reader.schema:
            continue
        table = _table(reader, fieldname)
        sound |= table.by_pinyin.get(_pinyin(word), set())
        for key in keys:
            near |= table.by_deletion.get(key, set())
    reader = searcher.reader()

    def by_frequency(words: set[str]) -> list[str]:
        found = [w for w in words if w != word]
        return sorted(found, key=lambda w: (-reader.doc_frequency(fieldname, w), w))

    ordered = by_frequency(sound) + by_frequency(near - sound)
    return ordered[:limit]
