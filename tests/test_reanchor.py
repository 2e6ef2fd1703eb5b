"""Figure positions after a body edit (corrections.moved_position): pure, no database."""

from __future__ import annotations

from archive.corrections import _position_map, moved_position
from archive.models import Figure

BODY = "园区去年总投资5.6亿元。\n今年新增企业30家，其中高新技术企业30家。"


def figure(value_text: str, quote: str, nth: int = 0) -> Figure:
    start = -1
    for _ in range(nth + 1):
        start = BODY.index(value_text, start + 1)
    return Figure(value_text=value_text, quote=quote, position=start)


def moved(f: Figure, new: str) -> int | None:
    return moved_position(f, BODY, new, _position_map(BODY, new))


def test_it_moves_a_number_with_the_text_inserted_before_it() -> None:
    f = figure("5.6", "园区去年总投资5.6亿元。")
    new = "编者按。\n" + BODY
    assert new[moved(f, new) :].startswith("5.6亿元")


def test_it_keeps_the_right_one_of_two_equal_numbers() -> None:
    second = figure("30", "其中高新技术企业30家。", nth=1)
    new = BODY.replace("今年新增企业30家，", "今年新增企业30家（含分园），")
    at = moved(second, new)
    assert new[at - 8 : at] == "其中高新技术企业"


def test_a_number_the_editor_changed_is_not_marked_on_other_words() -> None:
    f = figure("5.6", "园区去年总投资5.6亿元。")
    new = BODY.replace("5.6亿元", "5.8亿元")
    assert moved(f, new) is None


def test_it_finds_the_number_in_its_sentence_when_the_text_around_was_rewritten() -> None:
    f = figure("30", "其中高新技术企业30家。", nth=1)
    new = "全新的第一段。\n其中高新技术企业30家。"
    at = moved(f, new)
    assert new[at:].startswith("30家") and new[at - 8 : at] == "其中高新技术企业"
