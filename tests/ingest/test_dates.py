"""Issue dates: printed in a page header, given in a sidecar, or estimated from the text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from archive.ingest.dates import estimate_issue_date, parse_date, printed_issue_date, sidecar_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中国高新技术产业导报 2020年6月2日 星期二\n\n正文", dt.date(2020, 6, 2)),
        ("２０２１年３月１５日　第３版　园区\n", dt.date(2021, 3, 15)),
        ("2020年5月27日,天津腾讯网络技术有限公司成功摘牌。", None),  # a date in the news
        ("2020年2月30日 星期一", None),  # no such day
    ],
)
def test_it_reads_the_date_a_page_header_prints(text: str, expected: dt.date | None) -> None:
    assert printed_issue_date(text) == expected


def test_it_estimates_the_year_the_text_speaks_of_most(seed_texts: dict[str, str]) -> None:
    text = seed_texts["002_559b40d3858c5e08.txt"]
    assert estimate_issue_date(text, today=dt.date(2026, 1, 1)) == dt.date(2020, 1, 1)
    assert estimate_issue_date("没有年份的文字") is None
    assert estimate_issue_date("2031年规划", today=dt.date(2026, 1, 1)) is None


def test_it_reads_sidecar_files(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    assert sidecar_date(page) is None
    (tmp_path / "p.json").write_text('{"date": "2020-06-02"}')
    assert sidecar_date(page) == dt.date(2020, 6, 2)
    (tmp_path / "p.date").write_text("2019-01-31\n")
    assert sidecar_date(page) == dt.date(2019, 1, 31)
    with pytest.raises(ValueError, match="2020-13-01"):
        parse_date("2020-13-01")
