"""Figures: the numeric facts an article states.

A figure is a number with its unit, what it counts (the label) and the clause it was
read from: `总投资71.69亿元` → label `总投资`, 71.69 `亿元`, 7.169e9 `元`. Dates, ordinals,
document names, slogans and class names (`百亿元级`) are not figures.

The reading is by rules over characters, not by a segmenter, so it is fast, deterministic
and total: any string gives a list, never an exception. Offsets are positions in the
text as given; the rules run on a half-width copy of the same length.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from .figure_kinds import StatusReader
from .numerals import (
    CJK_NUMERAL_CHARS,
    MULTIPLIERS,
    multiplier_value,
    parse_number,
    to_halfwidth,
)
from .types import FigureDraft
from .vocab import entries

_TOKEN = re.compile(
    r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
    rf"|[{CJK_NUMERAL_CHARS}]+"
)
_RANGE_JOIN = re.compile(r" ?[-~—–至到] ?")
_YEAR = re.compile(r"(?<![0-9])(?:19[4-9][0-9]|20[0-9]{2}|2100)(?=年)")
# What sticks to a number before a label: 2017年园区…, 5G基站….
_STUCK_TO_NUMBER = re.compile(r"[A-Za-z]+|(?:年|月份|月|日|号)(?:底|初|末|中旬|上旬|下旬|度|份)?")

_MAX_TOKEN = 24
_WINDOW = 24
_MAX_LEFT_LABEL = 12
_MAX_RIGHT_LABEL = 14
_MAX_LEAD_IN = 12
_MAX_QUOTE = 160


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    """The distinct words, longest first so the longest match wins."""
    return tuple(sorted(set(words), key=lambda word: (-len(word), word)))


class _WordIndex:
    """Stop words and the longer words that contain them (`签约` holds `约`, a stop)."""

    def __init__(self, stops: Iterable[str], protected: Iterable[str]) -> None:
        self._stops = self._by_first_char(_longest_first(stops))
        self._protected = self._by_first_char(_longest_first(protected))

    @staticmethod
    def _by_first_char(words: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for word in words:
            index.setdefault(word[0], []).append(word)
        return {char: tuple(group) for char, group in index.items()}

    def stop_at(self, scan: str, i: int, end: int) -> int:
        return self._match(self._stops, scan, i, end)

    def protected_at(self, scan: str, i: int, end: int) -> int:
        return self._match(self._protected, scan, i, end)

    def protects_ending(self, text: str, length: int) -> bool:
        """Whether the last `length` characters of `text` end a longer protected word."""
        for start in range(max(0, len(text) - 6), len(text) - length):
            words = self._protected.get(text[start], ())
            if any(len(w) > length and text.endswith(w, start) for w in words):
                return True
        return False

    @staticmethod
    def _match(index: dict[str, tuple[str, ...]], scan: str, i: int, end: int) -> int:
        for word in index.get(scan[i], ()):
            if i + len(word) <= end and scan.startswith(word, i):
                return len(word)
        return 0


def _columns(name: str) -> tuple[tuple[str, ...], ...]:
    """The entries of a vocab file whose entry has several space-separated columns."""
    return tuple(tuple(entry.split()) for entry in entries(name))


# The word lists are data (archive/ingest/vocab/figure_*.txt, one entry a line with its
# reason); this module only knows where to look for them.

# (unit as printed, base unit, kind); kind decides where the label is looked for first.
_UNITS: tuple[tuple[str, str, str], ...] = tuple(
    sorted(
        ((name, base, kind) for name, base, kind in _columns("figure_units")),
        key=lambda unit: len(unit[0]),
        reverse=True,
    )
)
_MULTIPLIER_PREFIXES = tuple(sorted(MULTIPLIERS, key=len, reverse=True))
_UNIT_BLOCKERS: dict[str, tuple[str, ...]] = {}
for _unit, _following in _columns("figure_unit_blockers"):
    _UNIT_BLOCKERS[_unit] = _longest_first((*_UNIT_BLOCKERS.get(_unit, ()), _following))
_SCHOOL_WORDS = _longest_first(entries("figure_school_words"))
# Chinese numerals that are parts of names (五方合作, 六方面) with these units.
_ARABIC_ONLY_UNITS = frozenset(entries("figure_arabic_only_units"))

_SENTENCE_BREAKS = frozenset("。!?;\n\r…")
_CLAUSE_BREAKS = frozenset(",:")
# Besides letters and CJK characters, a label may hold these (R&D经费, 玉溪·顺义产业园).
_LABEL_EXTRA_CHARS = frozenset("&+·")
_SLOGAN_BREAKS = frozenset(",。!?;:\n“")
# (opener, closer, longest content, characters that show it is prose, not a name)
_MASKING_QUOTES: tuple[tuple[str, str, int, frozenset[str]], ...] = (
    ("《", "》", 80, frozenset("\n")),
    ("“", "”", 16, _SLOGAN_BREAKS),
    ("‘", "’", 16, _SLOGAN_BREAKS),
    ("「", "」", 16, _SLOGAN_BREAKS),
)
_ORDINAL_OR_VAGUE_PREFIXES = frozenset(entries("figure_not_a_count_before"))
_ROUND_NUMBER_QUALIFIERS = frozenset(entries("figure_round_qualifiers"))

# word → the qualifier it stands for; where it is printed: before, inside or after the number.
_QUALIFIER_MEANING: dict[str, str] = {
    word: meaning for word, meaning, _place in _columns("figure_qualifiers")
}
_QUALIFIER_PLACE = {word: place for word, _meaning, place in _columns("figure_qualifiers")}
_TRAILING_QUALIFIERS = _longest_first(w for w, p in _QUALIFIER_PLACE.items() if p == "after")
# Qualifiers printed right before the number (超2亿元, 近百家); the rest follow it.
_LEADING_QUALIFIERS = _longest_first(w for w, p in _QUALIFIER_PLACE.items() if p == "before")
_INNER_QUALIFIERS = frozenset(w for w, p in _QUALIFIER_PLACE.items() if p == "inside")
# Words that name money: a figure that is not money never has them in its label.
_MONEY_LABEL_WORDS = tuple(sorted(entries("figure_money_labels"), key=len, reverse=True))
# Words between a label and its number that are not part of the label.
_BEFORE_NUMBER_WORDS = _longest_first(entries("figure_before_number_words"))
_COMMON_PROTECTED = entries("figure_protected")
_LEFT_STOPS = _WordIndex(
    entries("figure_left_stops"), _COMMON_PROTECTED + entries("figure_left_protected")
)
_RIGHT_STOPS = _WordIndex(
    entries("figure_right_stops"), _COMMON_PROTECTED + entries("figure_right_protected")
)
# What a figure is of, ending the part of a label that says whose figure it is.
_SUBJECT_WORDS = _longest_first(entries("figure_subject_words"))
# Prefixes that make a label too long to read when it follows the number.
_SCALE_PREFIXES = _longest_first(entries("figure_scale_prefixes"))
# A verb before these is part of a noun (办结率, 投资额, 增加值), not the end of a label.
_VERB_NOUN_SUFFIXES = frozenset(entries("figure_noun_suffixes"))
# Labels that need their subject: 企业总数, not 总数.
_SUBJECT_ATTRIBUTES = frozenset(entries("figure_subject_attributes"))


@dataclass(frozen=True)
class _Reading:
    """A number and its unit as found in the scan text."""

    start: int
    end: int
    value: float
    value_text: str
    value_max: float | None
    unit: str
    base: str
    kind: str
    factor: float
    qualifier: str


@dataclass(frozen=True)
class _Label:
    text: str
    start: int
    end: int


_STATUS = StatusReader()


def extract_figures(text: str) -> list[FigureDraft]:
    """Every figure stated in `text` (one article body), in reading order.

    A fact stated twice (the same label, value, unit and year) is kept once, where it is
    first stated: `10个项目` in a lead and again in the next paragraph is one fact.
    """
    if not isinstance(text, str) or not text:
        return []
    page = _Page(text)
    readings = list(_readings(page))
    page.reading_starts = [reading.start for reading in readings]
    figures: list[FigureDraft] = []
    for index, reading in enumerate(readings):
        left_stop = readings[index - 1].end if index else 0
        right_stop = readings[index + 1].start if index + 1 < len(readings) else len(text)
        figure = _figure(page, reading, left_stop, right_stop)
        if not figure.label and figures:
            _label_from_clause(page, figure, figures[-1])
        figures.append(figure)
    return distinct_figures(figures)


def _label_from_clause(page: _Page, figure: FigureDraft, previous: FigureDraft) -> None:
    """`实现产值5000万元,2023年预计突破3亿元`: an unlabelled amount that continues the
    clause before it, in the same sentence and base unit, counts what that one counts."""
    if not previous.label or previous.base_unit != figure.base_unit:
        return
    if page.sentence(previous.start) != page.sentence(figure.start):
        return
    figure.label = previous.label
    # The quote reaches back over the clause that names what is counted.
    start = page.text.rfind(previous.quote, 0, previous.start + len(previous.quote))
    own = page.text.rfind(figure.quote, 0, figure.start + len(figure.quote))
    if 0 <= start < own and own + len(figure.quote) - start <= _MAX_QUOTE:
        figure.quote = page.text[start : own + len(figure.quote)]


def distinct_figures(figures: list[FigureDraft]) -> list[FigureDraft]:
    """The figures with each labelled fact once, the first time it is stated."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for figure in figures:
        key = (figure.label, figure.value, figure.value_max, figure.unit, figure.year)
        if figure.label and key in seen:
            continue
        seen.add(key)
        kept.append(figure)
    return kept


