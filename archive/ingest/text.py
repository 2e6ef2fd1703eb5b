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


# A bracketed note closing a paragraph: `（记者 李明）`, `(完)`, `（据新华社电）`; at most a
# few in a row are read past (`。（记者 李明）（完）`), and only the end of the text is read.
_CLOSING_NOTE = re.compile(r"[(（][^()（）\n]{1,60}[)）]$")
_NOTE_TAIL = 64
MAX_CLOSING_NOTES = 3


def ends_sentence(text: str) -> bool:
    """True when text ends at the end of a sentence (closing quotes allowed after it, and
    a bracketed note after that: `…发展。（记者 李明）` ends where the note begins)."""
    stripped = text.rstrip()
    for _ in range(MAX_CLOSING_NOTES):
        tail_at = max(0, len(stripped) - _NOTE_TAIL)
        note = _CLOSING_NOTE.search(stripped, tail_at)
        if note is None or note.start() == 0:
            break
        stripped = stripped[: note.start()].rstrip()
        if _ends_plainly(stripped):
            return True
    return _ends_plainly(text.rstrip())


def _ends_plainly(stripped: str) -> bool:
    """A sentence mark last, closing quotes allowed after it."""
    body = stripped.rstrip(CLOSING_MARKS)
    return bool(body) and body[-1] in SENTENCE_END


def has_sentence_end_inside(text: str) -> bool:
    """True when a sentence terminator stands anywhere in text."""
    return any(ch in SENTENCE_END for ch in text if ch not in "…")
