"""Text analysis shared by indexing, querying and highlighting.

Two token streams are made from the same folded text:

* grams — every character and every pair of adjacent characters, at the character's
  ordinal position. A query string is found exactly where its characters stand in a row,
  so a phrase of its grams (see `needle_grams`) matches every text that contains it as a
  substring and no other; this is what makes results complete and exact, whatever jieba
  would have segmented.
* words — jieba's search-mode segmentation (park names in its dictionary, see
  `dictionary.py`): each base word takes the next position, and the shorter dictionary
  words inside it (jieba's search mode) share that position. Words rank results, pick the
  key terms of an article for "similar articles" and feed spelling suggestions.

Both are plain Python (`grams()`, `words()`), so another engine can be fed the same
tokens; the Whoosh tokenizers at the bottom only wrap them.

Folding is NFKC, lower case and traditional → simplified characters (`variants.py`,
OpenCC's character table: `國家高新區` folds to `国家高新区`), one grapheme-ish cluster (a
character and the combining marks after it) at a time so that every folded character
knows where it came from in the original text; runs of whitespace become one space, and
other control or format characters become a barrier that no gram and no phrase crosses.
"""

from __future__ import annotations

import functools
import re
import tempfile
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from whoosh.analysis import Token, Tokenizer

from archive.search import variants

# Joins the fields of one document, and stands for any control character in a text.
BARRIER = "\x1e"
SPACE = " "


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text with, for each of its characters, the span it came from."""

    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of the folded characters [start, end)."""
        return self.starts[start], self.ends[end - 1]


@dataclass(frozen=True, slots=True)
class Term:
    """One analysed token: text, ordinal position, span in the original text."""

    text: str
    position: int
    start: int
    end: int


