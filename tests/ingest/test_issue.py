"""Issue metadata read from a page header, a sidecar or the options (archive/ingest/issue.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from archive.ingest.issue import IssueMeta, given_meta, page_number_of, printed_meta, sidecar_meta


@pytest.mark.parametrize(
    ("header", "date", "label", "number"),
    [
        # date, weekday, section, then the page number
        ("2020年6月2日 星期二 高新区动态 4", dt.date(2020, 6, 2), "4", 4),
        # page number first, then section, date and weekday
        ("07 产业观察 2018年3月5日 星期一", dt.date(2018, 3, 5), "07", 7),
        # a 第N版 anywhere on the line
        ("要闻 2022年11月9日 星期三 第12版", dt.date(2022, 11, 9), "第12版", 12),
        ("2021年7月1日 周四", dt.date(2021, 7, 1), "", None),
        ("２０２１年３月１５日　第３版　园区", dt.date(2021, 3, 15), "第3版", 3),
    ],
)
def test_it_reads_date_and_page_number_from_a_header(
    header: str, date: dt.date, label: str, number: int | None
) -> None:
    meta = printed_meta(f"\n\n{header}\n\n标题\n\n正文第一段。\n")
    assert (meta.date, meta.date_source, meta.page_label, meta.page_number) == (
        date, "printed", label, number
    )


@pytest.mark.parametrize(
    "text",
    [
        "2020年6月3日 星期二 高新区动态 4",  # 3 June 2020 was a Wednesday: a misread date
        "2020年5月27日,某公司在高新区成功摘牌。",  # a date in the news, no header
        "2020年5月27日 5",  # a date and a number, nothing that says header
        "截至2020年6月2日 星期二，" + "全区企业复工率达到百分之九十六以上" * 4,  # too long
    ],
)
def test_it_reads_no_header_where_there_is_none(text: str) -> None:
    assert printed_meta(f"\n{text}\n\n正文。") == IssueMeta()


def test_it_reads_a_header_at_the_foot_of_the_page() -> None:
    lines = ["标题", "", *["正文一段。"] * 20, "", "2019年4月15日 星期一 3"]
    assert printed_meta("\n".join(lines)).page_number == 3


@pytest.mark.parametrize(
    ("label", "number"),
    [("第3版", 3), ("03", 3), ("三版", 3), ("第十二版", 12), ("A3", None), ("0", None)],
)
def test_it_reads_the_number_of_a_page_label(label: str, number: int | None) -> None:
    assert page_number_of(label) == number


def test_it_reads_a_json_sidecar(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    assert sidecar_meta(page) == IssueMeta()
    (tmp_path / "p.json").write_text(
        '{"paper": "某某日报", "date": "2020-06-01", "page_label": "第3版"}', encoding="utf-8"
    )
    assert sidecar_meta(page) == IssueMeta("某某日报", dt.date(2020, 6, 1), "given", "第3版", 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "not a JSON object"),
        ("{not json", "not a JSON object"),
        ('{"paper": 3}', "paper is not a string"),
        ('{"page_label": "' + "版" * 40 + '"}', "page label longer"),
    ],
)
def test_it_names_the_sidecar_that_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "p.json").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as error:
        sidecar_meta(tmp_path / "p.txt")
    assert "p.json" in str(error.value)


def test_options_override_the_sidecar_and_the_header() -> None:
    given = given_meta("甲报", None, "第2版")
    sidecar = IssueMeta("乙报", dt.date(2020, 1, 2), "given", "第5版", 5)
    printed = IssueMeta(date=dt.date(2020, 1, 3), date_source="printed", page_label="7",
                        page_number=7)
    assert given.over(sidecar).over(printed) == IssueMeta(
        "甲报", dt.date(2020, 1, 2), "given", "第2版", 2
    )
    assert IssueMeta().over(printed) == printed
