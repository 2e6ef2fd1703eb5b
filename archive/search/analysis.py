"""Chinese text analysis for the Whoosh index: jieba in search mode, positions in order.

jieba's own ChineseAnalyzer gives tokens character offsets as positions, which breaks
phrase queries; here every token gets the next ordinal position instead, and index and
query share this one analyzer.
"""

from __future__ import annotations

import threading
import unicodedata
import warnings

from whoosh.analysis import Token, Tokenizer
from whoosh.analysis.filters import LowercaseFilter

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    import jieba

_init_lock = threading.Lock()
_initialised = False


def ensure_jieba() -> None:
    """Load jieba's dictionary once per process."""
    global _initialised
    if _initialised:
        return
    with _init_lock:
        if not _initialised:
            jieba.setLogLevel(60)
            jieba.initialize()
            _initialised = True


def is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) in search mode over NFKC-folded text, punctuation dropped."""
    ensure_jieba()
    folded = unicodedata.normalize("NFKC", text)
    if len(folded) != len(text):
        # Folding changed lengths (rare ligatures): offsets then point into the folded text.
        pass
    return [(w, s, e) for w, s, e in jieba.tokenize(folded, mode="search") if is_word(w)]


class JiebaTokenizer(Tokenizer):
    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize_=True, mode="",
                 **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, (word, start, end) in enumerate(tokenize(value or "")):
            token.original = token.text = word
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def ChineseAnalyzer():
    return JiebaTokenizer() | LowercaseFilter()
