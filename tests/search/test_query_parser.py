"""Reading search-box input: operators, quotes and anything else a person may type."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search.query import MAX_CLAUSES, MAX_INPUT_CHARS, parse


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


def test_a_word_in_chinese_quotes_is_its_inside() -> None:
    assert shape("“硬核”") == [(("硬核",), False)]
    assert shape("“硬核”新政") == [(("“硬核”新政",), False)]  # quotes inside are text


def test_wildcards_only_split_and_a_lone_star_means_everything() -> None:
    assert parse("*").matches_all
    assert shape("高新*") == [(("高新",), False)]
    assert shape("西安*项目") == [(("西安",), False), (("项目",), False)]


def test_input_is_folded_like_the_index() -> None:
    assert shape("ＩＤＣ") == [(("idc",), False)]
    assert shape("(动力电池") == [(("动力电池",), False)]
    assert shape("经费(亿元)") == [(("经费(亿元)",), False)]


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
