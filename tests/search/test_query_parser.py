"""Reading search-box input: operators, quotes and anything else a person may type."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search.query import (
    MAX_CLAUSES,
    MAX_INPUT_CHARS,
    DateRange,
    FieldIs,
    FigureIs,
    Needle,
    parse,
)


def shape(q: str) -> list[tuple[tuple[str, ...], bool]]:
    return [(tuple(n.text for n in c.needles), c.negated) for c in parse(q).clauses]


def test_spaces_mean_and() -> None:
    assert shape("西安  动力电池") == [(("西安",), False), (("动力电池",), False)]


def test_or_binds_tighter_than_and() -> None:
    assert shape("西安 动力电池 OR 锂电池") == [
        (("西安",), False),
        (("动力电池", "锂电池"), False),
    ]
    assert shape("a | b") == [(("a", "b"), False)]


def test_minus_and_not_exclude() -> None:
    assert shape("项目 -西安 NOT 宁波") == [
        (("项目",), False),
        (("西安",), True),
        (("宁波",), True),
    ]
    assert shape('项目 -"亿元 西安"') == [(("项目",), False), (("亿元 西安",), True)]


def test_quotes_make_a_phrase_and_an_unclosed_quote_runs_to_the_end() -> None:
    assert shape('"一区十园" 宁波') == [(("一区十园",), False), (("宁波",), False)]
    parsed = parse('"亿元 西安')
    assert shape('"亿元 西安') == [(("亿元 西安",), False)]
    assert parsed.notes


def test_chinese_quotes_make_a_phrase_wherever_they_stand() -> None:
    assert shape("“硬核”") == [(("硬核",), False)]
    assert shape("“硬核”新政") == [(("硬核",), False), (("新政",), False)]
    assert shape("《规划》") == [(("规划",), False)]
    assert parse("「一区 十园」").clauses[0].needles[0].quoted


def test_wildcards_only_split_and_a_lone_star_means_everything() -> None:
    assert parse("*").matches_all
    assert shape("高新*") == [(("高新",), False)]
    assert shape("西安*项目") == [(("西安",), False), (("项目",), False)]


def test_input_is_folded_like_the_index() -> None:
    assert shape("ＩＤＣ") == [(("idc",), False)]
    assert shape("(动力电池") == [(("动力电池",), False)]
    assert shape("國家高新區") == [(("国家高新区",), False)]


@pytest.mark.parametrize(
    "q", ["复工，疫情", "复工、疫情", "复工；疫情", "复工：疫情", "(复工)疫情", "（复工）疫情",
          "复工。疫情", "【复工】疫情", "复工,疫情", "复工! 疫情"],
)
def test_chinese_and_full_width_punctuation_separates_words(q: str) -> None:
    assert shape(q) == shape("复工 疫情")


def test_punctuation_inside_numbers_and_names_is_kept() -> None:
    assert shape("71.69亿元 2016-2019 阿依·买买提") == [
        (("71.69亿元",), False), (("2016-2019",), False), (("阿依·买买提",), False),
    ]


@pytest.mark.parametrize("q", ["(", "（", "，", "、", "-", "OR", "()", '""', "( )"])
def test_input_with_nothing_to_search_for_matches_nothing_with_a_note(q: str) -> None:
    parsed = parse(q)
    assert parsed.unsearchable and not parsed.matches_all and parsed.notes, q


def test_fields_are_read_in_english_and_chinese_with_either_colon() -> None:
    for q in ("title:宁波", "标题:宁波", "标题：宁波", "TITLE:宁波"):
        (clause,) = parse(q).clauses
        assert clause.needles == (Needle("宁波", field="title"),), q
    assert parse('标题:"一区 十园"').clauses[0].needles[0] == Needle("一区 十园", True, "title")
    assert parse("作者:洪恆飛").conditions == (FieldIs("author", "洪恒飞"),)
    assert parse("-园区：宁波").conditions == (FieldIs("park", "宁波", negated=True),)
    assert parse("park:").unsearchable


def test_dates_and_ranges() -> None:
    def span(q: str) -> tuple[date | None, date | None]:
        (condition,) = parse(q).conditions
        assert isinstance(condition, DateRange), q
        return condition.low, condition.high

    assert span("2019..2021") == (date(2019, 1, 1), date(2021, 12, 31))
    assert span("date:2020-05..2020-06") == (date(2020, 5, 1), date(2020, 6, 30))
    assert span("日期:2020-02") == (date(2020, 2, 1), date(2020, 2, 29))
    assert span("年份:2019") == (date(2019, 1, 1), date(2019, 12, 31))
    assert span("2019..") == (date(2019, 1, 1), None)
    assert span("..2018") == (None, date(2018, 12, 31))
    for bad in ("date:2020-13", "date:2021..2019", "date:去年"):
        parsed = parse(bad)
        assert not parsed.conditions and parsed.notes, bad
    assert shape("2019") == [(("2019",), False)]  # a year alone is text


def test_figures_compare_in_the_base_unit() -> None:
    (ten_yi,) = parse("总投资>=10亿元").conditions
    (wan,) = parse("總投資 ≥ 100000萬元").conditions
    assert isinstance(ten_yi, FigureIs) and isinstance(wan, FigureIs)
    assert (ten_yi.label, ten_yi.op, ten_yi.base_unit) == ("总投资", ">=", "元")
    assert ten_yi.normalized == wan.normalized == 1e9
    (firms,) = parse("高新技术企业＞500家").conditions
    assert (firms.op, firms.normalized, firms.base_unit) == (">", 500, "家")
    (bare,) = parse("总投资>10亿").conditions
    assert (bare.normalized, bare.base_unit) == (1e9, None)
    parsed = parse("动力电池 总投资>=10亿元")
    assert shape("动力电池 总投资>=10亿元") == [(("动力电池",), False)] and parsed.conditions
    assert parsed.display() == "动力电池 总投资>=10亿元"


def test_stray_operators_are_dropped() -> None:
    for q in ("OR", "NOT", "-", "AND", "OR 西安", "- -", '""', "  "):
        parsed = parse(q)
        assert all(n.text.strip() for c in parsed.clauses for n in c.needles), q
    assert shape("OR 西安") == [(("西安",), False)]


def test_control_characters_become_separators() -> None:
    assert shape("西安\x00项目\u200b") == [(("西安",), False), (("项目",), False)]


def test_long_input_is_cut_with_a_note() -> None:
    parsed = parse("高" * 10_000)
    assert parsed.notes
    assert len(parsed.clauses[0].needles[0].text) == MAX_INPUT_CHARS
    many = parse(" ".join(f"词{i}" for i in range(MAX_CLAUSES + 5)))
    assert len(many.clauses) == MAX_CLAUSES and many.notes


def test_display_writes_the_query_back() -> None:
    assert parse('西安 -"亿元 西安" a OR b').display() == '西安 -"亿元 西安" a OR b'


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_input_parses(text: str) -> None:
    parsed = parse(text)
    assert len(parsed.clauses) <= MAX_CLAUSES
    for clause in parsed.clauses:
        assert clause.needles and all(n.text and n.text == n.text.strip() for n in clause.needles)
