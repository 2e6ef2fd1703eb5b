"""Small text predicates shared by the ingest steps.

The page keeps its characters as printed; these helpers only look at a normalised view
(NFKC folds full-width letters, digits and punctuation) to decide things.
"""

from __future__ import annotations

import re
import unicodedata

SENTENCE_END = "。！？!?…；;"
CLOSING_MARKS = "”’」』)）\"'"
OPENING_MARKS = "“‘「『(（\"'"


def fold(text: str) -> str:
    """NFKC-folded copy of text, for matching only (never stored)."""
    return unicodedata.normalize("NFKC", text)


def visible_length(text: str) -> int:
    """Length without whitespace."""
    return sum(1 for ch in text if not ch.isspace())


# A bracketed note closing a paragraph: `（记者 李明）`, `(完)`, `（据新华社电）`.
_CLOSING_NOTE = re.compile(r"[(（][^()（）\n]{1,60}[)）]$")


def ends_sentence(text: str) -> bool:
    """True when text ends at the end of a sentence (closing quotes allowed after it, and
    a bracketed note after that: `…发展。（记者 李明）` ends where the note begins)."""
    stripped = text.rstrip()
    if not stripped:
        return False
    note = _CLOSING_NOTE.search(stripped)
    if note and note.start() > 0 and ends_sentence(stripped[: note.start()]):
        return True
    body = stripped.rstrip(CLOSING_MARKS)
    if not body:
        return False
    return body[-1] in SENTENCE_END


def has_sentence_end_inside(text: str) -> bool:
    """True when a sentence terminator stands anywhere in text."""
    return any(ch in SENTENCE_END for ch in text if ch not in "…")
