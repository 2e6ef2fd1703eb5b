"""Numbers as the newspapers print them.

Arabic digits (`71.69`, `1,500`, full-width `９６`), Chinese numerals (`两`, `十二`,
`一千五百`, `十二万`), and the mixed forms the papers favour for large amounts (`4.6万`,
`1.8万`, `5亿`). Every function here is pure and total: text that is not a number gives
None, never an exception.
"""

from __future__ import annotations

import math
import re

CJK_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
LARGE_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}

# Multiplier prefixes of a unit as printed (`万元`, `亿美元`, `万平方米`), longest first.
MULTIPLIERS: dict[str, float] = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "十亿": 1e9,
    "千万": 1e7,
    "百万": 1e6,
    "十万": 1e5,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
}

CJK_NUMERAL_CHARS = "".join(CJK_DIGITS) + "".join(SMALL_UNITS) + "".join(LARGE_UNITS)

# Longer numerals are not numbers in running text, and would make the arithmetic slow.
_MAX_CJK_LEN = 16
_MAX_ARABIC_LEN = 24

_ARABIC = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_MIXED = re.compile(r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<mult>[十百千万亿]{1,2})")

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space map one-to-one onto ASCII,
# so offsets in the translated text are offsets in the original.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20


def to_halfwidth(text: str) -> str:
    """`text` with full-width digits, letters and ASCII punctuation made half-width.

    The result has exactly the length of `text`, character for character.
    """
    return text.translate(_HALFWIDTH)


def parse_arabic(text: str) -> float | None:
    """`71.69` → 71.69, `1,500` → 1500.0, `９６` → 96.0; anything else → None."""
    text = to_halfwidth(text.strip())
    if len(text) > _MAX_ARABIC_LEN or not _ARABIC.fullmatch(text):
        return None
    return _finite(float(text.replace(",", "")))


def parse_chinese(text: str) -> int | None:
    """`两` → 2, `十二` → 12, `三百` → 300, `一千五百` → 1500, `十二万` → 120000.

    Digit strings without units read digit by digit (`二〇二〇` → 2020); the colloquial
    elision of a trailing unit counts (`一千五` → 1500). Not a numeral → None.
    """
    if not text or len(text) > _MAX_CJK_LEN or any(c not in CJK_NUMERAL_CHARS for c in text):
        return None
    if all(c in CJK_DIGITS for c in text):
        return _digit_string(text)
    return _with_units(text)


def parse_number(text: str) -> float | None:
    """Any printed number: Arabic, Chinese, or Arabic with a Chinese multiplier.

    `4.6万` → 46000, `30万` → 300000, `5亿` → 5e8, `两个` → 2 (a bare classifier `个` is
    allowed); `百亿元级` → None, since it names a class of things, not a count.
    """
    text = to_halfwidth(text.strip())
    if text.endswith("个"):
        text = text[:-1]
    if not text:
        return None
    value = parse_arabic(text)
    if value is not None:
        return value
    mixed = _MIXED.fullmatch(text)
    if mixed and len(text) <= _MAX_ARABIC_LEN:
        factor = multiplier_value(mixed["mult"])
        base = parse_arabic(mixed["num"])
        return None if factor is None or base is None else _finite(base * factor)
    chinese = parse_chinese(text)
    return None if chinese is None else float(chinese)


def multiplier_value(prefix: str) -> float | None:
    """The factor of a unit prefix: `万` → 1e4, `亿` → 1e8, `万亿` → 1e12; else None."""
    return MULTIPLIERS.get(prefix)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _digit_string(text: str) -> int:
    return int("".join(str(CJK_DIGITS[c]) for c in text))


def _with_units(text: str) -> int | None:
    """Section arithmetic: 亿 and 万 close a section, 十/百/千 scale the digit before."""
    total = 0
    section = 0
    digit: int | None = None
    last_unit = 1
    for char in text:
        if char in CJK_DIGITS:
            if digit is not None and CJK_DIGITS[char] != 0:
                return None
            digit = CJK_DIGITS[char] if CJK_DIGITS[char] else None
            if char in "零〇":
                last_unit = 1
        elif char in SMALL_UNITS:
            unit = SMALL_UNITS[char]
            if unit >= last_unit and section:
                return None
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            unit = LARGE_UNITS[char]
            if digit is not None:
                section += digit
            if not section and not total:
                return None
            total = (total + section) * unit if unit > 10_000 else total + section * unit
            section, digit, last_unit = 0, None, unit
    if digit is not None:
        # `一千五` means 1500: a trailing digit right after a unit counts in the next unit down.
        section += digit * (last_unit // 10 if last_unit > 1 else 1)
    return total + section