def _is_barrier(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


_NORMAL, _SPACE, _BARRIER, _COMBINING = range(4)
_char_cache: dict[str, tuple[int, str]] = {}
# ord → folded character, for characters that fold to exactly one (str.translate).
_one_to_one: dict[int, str] = {}
_DOUBLE_SPACE = SPACE * 2


def _char(ch: str) -> tuple[int, str]:
    """(kind, folded) of one character, cached: the same few thousand recur."""
    info = _char_cache.get(ch)
    if info is None:
        if ch.isspace():
            info = (_SPACE, SPACE)
        elif _is_barrier(ch):
            info = (_BARRIER, BARRIER)
        elif unicodedata.combining(ch):
            info = (_COMBINING, ch)
        else:
            info = (_NORMAL, _fold_cluster(ch))
        if len(_char_cache) < 100_000:
            _char_cache[ch] = info
    return info


def _fold_one_to_one(text: str) -> Folded | None:
    """The common case at C speed: every character folds to one character and no
    whitespace run needs collapsing, so offsets are the identity."""
    for ch in set(text):
        if ord(ch) not in _one_to_one:
            kind, folded = _char(ch)
            if kind == _COMBINING or len(folded) != 1:
                return None
            _one_to_one[ord(ch)] = folded
    folded_text = text.translate(_one_to_one)
    if _DOUBLE_SPACE in folded_text:
        return None
    n = len(text)
    return Folded(folded_text, range(n), range(1, n + 1))


def _fold_cluster(cluster: str) -> str:
    to_simplified = variants.table()
    out = []
    for ch in unicodedata.normalize("NFKC", cluster).lower():
        out.append(
            SPACE if ch.isspace() else BARRIER if _is_barrier(ch) else to_simplified.get(ch, ch)
        )
    return "".join(out)


@functools.lru_cache(maxsize=8)  # indexing folds each document's text for two fields
def fold(text: str) -> Folded:
    """NFKC-folded, lower-cased, simplified text with whitespace runs collapsed to one
    space."""
    fast = _fold_one_to_one(text)
    if fast is not None:
        return fast
    infos = [_char(ch) for ch in text]
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        kind, folded = infos[i]
        j = i + 1
        if kind == _NORMAL and j < n and infos[j][0] == _COMBINING:
            # A character with combining marks folds as one (e + ◌́ → é).
            while j < n and infos[j][0] == _COMBINING:
                j += 1
            folded = _fold_cluster(text[i:j])
        if kind == _SPACE:
            folded = SPACE
        for ch in folded:
            if ch == SPACE and out and out[-1] == SPACE:
                ends[-1] = j  # one space for the whole run
                continue
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return Folded("".join(out), tuple(starts), tuple(ends))


def fold_needle(text: str) -> str:
    """A query string as the index sees it: folded, barriers as spaces, trimmed."""
    folded = fold(text).text.replace(BARRIER, SPACE)
    return " ".join(folded.split())


# Grams.


def grams(text: str) -> list[Term]:
    """Every character (not spaces) and every adjacent pair, at ordinal positions."""
    folded = fold(text)
    chars = folded.text
    out: list[Term] = []
    for i, ch in enumerate(chars):
        if ch == BARRIER:
            continue
        if ch != SPACE:
            out.append(Term(ch, i, folded.starts[i], folded.ends[i]))
        if i + 1 < len(chars) and chars[i + 1] != BARRIER:
            out.append(Term(ch + chars[i + 1], i, folded.starts[i], folded.ends[i + 1]))
    return out


def needle_grams(needle: str) -> list[str]:
    """The grams whose phrase finds `needle` (already folded): itself if one character,
    else its overlapping pairs in order."""
    if len(needle) <= 1:
        return [needle] if needle else []
    return [needle[i : i + 2] for i in range(len(needle) - 1)]


# Words.

# jieba's finalseg splits a run of characters outside its dictionary at these (numbers,
# Latin words): `2016-2019` → 2016, -, 2019.
_RE_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")


SubWords = tuple[tuple[str, int], ...] | None


class Segmenter(Protocol):
    name: str
    word_info: dict[str, SubWords]  # see _sub_words_of

    def tokenize(self, text: str) -> list[tuple[str, int, int]]: ...

    def cut(self, text: str) -> list[str]: ...

    def has_word(self, word: str) -> bool: ...

    def add_word(self, word: str) -> None: ...


class JiebaSegmenter:
    """jieba (Python), the reference: its dictionary ships in the package and its parsed
    cache lives in the data directory."""

    name = "jieba"

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            import jieba
        self._jieba = jieba
        self.word_info: dict[str, SubWords] = {}
        jieba.setLogLevel(60)
        # jieba caches its parsed dictionary; keep that in the data dir, not /tmp.
        jieba.dt.tmp_dir = str(_cache_dir())
        jieba.initialize()

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        return list(self._jieba.tokenize(text, HMM=True))

    def cut(self, text: str) -> list[str]:
        return list(self._jieba.cut(text, HMM=True))

    def has_word(self, word: str) -> bool:
        return bool(self._jieba.dt.FREQ.get(word))

    def add_word(self, word: str) -> None:
        self._jieba.add_word(word)
        self.word_info.clear()


class RustSegmenter:
    """rjieba (jieba-rs): the same dictionary and algorithm, about 15 times faster. It
    keeps a run like `2016-2019` or `c++` whole where jieba splits it, so such runs are
    split here as jieba's finalseg does (tests/search/test_segmenters.py holds the two
    to the same tokens on the seed pages)."""

    name = "rjieba"

    def __init__(self) -> None:
        import rjieba

        self._rjieba = rjieba
        self.word_info: dict[str, SubWords] = {}

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        out: list[tuple[str, int, int]] = []
        for word, start, end in self._rjieba.tokenize(text, hmm=True):
            if end - start > 1 and not word.isalnum() and not self._rjieba.has_word(word):
                at = start
                for piece in _RE_SKIP.split(word):
                    if piece:
                        out.append((piece, at, at + len(piece)))
                        at += len(piece)
            else:
                out.append((word, start, end))
        return out

    def cut(self, text: str) -> list[str]:
        return [word for word, _, _ in self.tokenize(text)]

    def has_word(self, word: str) -> bool:
        return self._rjieba.has_word(word)

    def add_word(self, word: str) -> None:
        self._rjieba.add_word(word, None, None)
        self.word_info.clear()


SEGMENTERS: dict[str, Callable[[], Segmenter]] = {"jieba": JiebaSegmenter, "rjieba": RustSegmenter}
_init_lock = threading.Lock()
_segmenter: Segmenter | None = None


def segmenter() -> Segmenter:
    """This process's segmenter (settings.SEARCH_SEGMENTER), its dictionary loaded once."""
    global _segmenter
    if _segmenter is None:
        with _init_lock:
            if _segmenter is None:
                _segmenter = SEGMENTERS[_segmenter_name()]()
    return _segmenter


def ensure_jieba() -> None:
    """Load the segmenter's dictionary (shipped with the package) once per process."""
    segmenter()


def _segmenter_name() -> str:
    from django.conf import settings

    name = getattr(settings, "SEARCH_SEGMENTER", "") or "jieba"
    if name not in SEGMENTERS:
        raise ValueError(f"SEARCH_SEGMENTER: {name!r} is not one of {sorted(SEGMENTERS)}")
    return name


def _cache_dir() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "DATA_DIR", tempfile.gettempdir()))