class _Page:
    """The text, its half-width twin, and where quotes and clauses begin and end."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.scan = to_halfwidth(text)
        self.masked = _masked_spans(self.scan)
        self.reading_starts: list[int] = []
        self.sentence_breaks = [i for i, c in enumerate(self.scan) if c in _SENTENCE_BREAKS]
        self.clause_breaks = [
            i for i, c in enumerate(self.scan) if c in _SENTENCE_BREAKS or self._clause_comma(i)
        ]

    def _clause_comma(self, i: int) -> bool:
        if self.scan[i] not in _CLAUSE_BREAKS:
            return False
        # `1,500` and `7:20` are numbers, not clauses.
        return not (_is_digit(self.scan, i - 1) and _is_digit(self.scan, i + 1))

    def is_masked(self, position: int) -> bool:
        index = bisect_right(self.masked, (position, len(self.scan))) - 1
        return index >= 0 and self.masked[index][0] <= position < self.masked[index][1]

    def masked_end(self, position: int) -> int:
        index = bisect_right(self.masked, (position, len(self.scan))) - 1
        return self.masked[index][1] if index >= 0 else position + 1

    def clause(self, position: int) -> tuple[int, int]:
        return _span_around(self.clause_breaks, position, len(self.scan))

    def sentence(self, position: int) -> tuple[int, int]:
        return _span_around(self.sentence_breaks, position, len(self.scan))


def _span_around(breaks: list[int], position: int, length: int) -> tuple[int, int]:
    index = bisect_left(breaks, position)
    start = breaks[index - 1] + 1 if index else 0
    end = breaks[index] if index < len(breaks) else length
    return start, end


def _breaks_label(char: str) -> bool:
    return not (char.isalpha() or char in _LABEL_EXTRA_CHARS)


def _is_digit(scan: str, i: int) -> bool:
    return 0 <= i < len(scan) and scan[i].isascii() and scan[i].isdigit()


def _masked_spans(scan: str) -> list[tuple[int, int]]:
    """Spans whose numbers name things: `《…》` titles and short `“…”` slogans."""
    spans = []
    for opener, closer, limit, prose in _MASKING_QUOTES:
        position = scan.find(opener)
        while position != -1:
            close = scan.find(closer, position + 1, position + limit + 2)
            inner = scan[position + 1 : close] if close != -1 else ""
            if close != -1 and not any(c in prose for c in inner):
                spans.append((position, close + 1))
            position = scan.find(opener, position + 1)
    return _merged(sorted(spans))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# Finding numbers and units.


def _readings(page: _Page) -> Iterable[_Reading]:
    consumed = 0
    for match in _TOKEN.finditer(page.scan):
        if match.start() < consumed or page.is_masked(match.start()):
            continue
        reading = _read_at(page.scan, match)
        if reading is not None:
            consumed = reading.end
            if reading.kind:
                yield reading


def _read_at(scan: str, match: re.Match[str]) -> _Reading | None:
    """The figure starting at a number token; a reading with kind "" consumes a non-figure
    (like `百亿元级`); None when the token is no figure at all."""
    token, start = match.group(), match.start()
    if len(token) > _MAX_TOKEN or not _plausible_start(scan, start, token):
        return None
    number_end = start + _numeral_length(token)
    low = parse_number(scan[start:number_end])
    if low is None:
        return None
    high, position = _range_high(scan, number_end, token)
    value_end = position if high is not None else number_end
    return _read_unit(scan, start, value_end, low, high, is_cjk=not token[0].isdigit())


def _plausible_start(scan: str, start: int, token: str) -> bool:
    before = scan[start - 1] if start else ""
    if before and (before.isascii() and (before.isalpha() or before in "._:/#")):
        return False  # K12, v4.0, 7:20, No.5
    if before in _ORDINAL_OR_VAGUE_PREFIXES:
        return False  # 第18批, 数百万条, 几十家
    if token[0].isdigit():
        digits = token.split(".")[0].replace(",", "")
        return not (len(digits) > 1 and digits.startswith("0"))  # 0235 is a code
    return _plausible_cjk(scan, start, token)


def _plausible_cjk(scan: str, start: int, token: str) -> bool:
    core = token.rstrip("万亿")
    if core in ("", "一", "二"):
        return False  # 一批, 一家企业, 二期: counts say 两, and 一 is in too many words
    if scan.startswith(("几", "多几"), start + len(token)):
        return False  # 十几家 is vague
    if core in ("百", "千"):
        # 近百家 is a count, 百家争鸣 and 千家万户 are not.
        return start > 0 and scan[start - 1] in _ROUND_NUMBER_QUALIFIERS
    return True


def _numeral_length(token: str) -> int:
    """The length of the number proper; a trailing 万/亿 belongs to the unit (`十二万人`)."""
    if token[0].isdigit():
        return len(token)
    core = token.rstrip("万亿")
    return len(core) if core else len(token)


def _range_high(scan: str, position: int, token: str) -> tuple[float | None, int]:
    join = _RANGE_JOIN.match(scan, position)
    if not join:
        return None, position
    second = _TOKEN.match(scan, join.end())
    if not second or second.group()[0].isdigit() != token[0].isdigit():
        return None, position
    end = join.end() + _numeral_length(second.group())
    return parse_number(scan[join.end() : end]), end


def _read_unit(
    scan: str, start: int, value_end: int, low: float, high: float | None, *, is_cjk: bool
) -> _Reading | None:
    position = value_end
    inner = _inner_qualifier(scan, position)
    position += len(inner)
    factor, multiplier = _multiplier(scan, position)
    position += len(multiplier)
    inner_after = _inner_qualifier(scan, position)
    position += len(inner_after)
    qualifier = inner or inner_after  # as printed: 350余家, 10万多吨
    unit = _unit_at(scan, position, is_cjk)
    if unit is None:
        return None
    name, base, kind = unit
    if is_cjk and kind == "money" and not multiplier:
        return None  # 三元 is a name far more often than three yuan
    end = position + len(name)
    if kind == "money" and base == "元" and scan.startswith("人民币", end):
        end += len("人民币")  # 1亿元人民币: the currency said twice
    if scan.startswith("级", end):
        return _not_a_figure(start, end)  # 百亿元级产业集群 names a class
    if not _unit_fits(kind, low, high, multiplier):
        return None
    return _Reading(
        start=start,
        end=end,
        value=low,
        value_text=scan[start:value_end],
        value_max=high,
        unit=multiplier + name,
        base=base,
        kind=kind,
        factor=factor,
        qualifier=qualifier,
    )


def _not_a_figure(start: int, end: int) -> _Reading:
    return _Reading(start, end, 0.0, "", None, "", "", "", 1.0, "")


def _inner_qualifier(scan: str, position: int) -> str:
    char = scan[position : position + 1]
    return char if char in _INNER_QUALIFIERS else ""


def _multiplier(scan: str, position: int) -> tuple[float, str]:
    if _unit_at(scan, position, is_cjk=False) is not None:
        return 1.0, ""  # 千瓦 is a unit, not 千 × 瓦
    for prefix in _MULTIPLIER_PREFIXES:
        if scan.startswith(prefix, position):
            return multiplier_value(prefix) or 1.0, prefix
    return 1.0, ""


def _unit_at(scan: str, position: int, is_cjk: bool) -> tuple[str, str, str] | None:
    for name, base, kind in _UNITS:
        if not scan.startswith(name, position):
            continue
        after = scan[position + len(name) : position + len(name) + 3]
        if _unit_blocked(name, after, is_cjk):
            return None
        return name, base, kind
    return None


def _unit_blocked(name: str, after: str, is_cjk: bool) -> bool:
    if name.isascii() and after[:1].isascii() and after[:1].isalpha():
        return True  # 5GWhx is no unit
    if any(after.startswith(word) for word in _UNIT_BLOCKERS.get(name, ())):
        return True  # 3个月, 3方面, 一家电
    if name == "所":
        return not after.startswith(_SCHOOL_WORDS)  # 4所高校, not 中电科三十九所
    return is_cjk and name in _ARABIC_ONLY_UNITS


def _unit_fits(kind: str, low: float, high: float | None, multiplier: str) -> bool:
    if high is not None and not high > low:
        return False
    if kind == "duration":
        # 3-5年 is a span of years; 2018年 or 2016-2019年 is a date.
        return high is not None and high <= 100 and not multiplier
    return not (kind == "percent" and multiplier)


# Labels, quotes and years.


def _figure(page: _Page, reading: _Reading, left_stop: int, right_stop: int) -> FigureDraft:
    _, left = _left_label(page, reading, left_stop)
    _, right, via_de = _right_label(page, reading, right_stop)
    label = _choose_label(reading.kind, left, right, via_de)
    quote_start, quote_end = _quote_span(page, reading, label)
    before = _leading_qualifier(page.scan, reading, left_stop)
    after = _leading_match(page.scan[reading.end : right_stop], _TRAILING_QUALIFIERS)
    if not after and reading.unit == "倍" and page.scan.startswith("多", reading.end):
        after = 1  # 三倍多: after 倍, 多 is the qualifier (elsewhere it starts a word: 多功能)
    printed_start, printed_end = reading.start - len(before), reading.end + after
    quote_start, quote_end = min(quote_start, printed_start), max(quote_end, printed_end)
    trailing = page.scan[reading.end : printed_end]
    sentence_start, _ = page.sentence(reading.start)
    return FigureDraft(
        label=label.text if label else "",
        value=reading.value,
        value_text=page.text[reading.start : reading.start + len(reading.value_text)],
        unit=reading.unit,
        normalized_value=reading.value * reading.factor,
        base_unit=reading.base,
        quote=page.text[quote_start:quote_end],
        start=reading.start,
        end=reading.end,
        value_max=reading.value_max,
        # As printed, whichever of the three places it stands in (超2亿元, 350余家, 5亿元以上).
        qualifier=page.text[printed_start : reading.start]
        or reading.qualifier
        or page.text[reading.end : printed_end],
        year=_year(page.scan, quote_start, quote_end, reading.start)
        or _year_before(page.scan, sentence_start, quote_start),
        printed=page.text[printed_start:printed_end],
        status=_STATUS.status(
            page.scan,
            sentence_start,
            printed_start,
            printed_end,
            (before, trailing),
            page.is_masked,
        ),
    )


def _leading_qualifier(scan: str, reading: _Reading, left_stop: int) -> str:
    """The qualifier printed right before the number (超, 近, 约 …), or ""."""
    if reading.value_text in ("百", "千") and scan[reading.start - 1 : reading.start] == "上":
        return "上"  # 上百家
    text = scan[max(left_stop, reading.start - 4) : reading.start]
    word = next((w for w in _LEADING_QUALIFIERS if text.endswith(w)), "")
    if word and _LEFT_STOPS.protects_ending(text, len(word)):
        return ""  # 最近5年: 近 belongs to 最近
    return word


def _choose_label(
    kind: str, left: _Label | None, right: _Label | None, via_de: bool
) -> _Label | None:
    if kind in ("money", "percent", "duration"):
        order = (left, right)
    else:
        # 30万台服务器, 1500名务工人员: what follows a measure word is what it counts.
        order = (None if via_de else right, left, right)
    return next((label for label in order if label), None)


def _left_label(page: _Page, reading: _Reading, left_stop: int) -> tuple[str, _Label | None]:
    scan = page.scan
    clause_start, _ = page.clause(reading.start)
    window_start = max(left_stop, clause_start, reading.start - _WINDOW)
    window_start = _after_boundaries(scan, window_start, reading.start)
    if left_stop and window_start == left_stop:
        window_start += _leading_match(scan[window_start : reading.start], _TRAILING_QUALIFIERS)
    if _is_digit(scan, window_start - 1):
        date = _STUCK_TO_NUMBER.match(scan, window_start)
        window_start = date.end() if date else window_start
    end, qualifier = reading.start, ""
    if reading.value_text in ("百", "千") and scan[end - 1 : end] == "上":
        end, qualifier = end - 1, "多"  # 上百家
    end, stripped = _strip_trailing(scan, window_start, end, reading.kind)
    qualifier = qualifier or stripped
    start = _after_last_stop(scan, window_start, end, _LEFT_STOPS)
    start = _after_subject(scan, start, end)
    if end - start > _MAX_LEFT_LABEL:
        start = end - _MAX_LEFT_LABEL
    return qualifier, _label(page, start, end)


def _after_boundaries(scan: str, start: int, end: int) -> int:
    """Move `start` past the last label-breaking character before `end`."""
    for i in range(end - 1, start - 1, -1):
        if _breaks_label(scan[i]):
            return i + 1
    return start


def _strip_trailing(scan: str, start: int, end: int, kind: str) -> tuple[int, str]:
    """Drop verbs and qualifiers between the label and the number (`总投资超过` → 总投资)."""
    qualifier = ""
    while end > start:
        text = scan[start:end]
        word = next((w for w in _BEFORE_NUMBER_WORDS if text.endswith(w)), "")
        if word and _LEFT_STOPS.protects_ending(text, len(word)):
            break  # 月薪平均在: 均 belongs to 平均
        if not word and kind == "percent" and text.endswith("的"):
            word = "的"  # 总产能的30%: the share of what precedes 的
        if not word:
            break
        qualifier = qualifier or _QUALIFIER_MEANING.get(word, "")
        end -= len(word)
    return end, qualifier


def _leading_match(text: str, words: tuple[str, ...]) -> int:
    return next((len(w) for w in words if text.startswith(w)), 0)


def _after_last_stop(scan: str, start: int, end: int, stops: _WordIndex) -> int:
    """The position after the last stop word in scan[start:end], skipping protected words."""
    cut = start
    i = start
    while i < end:
        protected = stops.protected_at(scan, i, end)
        if protected:
            i += protected
            continue
        stop = stops.stop_at(scan, i, end)
        if stop and i + stop < end and scan[i + stop] in _VERB_NOUN_SUFFIXES:
            stop = 0
        if stop:
            i += stop
            cut = i
        else:
            i += 1
    return cut


def _after_subject(scan: str, start: int, end: int) -> int:
    """`X项目总投资` → 总投资: a label starts after the thing it is a figure of."""
    text = scan[start:end]
    best = start
    for word in _SUBJECT_WORDS:
        at = text.rfind(word, 0, len(text) - 2)
        while at != -1:
            rest = text[at + len(word) :]
            if len(rest) >= 2 and rest not in _SUBJECT_ATTRIBUTES:
                best = max(best, start + at + len(word))
                break
            at = text.rfind(word, 0, at)
    return best


def _right_label(
    page: _Page, reading: _Reading, right_stop: int
) -> tuple[str, _Label | None, bool]:
    scan = page.scan
    _, clause_end = page.clause(reading.end)
    limit = min(right_stop, clause_end, reading.end + _WINDOW)
    position = reading.end
    tail = _leading_match(scan[position:limit], _TRAILING_QUALIFIERS)
    qualifier = _QUALIFIER_MEANING.get(scan[position : position + tail], "")
    position += tail
    if not tail and reading.unit == "倍" and scan.startswith("多", position):
        position += 1  # 三倍多
    via_de = scan.startswith("的", position)
    position += via_de
    end = _first_stop(page, position, limit)
    if tail and not via_de:
        return qualifier, None, False  # 5亿元以上项目: the label is before the number
    if end - position > _MAX_RIGHT_LABEL - 2:
        position = _after_subject(scan, position, end)
    if end - position > _MAX_RIGHT_LABEL:
        position += _leading_match(scan[position:end], _SCALE_PREFIXES)
    # What follows a measure word ends in its head noun: keep the end.
    position = max(position, end - _MAX_RIGHT_LABEL)
    if reading.kind != "money":
        end = _before_money_word(scan, position, end)
    return qualifier, _label(page, position, end), via_de


def _before_money_word(scan: str, start: int, end: int) -> int:
    """`10GWh动力电池生产项目投资42亿元`: the label of a capacity ends before 投资."""
    for i in range(start + 1, end):
        if any(scan.startswith(word, i) for word in _MONEY_LABEL_WORDS):
            return i
    return end


def _first_stop(page: _Page, start: int, limit: int) -> int:
    scan = page.scan
    i = start
    while i < limit:
        if i == start and scan[i] in "“‘「" and page.is_masked(i):
            i = page.masked_end(i)  # 77条“硬核”新政: a quoted name is part of the label
            continue
        if _breaks_label(scan[i]):
            return i
        protected = _RIGHT_STOPS.protected_at(scan, i, limit)
        if protected:
            i += protected
            continue
        if _RIGHT_STOPS.stop_at(scan, i, limit):
            return i
        i += 1
    return limit


def _label(page: _Page, start: int, end: int) -> _Label | None:
    text = page.text[start:end].strip()
    if not text or all(c in CJK_NUMERAL_CHARS for c in text):
        return None
    offset = page.text.index(text, start)
    return _Label(text, offset, offset + len(text))


def _quote_span(page: _Page, reading: _Reading, label: _Label | None) -> tuple[int, int]:
    first = min(reading.start, label.start) if label else reading.start
    last = max(reading.end, label.end) if label else reading.end
    start, _ = page.clause(first)
    _, end = page.clause(max(last - 1, first))
    start = _with_lead_in(page, start)
    if end - start > _MAX_QUOTE:
        start = max(start, first - _MAX_QUOTE // 2)
        end = min(end, max(last, start + _MAX_QUOTE))
    while start < first and page.text[start].isspace():
        start += 1
    while end > last and page.text[end - 1].isspace():
        end -= 1
    return start, end


def _with_lead_in(page: _Page, start: int) -> int:
    """Extend a quote back over short openers of its sentence (`目前,`, `2017年,`)."""
    sentence_start, _ = page.sentence(start)
    lead = page.scan[sentence_start:start]
    if not lead or len(lead) > 2 * _MAX_LEAD_IN:
        return start
    parts = re.split(r"[,:]", lead.rstrip(",: "))
    if any(len(part) > _MAX_LEAD_IN for part in parts):
        return start
    starts = page.reading_starts
    if bisect_left(starts, sentence_start) != bisect_left(starts, start):
        return start  # the opener has a figure of its own
    return sentence_start


def _year(scan: str, start: int, end: int, number: int) -> int | None:
    """The year the quote states for the figure: the nearest one before it, else after."""
    years = [(m.start(), int(m.group())) for m in _YEAR.finditer(scan, start, end)]
    before = [year for position, year in years if position < number]
    if before:
        return before[-1]
    return years[0][1] if years else None


def _year_before(scan: str, start: int, end: int) -> int | None:
    """The last year named earlier in the sentence (`力争到2025年营收…,企业达400家`: the
    second clause is for 2025 too)."""
    years = [int(m.group()) for m in _YEAR.finditer(scan, start, end)]
    return years[-1] if years else None


def normalise_unit(value: float, unit: str) -> tuple[float, str]:
    """The value in its base unit: (71.69, "亿元") → (7169000000.0, "元").

    For figures people add or edit by hand; an unknown unit is its own base.
    """
    for prefix in ("", *_MULTIPLIER_PREFIXES):
        if not unit.startswith(prefix):
            continue
        rest = unit[len(prefix) :]
        for name, base, _kind in _UNITS:
            if rest == name:
                factor = (multiplier_value(prefix) or 1.0) if prefix else 1.0
                return value * factor, base
    return value, unit
