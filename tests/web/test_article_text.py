"""Article text marked up for reading (archive/templatetags/archive_text.py)."""

from __future__ import annotations

from archive.models import Article, Figure
from archive.templatetags.archive_text import body_paragraphs, figure_marks, page_pieces


def fig(pk: int, body: str, text: str, unit: str, qualifier: str = "") -> Figure:
    return Figure(
        pk=pk,
        value=1,
        value_text=text,
        unit=unit,
        normalized_value=1,
        base_unit=unit,
        qualifier=qualifier,
        position=body.index(text),
        label="企业",
    )


def test_it_marks_the_number_with_its_qualifier_and_unit() -> None:
    body = "集聚了300余家企业"
    [(start, end, _)] = figure_marks(body, [fig(1, body, "300", "家", qualifier="余")])
    assert body[start:end] == "300余家"


def test_it_skips_a_figure_whose_number_moved() -> None:
    body = "集聚了300家企业"
    stale = fig(1, body, "300", "家")
    stale.position = 0
    assert figure_marks(body, [stale]) == []


def test_it_keeps_the_first_of_overlapping_marks() -> None:
    body = "投资10亿元"
    a, b = fig(1, body, "10", "亿元"), fig(2, body, "10", "亿元")
    assert [m[2].pk for m in figure_marks(body, [a, b])] == [1]


def test_it_escapes_the_body_around_marks() -> None:
    body = "<b>第一段</b>\n\n投资10亿元 & 更多"
    [first, second] = body_paragraphs(body, [fig(7, body, "10", "亿元")])
    assert first == "&lt;b&gt;第一段&lt;/b&gt;"
    assert second.startswith('投资<a class="fig" id="m-7" href="#f-7"')
    assert second.endswith(">10亿元</a> &amp; 更多")


def test_it_cuts_the_page_text_at_every_span() -> None:
    text = "标题\n甲文正文\n乙文正文\n图片说明"
    a = Article(pk=1, ordinal=1, spans=[[3, 7]])
    b = Article(pk=2, ordinal=2, spans=[[8, 12]])
    pieces = page_pieces(text, [a, b])
    assert "".join(p.text for p in pieces) == text
    assert [(p.text, p.article and p.article.pk) for p in pieces] == [
        ("标题\n", None),
        ("甲文正文", 1),
        ("\n", None),
        ("乙文正文", 2),
        ("\n图片说明", None),
    ]


def test_it_ignores_spans_outside_the_page() -> None:
    pieces = page_pieces("短文", [Article(pk=1, ordinal=1, spans=[[1, 99], [5, 3]])])
    assert [(p.text, p.article and p.article.pk) for p in pieces] == [("短", None), ("文", 1)]