def is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def _sub_words(word: str, has_word: Callable[[str], bool]) -> Iterator[tuple[str, int]]:
    """Dictionary words of two and three characters inside a longer word (jieba's search
    mode), with their offset in it."""
    for size in (2, 3):
        if len(word) > size:
            for k in range(len(word) - size + 1):
                gram = word[k : k + size]
                if has_word(gram):
                    yield gram, k


def words(text: str, *, sub_words: bool = True, seg: Segmenter | None = None) -> list[Term]:
    """jieba search-mode words; a word's sub-words share its position (without them:
    the base segmentation, one word per position)."""
    seg = seg or segmenter()
    folded = fold(text)
    out: list[Term] = []
    position = -1
    for word, start, end in seg.tokenize(folded.text):
        subs = _sub_words_of(word, seg)
        if subs is None:
            continue
        position += 1
        for sub, k in subs if sub_words else ():
            s, e = folded.span(start + k, start + k + len(sub))
            out.append(Term(sub, position, s, e))
        s, e = folded.span(start, end)
        out.append(Term(word, position, s, e))
    return out


_MISSING = object()
_WORD_INFO_MAX = 500_000


def _sub_words_of(word: str, seg: Segmenter) -> SubWords:
    """The word's (sub-word, offset) pairs, None if it is not a word; kept by the
    segmenter, whose dictionary decides them (words recur across articles)."""
    info = seg.word_info.get(word, _MISSING)
    if info is _MISSING:
        info = tuple(_sub_words(word, seg.has_word)) if is_word(word) else None
        if len(seg.word_info) >= _WORD_INFO_MAX:
            seg.word_info.clear()
        seg.word_info[word] = info
    return info  # type: ignore[return-value]


def word_positions(text: str) -> dict[str, list[int]]:
    """`words(text)` as term → positions, without the spans (for indexing)."""
    seg = segmenter()
    positions: dict[str, list[int]] = {}
    position = -1
    for word, _, _ in seg.tokenize(fold(text).text):
        subs = _sub_words_of(word, seg)
        if subs is None:
            continue
        position += 1
        for sub, _ in subs:
            positions.setdefault(sub, []).append(position)
        positions.setdefault(word, []).append(position)
    return positions


def segment(text: str) -> list[str]:
    """jieba's base segmentation of a query string (words only), for suggestions."""
    return [w for w in segmenter().cut(fold_needle(text)) if is_word(w)]


# Whoosh tokenizers. They are pickled into the index's table of contents by name, so
# keep these class names and this module path stable.


class _TermTokenizer(Tokenizer):
    def analyse(self, text: str, mode: str) -> list[Term]:
        raise NotImplementedError

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term in self.analyse(value or "", mode):
            token.text = term.text
            if keeporiginal:
                token.original = term.text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + term.position
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token


class GramTokenizer(_TermTokenizer):
    """Characters and character pairs. In a query (Whoosh's parser, used by haystack's
    SearchQuerySet) a string becomes the gram phrase that finds it as a substring."""

    def analyse(self, text: str, mode: str) -> list[Term]:
        if mode != "query":
            return grams(text)
        needle = fold_needle(text)
        return [Term(g, i, 0, 0) for i, g in enumerate(needle_grams(needle))]


class WordTokenizer(_TermTokenizer):
    """jieba search-mode words. Whoosh's parser turns a query's tokens into a phrase by
    their order alone, so there a query gets the base words, which the index holds at
    the same positions (a query word inside a longer indexed word is a sub-word there)."""

    def analyse(self, text: str, mode: str) -> list[Term]:
        return words(text, sub_words=mode != "query")


def GramAnalyzer() -> GramTokenizer:
    return GramTokenizer()


def WordAnalyzer() -> WordTokenizer:
    return WordTokenizer()
