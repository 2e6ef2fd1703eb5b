"""How numbers, money and dates read (archive/templatetags/archive_format.py)."""

from __future__ import annotations

import datetime

import pytest

from archive.models import Figure
from archive.templatetags.archive_format import (
    format_number,
    issue_date_text,
    printed_value,
    readable_value,
)


def figure(value: float, unit: str, normalized: float, base: str, **extra) -> Figure:
    return Figure(value=value, unit=unit, normalized_value=normalized, base_unit=base, **extra)


@pytest.mark.parametrize(
    ("value", "text"),
    [(963, "963"), (71.69, "71.69"), (12345, "12,345"), (0.035, "0.035"), (2.0, "2"), (1.005, "1")],
)
def test_it_formats_numbers(value, text) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("f", "text"),
    [
        (figure(71.69, "亿元", 7_169_000_000, "元"), "71.69亿元"),
        (figure(350, "万元", 3_500_000, "元"), "0.035亿元"),
        (figure(30, "万元", 300_000, "元"), "30万元"),
        # Converted values carry no thousands separators and no qualifier: the printed
        # form beside them has those.
        (figure(3000, "元", 3000, "元"), "3000元"),
        (figure(1, "亿美元", 100_000_000, "美元"), "1亿美元"),
        (figure(200, "亿元", 2e10, "元", qualifier="超"), "200亿元"),
        (figure(4.1, "万平方米", 41_000, "平方米"), "4.1万平方米"),
        (figure(90, "%", 90, "%"), "90%"),
        (figure(3000, "元", 3000, "元", value_max=8000), "3000–8000元"),
    ],
)
def test_it_converts_figures_to_a_common_unit(f, text) -> None:
    assert readable_value(f) == text


@pytest.mark.parametrize(
    ("f", "text"),
    [
        (figure(10, "万吨", 100_000, "吨", printed="10万多吨", qualifier="多"), "10万多吨"),
        (figure(2, "亿元", 2e8, "元", printed="超2亿元", qualifier="超"), "超2亿元"),
        (figure(1000, "台", 1000, "台", printed="1000余台", value_text="1000"), "1000余台"),
        (figure(41000, "平方米", 41000, "平方米", printed="41000平方米"), "41000平方米"),
        (figure(350, "万元", 3_500_000, "元", printed="350万元"), "350万元"),
    ],
)
def test_it_shows_figures_as_printed(f, text) -> None:
    assert printed_value(f) == text


def test_it_puts_a_figure_without_a_printed_form_together_from_its_parts() -> None:
    f = figure(350, "万元", 3_500_000, "元", value_text="350", qualifier="近")
    assert printed_value(f) == "近350万元"
    f = figure(5, "亿元", 5e8, "元", value_text="5", qualifier="以上")
    assert printed_value(f) == "5亿元以上"


def test_it_shows_estimated_dates_as_estimates() -> None:
    day = datetime.date(2020, 5, 3)
    assert issue_date_text(day, estimated=False) == "2020年5月3日"
    assert issue_date_text(day, estimated=True) == "约2020年"
    assert issue_date_text(None, estimated=False) == "日期不详"
