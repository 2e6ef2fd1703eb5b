"""Reading what a person typed into the search box.

Syntax (any input is accepted; what cannot be used is dropped with a note):

* words separated by spaces must all occur (AND); `AND` / `&&` may be written. Chinese and
  full-width punctuation separates words as a space does: `复工，疫情`, `复工、疫情`,
  `复工；疫情` and `(复工) 疫情` all mean `复工 疫情` (`SEPARATORS`);
* `"…"` is a phrase (spaces inside it count as any whitespace in the text); so are “…”,
  「…」, 『…』 and 《…》; an unclosed quote runs to the end;
* `-词` or `NOT 词` excludes; `a OR b` (or `a | b`) wants either, and binds tighter than
  the implicit AND: `西安 动力电池 OR 锂电池` = 西安 AND (动力电池 OR 锂电池);
* `*` and `?` are wildcards: a match is already any substring, so they only split the
  word (`高新*` = `高新`), and a lone `*` means every article;
* fields: `title:词` / `标题:词` (the headline: kicker, title, subtitle), `author:名` /
  `作者:名` (a byline name containing it), `park:名` / `园区:名` (the article's zone, by
  name, full name or alias);
* dates: `2019..2021`, `date:2020-05..2020-06`, `date:2020-05`, `年份:2019`, open ends
  `2019..` and `..2018` (the issue date; a year or month means all of it);
* figures: `总投资>=10亿元`, `高新技术企业>500家`, with `>`, `>=`, `<`, `<=`, `=` (`≥`, `≤`,
  full-width forms too): an article with a figure whose label contains the text before
  the operator and whose value, in the unit's base (10亿元 = 100000万元 = 1e9 元, as the
  ingest normalises figures), compares so.

Each word or phrase is a needle: a string that must occur as it is (after folding, see
`analysis.fold_needle`: traditional characters fold to simplified) in the article's title,
kicker, subtitle, authors, park names or body. Fields, dates and figures are conditions,
all required, decided from the database (`conditions.py`). Control characters are
removed; very long input is cut with a note. Input with nothing searchable in it (`(`,
`，`, `-`) finds nothing, with a note: it never means "every article".
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from archive.search.analysis import fold_needle

MAX_INPUT_CHARS = 256
MAX_CLAUSES = 20
_OR = frozenset({"OR", "|", "||"})
_AND = frozenset({"AND", "&&", "&", "+"})
_NOT = frozenset({"NOT"})
# Opening quote → closing quote (after NFKC, which keeps these as they are).
QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "《": "》", "‘": "’"}
# Punctuation that separates words (after NFKC: ，；：（）！？ are , ; : ( ) ! ?). Not
# `-` `.` `%` `/` `·`, which are parts of numbers, dates and names (2016-2019, 71.69,
# 阿依·买买提).
SEPARATORS = frozenset(",;:()[]{}!?、。【】〔〕〖〗〈〉～~—")
# NFKC would make these `...`, which reads as a date range.
_ELLIPSES = str.maketrans({"…": " ", "⋯": " ", "︙": " "})
FIELDS = {
    "title": "title", "标题": "title",
    "author": "author", "作者": "author",
    "park": "park", "园区": "park",
    "date": "date", "日期": "date", "year": "date", "年份": "date",
}
_WILDCARDS = re.compile(r"[*?]+")
# `总投资 >= 10亿元` is written together before lexing.
_OPERATOR_SPACES = re.compile(r"\s*(>=|<=|=>|=<|==|>|<|=|≥|≤)\s*")
_OPERATORS = {">=": ">=", "=>": ">=", "≥": ">=", "<=": "<=", "=<": "<=", "≤": "<=",
              ">": ">", "<": "<", "=": "=", "==": "="}
_FIGURE = re.compile(
    r"(?P<label>[^<>=≥≤]*[^<>=≥≤\d.,])(?P<op>>=|<=|=>|=<|==|>|<|=|≥|≤)"
    r"(?P<number>\d[\d,]*(?:\.\d+)?)(?P<unit>[^<>=≥≤\d]*)"
)
_DAY = r"\d{4}(?:[-/]\d{1,2}(?:[-/]\d{1,2})?)?"
_DATE_RANGE = re.compile(rf"(?P<low>{_DAY})?\.\.(?P<high>{_DAY})?")
_DATE = re.compile(_DAY)
# Multipliers a figure query may use without a unit after them (`总投资>=10亿`).
_BARE_MULTIPLIERS = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7,
                     "百万": 1e6, "万": 1e4}


@dataclass(frozen=True)
class Needle:
    text: str  # folded
    quoted: bool = False
    field: str = ""  # "" anywhere; "title" the headline only

    def display(self) -> str:
        body = f'"{self.text}"' if self.quoted or " " in self.text else self.text
        return f"{self.field}:{body}" if self.field else body


@dataclass(frozen=True)
class Clause:
    needles: tuple[Needle, ...]  # any of them (OR)
    negated: bool = False

    def display(self) -> str:
        body = " OR ".join(n.display() for n in self.needles)
        return f"-{body}" if self.negated else body


@dataclass(frozen=True)
class FieldIs:
    """`author:` or `park:` (value folded)."""

    field: str
    value: str
    negated: bool = False

    def display(self) -> str:
        value = f'"{self.value}"' if " " in self.value else self.value
        return f"{'-' if self.negated else ''}{self.field}:{value}"


@dataclass(frozen=True)
class DateRange:
    """Issue dates from `low` to `high`, both included; None is open."""

    low: date | None
    high: date | None
    text: str  # as written, `2019..2021`
    negated: bool = False

    def display(self) -> str:
        return f"{'-' if self.negated else ''}date:{self.text}"


@dataclass(frozen=True)
class FigureIs:
    """A figure whose label contains `label` and whose base-unit value compares to
    `normalized` by `op`; `base_unit` None when the query named no unit."""

    label: str  # folded
    op: str  # one of > >= < <= =
    number: float  # as typed
    unit: str  # as typed (folded)
    normalized: float
    base_unit: str | None
    negated: bool = False

    def display(self) -> str:
        number = f"{self.number:g}" if self.number < 1e15 else str(self.number)
        return f"{'-' if self.negated else ''}{self.label}{self.op}{number}{self.unit}"


Condition = FieldIs | DateRange | FigureIs


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    clauses: tuple[Clause, ...] = ()
    notes: tuple[str, ...] = field(default=())
    conditions: tuple[Condition, ...] = ()
    # Something was typed but none of it can be searched for (`(`): nothing matches.
    unsearchable: bool = False

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)

    @property
    def matches_all(self) -> bool:
        return not self.clauses and not self.conditions and not self.unsearchable

    def needles(self) -> list[str]:
        """What to highlight: every needle that is wanted, longest first."""
        found = {n.text for c in self.positive for n in c.needles}
        return sorted(found, key=lambda s: (-len(s), s))

    def display(self) -> str:
        """The query written back canonically (for links and suggestions)."""
        return " ".join([*(c.display() for c in self.clauses),
                         *(c.display() for c in self.conditions)])


@dataclass
class _Token:
    text: str
    quoted: bool
    negated: bool = False
    field: str = ""


def clean_input(raw: str) -> tuple[str, list[str]]:
    """NFKC, control and format characters to spaces, whitespace collapsed, cut to size."""
    notes = []
    text = raw[: MAX_INPUT_CHARS * 8].translate(_ELLIPSES)
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") else ch for ch in text
    )
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    if len(text) > MAX_INPUT_CHARS:
        text = text[:MAX_INPUT_CHARS]
        notes.append(f"查询太长，只按前 {MAX_INPUT_CHARS} 个字符搜索。")
    return text, notes


def _read_quoted(text: str, i: int, notes: list[str]) -> tuple[str, int]:
    """The phrase opened by the quote at i, and the index after its closing quote."""
    close_ch = QUOTES[text[i]]
    close = text.find(close_ch, i + 1)
    if close == -1 and close_ch != '"':
        close = text.find('"', i + 1)
    if close == -1:
        notes.append("引号没有闭合，已把引号后的内容作为短语。")
        close = len(text)
    return text[i + 1 : close], close + 1


def _word_end(text: str, j: int) -> int:
    n = len(text)
    while j < n and text[j] != " " and text[j] not in SEPARATORS and text[j] not in QUOTES:
        j += 1
    return j


def _lex(text: str, notes: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == " " or ch in SEPARATORS:
            i += 1
        elif ch in QUOTES:
            phrase, i = _read_quoted(text, i, notes)
            tokens.append(_Token(phrase, quoted=True))
        else:
            j = _word_end(text, i)
            word = text[i:j]
            # A field name folds like text: 標題 is 标题, TITLE is title.
            name = FIELDS.get(fold_needle(word.lstrip("-"))) if j < n and text[j] == ":" else None
            if name:
                # A field: its value is a phrase or the word after the colon.
                negated = word.startswith("-")
                start = j + 1
                if start < n and text[start] in QUOTES:
                    value, i = _read_quoted(text, start, notes)
                    tokens.append(_Token(value, True, negated, name))
                else:
                    i = _word_end(text, start)
                    tokens.append(_Token(text[start:i], False, negated, name))
                continue
            if word in ("-", "－") and j < n and text[j] in QUOTES:
                tokens.append(_Token("", quoted=False, negated=True))  # -"phrase"
            else:
                tokens.append(_Token(word, quoted=False))
            i = j
    return tokens


def parse(raw: str) -> ParsedQuery:
    """Read a query string; never raises."""
    text, notes = clean_input(raw or "")
    text = _OPERATOR_SPACES.sub(r"\1", text)
    clauses: list[Clause] = []
    conditions: list[Condition] = []
    negate_next = join_next = False
    for token in _lex(text, notes):
        if not token.quoted and not token.field:
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
        negated = negate_next or token.negated
        condition = _condition(token, negated, notes)
        if condition is not None:
            negate_next = join_next = False
            if condition is not False:
                conditions.append(condition)
            continue
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
    kept = list(dict.fromkeys(conditions))[:MAX_CLAUSES]
    unsearchable = bool(text) and not unique and not kept and not _means_everything(text)
    if unsearchable:
        notes.append(f"“{text[:20]}”里没有可以搜索的文字（标点和运算符本身不查找）。")
    return ParsedQuery(
        raw=raw or "",
        clauses=tuple(unique),
        notes=tuple(dict.fromkeys(notes)),
        conditions=tuple(kept),
        unsearchable=unsearchable,
    )


def _means_everything(text: str) -> bool:
    """A lone wildcard (`*`) asks for every article, as the syntax says."""
    return bool(text.strip()) and not text.replace("*", "").replace("?", "").strip()


def _condition(token: _Token, negated: bool, notes: list[str]) -> Condition | bool | None:
    """The token as a field, date or figure condition; False when it was one but cannot
    be used (noted); None when it is a plain word."""
    if token.field in ("author", "park"):
        value = fold_needle(token.text)
        if not value:
            notes.append(f"{token.field}: 后面没有内容，已忽略。")
            return False
        return FieldIs(token.field, value, negated)
    if token.field == "date":
        found = _date_range(token.text)
        if found is None:
            notes.append(
                f"日期“{token.text[:20]}”看不懂，已忽略（写法如 2020、2020-05、2019..2021）。"
            )
            return False
        return DateRange(*found, negated=negated)
    if token.quoted or token.field:
        return None
    word = token.text.lstrip("+-") if token.text[:1] in "+-" else token.text
    if token.text.startswith("-") and len(token.text) > 1:
        negated = True
    if _DATE_RANGE.fullmatch(word):
        found = _date_range(word)
        if found is None:
            notes.append(f"日期范围“{word[:20]}”看不懂，已忽略。")
            return False
        return DateRange(*found, negated=negated)
    match = _FIGURE.fullmatch(word)
    if match:
        return _figure(match, negated, notes)
    return None


def _date_range(text: str) -> tuple[date | None, date | None, str] | None:
    text = text.strip()
    range_match = _DATE_RANGE.fullmatch(text)
    if range_match:
        low_text, high_text = range_match.group("low"), range_match.group("high")
        if not low_text and not high_text:
            return None
    elif _DATE.fullmatch(text):
        low_text = high_text = text
    else:
        return None
    low = _day(low_text, first=True) if low_text else None
    high = _day(high_text, first=False) if high_text else None
    if (low_text and low is None) or (high_text and high is None):
        return None
    if low and high and low > high:
        return None
    return low, high, text


def _day(text: str, *, first: bool) -> date | None:
    """The first (or last) day of a year, month or day written `2020`, `2020-05`,
    `2020/5/3`."""
    parts = [int(p) for p in re.split(r"[-/]", text)]
    year, month, day = [*parts, 0, 0][:3]
    try:
        if not month:
            return date(year, 1, 1) if first else date(year, 12, 31)
        if not day:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1 if first else last)
        return date(year, month, day)
    except ValueError:
        return None


def _figure(match: re.Match[str], negated: bool, notes: list[str]) -> FigureIs | bool:
    from archive.ingest.figures import normalise_unit

    label = fold_needle(match.group("label"))
    unit = fold_needle(match.group("unit"))
    try:
        number = float(match.group("number").replace(",", ""))
    except ValueError:
        notes.append(f"“{match.group('number')[:20]}”不是数字，已忽略。")
        return False
    if not label:
        return False
    op = _OPERATORS[match.group("op")]
    if not unit:
        return FigureIs(label, op, number, "", number, None, negated)
    if unit in _BARE_MULTIPLIERS:
        return FigureIs(label, op, number, unit, number * _BARE_MULTIPLIERS[unit], None, negated)
    normalized, base = normalise_unit(number, unit)
    return FigureIs(label, op, number, unit, normalized, base, negated)


def _needles(token: _Token) -> list[Needle]:
    where = "title" if token.field == "title" else ""
    if token.quoted:
        needle = fold_needle(token.text)
        return [Needle(needle, quoted=True, field=where)] if needle else []
    word = token.text
    if word.startswith(("-", "+")) and len(word) > 1:
        token.negated = word[0] == "-"
        word = word[1:]
    out = []
    for part in _WILDCARDS.split(word):
        needle = fold_needle(part)
        if needle:
            out.append(Needle(needle, field=where))
    return out
