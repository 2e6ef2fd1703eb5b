"""Reading what a person typed into the search box.

Syntax (any input is accepted; what cannot be used is dropped with a note):

* words separated by spaces must all occur (AND); `AND` / `&&` may be written;
* `"…"` is a phrase (spaces inside it count as any whitespace in the text); an unclosed
  quote runs to the end; a word wrapped in Chinese quotes (“…”, 「…」) is one phrase too;
* `-词` or `NOT 词` excludes; `a OR b` (or `a | b`) wants either, and binds tighter than
  the implicit AND: `西安 动力电池 OR 锂电池` = 西安 AND (动力电池 OR 锂电池);
* `*` and `?` are wildcards: a match is already any substring, so they only split the
  word (`高新*` = `高新`), and a lone `*` means every article.

Each word or phrase is a needle: a string that must occur as it is (after folding, see
`analysis.fold_needle`) in the article's title, kicker, subtitle, authors, park names or
body. Control characters are removed; very long input is cut with a note.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from archive.search.analysis import fold_needle

MAX_INPUT_CHARS = 256
MAX_CLAUSES = 20
_OR = frozenset({"OR", "|", "||"})
_AND = frozenset({"AND", "&&", "&", "+"})
_NOT = frozenset({"NOT"})
_WRAPPING_QUOTES = {"“": "”", "「": "」", "『": "』", "‘": "’", "《": "》"}
_WILDCARDS = re.compile(r"[*?]+")


@dataclass(frozen=True)
class Needle:
    text: str  # folded
    quoted: bool = False

    def display(self) -> str:
        return f'"{self.text}"' if self.quoted or " " in self.text else self.text


@dataclass(frozen=True)
class Clause:
    needles: tuple[Needle, ...]  # any of them (OR)
    negated: bool = False

    def display(self) -> str:
        body = " OR ".join(n.display() for n in self.needles)
        return f"-{body}" if self.negated else body


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    clauses: tuple[Clause, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)

    @property
    def matches_all(self) -> bool:
        return not self.clauses

    def needles(self) -> list[str]:
        """What to highlight: every needle that is wanted, longest first."""
        found = {n.text for c in self.positive for n in c.needles}
        return sorted(found, key=lambda s: (-len(s), s))

    def display(self) -> str:
        """The query written back canonically (for links and suggestions)."""
        return " ".join(c.display() for c in self.clauses)


@dataclass
class _Token:
    text: str
    quoted: bool
    negated: bool = False


def clean_input(raw: str) -> tuple[str, list[str]]:
    """NFKC, control and format characters to spaces, whitespace collapsed, cut to size."""
    notes = []
    text = raw[: MAX_INPUT_CHARS * 8]
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") else ch for ch in text
    )
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    if len(text) > MAX_INPUT_CHARS:
        text = text[:MAX_INPUT_CHARS]
        notes.append(f"查询太长，只按前 {MAX_INPUT_CHARS} 个字符搜索。")
    return text, notes


def _lex(text: str, notes: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == " ":
            i += 1
        elif ch == '"':
            close = text.find('"', i + 1)
            if close == -1:
                notes.append("引号没有闭合，已把引号后的内容作为短语。")
                close = n
            tokens.append(_Token(text[i + 1 : close], quoted=True))
            i = close + 1
        else:
            j = i
            while j < n and text[j] not in ' "':
                j += 1
            word = text[i:j]
            if word in ("-", "－") and j < n and text[j] == '"':
                tokens.append(_Token("", quoted=False, negated=True))  # -"phrase"
            else:
                tokens.append(_Token(word, quoted=False))
            i = j
    return tokens


def _unwrap(word: str) -> tuple[str, bool]:
    """Strip Chinese quotes around a whole word and unbalanced edge parentheses."""
    if len(word) >= 2 and _WRAPPING_QUOTES.get(word[0]) == word[-1]:
        return word[1:-1], True
    while word.startswith("(") and word.count("(") > word.count(")"):
        word = word[1:]
    while word.endswith(")") and word.count(")") > word.count("("):
        word = word[:-1]
    return word, False


def parse(raw: str) -> ParsedQuery:
    """Read a query string; never raises."""
    text, notes = clean_input(raw or "")
    clauses: list[Clause] = []
    negate_next = join_next = False
    for token in _lex(text, notes):
        if not token.quoted:
            if token.negated:
                negate_next = True
                continue
            if token.text in _OR:
                join_next = bool(clauses) and not clauses[-1].negated
                if not join_next:
                    notes.append("OR 前面需要一个要包含的词，已忽略。")
                continue
            if token.text in _AND:
                continue
            if token.text in _NOT:
                negate_next = True
                continue
            if not token.text.strip("-+"):
                continue  # a stray operator
        needles = _needles(token)
        negated = negate_next or token.negated
        negate_next = False
        if not needles:
            continue
        if join_next and not negated and len(needles) == 1:
            previous = clauses[-1]
            clauses[-1] = Clause(previous.needles + tuple(needles), False)
        else:
            clauses.extend(Clause((needle,), negated) for needle in needles)
        join_next = False
    unique = list(dict.fromkeys(clauses))
    if len(unique) > MAX_CLAUSES:
        notes.append(f"词语太多，只按前 {MAX_CLAUSES} 个搜索。")
        unique = unique[:MAX_CLAUSES]
    return ParsedQuery(raw=raw or "", clauses=tuple(unique), notes=tuple(dict.fromkeys(notes)))


def _needles(token: _Token) -> list[Needle]:
    if token.quoted:
        needle = fold_needle(token.text)
        return [Needle(needle, quoted=True)] if needle else []
    word = token.text
    if word.startswith(("-", "+")) and len(word) > 1:
        token.negated = word[0] == "-"
        word = word[1:]
    word, quoted = _unwrap(word)
    out = []
    for part in _WILDCARDS.split(word):
        needle = fold_needle(part)
        if needle:
            out.append(Needle(needle, quoted=quoted))
    return out
