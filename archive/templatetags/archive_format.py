"""How numbers, money, dates and figures read on the archive's pages.

The pure functions here are also used by the figure explorer's CSV and JSON downloads, so
a number reads the same on screen and in a spreadsheet.
"""

from __future__ import annotations

import datetime
import math

from django import template

from archive.models import Figure, Page

register = template.Library()

# Base units that are money: shown in 亿/万 of the currency whatever the page printed.
MONEY_UNITS = frozenset({"元", "美元", "欧元", "日元", "英镑", "港元", "澳元", "韩元", "卢布"})
# Qualifiers read after the number ("300余家", "10亿元以上"); the rest come before it.
QUALIFIERS_AFTER_NUMBER = frozenset({"余", "多"})
QUALIFIERS_AFTER_UNIT = frozenset({"以上", "及以上", "左右", "上下", "以下", "以内", "之多"})

YI = 100_000_000
WAN = 10_000


def format_number(value: float) -> str:
    """963 → '963', 71.69 → '71.69', 12345 → '12,345', 0.0345 → '0.0345'."""
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    # Small fractions keep four significant digits so 0.0045亿元 does not read as 0.
    return f"{value:.4g}"


def is_money(base_unit: str) -> bool:
    return base_unit in MONEY_UNITS


def scale_for(normalized: float, base_unit: str) -> tuple[float, str]:
    """(divisor, unit) that makes a value readable: 亿元 for money from 100万元 up."""
    size = abs(normalized)
    if is_money(base_unit):
        if size >= YI / 100:
            return YI, "亿" + base_unit
        if size >= WAN:
            return WAN, "万" + base_unit
        return 1, base_unit
    if base_unit in ("%", "个百分点"):
        return 1, base_unit
    if size >= YI:
        return YI, "亿" + base_unit
    if size >= WAN:
        return WAN, "万" + base_unit
    return 1, base_unit


def upper_in_base(value: float, value_max: float | None, normalized: float) -> float | None:
    """The upper end of a range in the base unit (value_max is stored as printed)."""
    if value_max is None:
        return None
    return value_max * (normalized / value) if value else value_max


def plain_number(value: float) -> str:
    """A converted value without thousands separators, which the paper may not print:
    41000 → '41000', 0.035 → '0.035', 71.6912 → '71.69'."""
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    if abs(value) >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"


def readable_text(normalized: float, base_unit: str, upper: float | None = None) -> str:
    """A value converted to a common unit, for a column or axis labelled 换算: 2e10 元 →
    '200亿元'. Never shown in place of the printed form, always beside it."""
    divisor, unit = scale_for(normalized, base_unit)
    number = plain_number(normalized / divisor)
    if upper is not None:
        number = f"{number}–{plain_number(upper / divisor)}"
    return f"{number}{unit}"


def readable_value(figure: Figure) -> str:
    """The figure converted to a common unit (see readable_text)."""
    upper = upper_in_base(figure.value, figure.value_max, figure.normalized_value)
    return readable_text(figure.normalized_value, figure.base_unit, upper)


def printed_value(figure: Figure) -> str:
    """The figure as the page printed it: '10万多吨', '超2亿元', '30-40人'.

    Figures stored before printed forms were kept (or typed in by hand without one) are
    put together from their printed number, qualifier and unit.
    """
    corrected = set(figure.corrected_fields or ())
    if corrected & NUMBER_FIELDS and "printed" not in corrected:
        # Staff corrected the number: show the corrected figure (the page's printed form
        # stays stored as the original, shown in the 已更正 note).
        number = plain_number(figure.value)
        if figure.value_max is not None:
            number += "-" + plain_number(figure.value_max)
        return qualified(number, figure.unit, figure.qualifier)
    if figure.printed:
        return figure.printed
    number = figure.value_text or plain_number(figure.value)
    return qualified(number, figure.unit, figure.qualifier)


# Fields whose correction changes what a figure reads as.
NUMBER_FIELDS = frozenset({"value", "value_max", "unit", "qualifier"})


def qualified(number: str, unit: str, qualifier: str) -> str:
    if not qualifier:
        return f"{number}{unit}"
    if qualifier in QUALIFIERS_AFTER_NUMBER:
        return f"{number}{qualifier}{unit}"
    if qualifier in QUALIFIERS_AFTER_UNIT:
        return f"{number}{unit}{qualifier}"
    return f"{qualifier}{number}{unit}"


def issue_date_text(date: datetime.date | None, estimated: bool) -> str:
    """'2020年5月3日', or '约2020年' when the date was guessed from the text."""
    if date is None:
        return "日期不详"
    if estimated:
        return f"约{date.year}年"
    return f"{date.year}年{date.month}月{date.day}日"


@register.filter
def readable(figure: Figure) -> str:
    return readable_value(figure)


@register.filter
def printed(figure: Figure) -> str:
    return printed_value(figure)


@register.filter
def status_class(figure: Figure) -> str:
    """A CSS class per status, so targets and thresholds stand out from results."""
    return f"status-{figure.status}"


@register.filter
def issue_date(page: Page | None) -> str:
    """A page's issue date as a reader should take it (see issue_date_text)."""
    if page is None:
        return "日期不详"
    return issue_date_text(page.issue_date, page.issue_date_estimated)


@register.filter
def number(value: float | int | None) -> str:
    return "" if value is None else format_number(value)
