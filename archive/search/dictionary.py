"""Park names in jieba's dictionary, so that a zone's name is one word and its parts too.

The registry (archive/data/parks.csv) is loaded at start-up from the app's ready() hook,
before gunicorn forks its workers; zones that exist only in the database (named by a
page, added in admin) are loaded once per process on first use and whenever a park is
saved. A name missing from the dictionary never costs a match (matching is by grams, see
`analysis.py`), only ranking.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from archive.registry import ZONE_SUFFIXES, read_registry
from archive.search import analysis

_lock = threading.Lock()
_added: set[str] = set()
_database_loaded = False


def park_words(names: Iterable[str]) -> set[str]:
    """Names and aliases, plus each one's stem and zone word (杨凌农高区 → 杨凌, 农高区)."""
    out: set[str] = set()
    for raw in names:
        name = analysis.fold_needle(raw)
        if len(name) < 2 or " " in name:
            continue
        out.add(name)
        for suffix in ZONE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out.update((name[: -len(suffix)], suffix))
                break
    return out


def add_words(words: Iterable[str]) -> int:
    """Add words to jieba's dictionary (once each); returns how many were new."""
    segmenter = analysis.segmenter()
    new = 0
    with _lock:
        for word in words:
            if word not in _added:
                segmenter.add_word(word)
                _added.add(word)
                new += 1
    return new


def names_of(name: str, full_name: str, aliases: str) -> list[str]:
    return [name, full_name, *aliases.split("|")]


def load_registry() -> int:
    """The shipped registry's names; no database needed (runs in AppConfig.ready)."""
    rows = read_registry()
    names = [n for r in rows for n in names_of(r["name"], r["full_name"], r["aliases"])]
    return add_words(park_words(names))


def load_database_parks() -> None:
    """Every park row's names, once per process (first search or index write)."""
    global _database_loaded
    if _database_loaded:
        return
    from archive.models import Park

    rows = Park.objects.values_list("name", "full_name", "aliases")
    add_words(park_words(n for row in rows for n in names_of(*row)))
    _database_loaded = True


def add_park(name: str, full_name: str, aliases: str) -> None:
    add_words(park_words(names_of(name, full_name, aliases)))
