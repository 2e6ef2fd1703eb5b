"""A page's issue metadata: which newspaper, which day, which page (版次).

Three sources, most trusted first: what the person ingesting says (`--paper`, `--date`,
`--page-label`), a sidecar file beside the page (`PAGE.json`: `{"paper": …, "date": …,
"page_label": …}`; `PAGE.date` for the date alone), and a header line the page prints
(`2016年8月23日 星期二 园区观察 3`, `05 园区新闻 2019年4月15日 星期一`). The year estimate
from the text (dates.estimate_issue_date) is the ingest command's last resort, not here.

A header is read conservatively: only a short line near the top or foot of the page with
a whole date and either a weekday that falls on that date or a 第N版 counts, and a page
number only when it stands alone at the line's start or end, or as N版.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .dates import parse_date, sidecar_date
from .numerals import parse_chinese

MAX_PAPER = 128
MAX_LABEL = 32
# Header lines are short and sit in the first or last few lines of a page.
HEADER_LINES = 6
HEADER_MAX_CHARS = 60
WEEKDAYS = "一二三四五六日天"

_DATE = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_WEEKDAY = re.compile(rf"(?:星期|周)([{WEEKDAYS}])")
_PAGE_WORD = re.compile(r"第?\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*版")
_EDGE_NUMBER = re.compile(r"^(\d{1,2})(?:\s|$)|\s(\d{1,2})$")


@dataclass(frozen=True)
class IssueMeta:
    """What is known of a page's issue; empty fields are unknown."""

    paper: str = ""
    date: dt.date | None = None
    date_source: str = ""  # "given", "printed" or "" (the estimate is added by ingest)
    page_label: str = ""
    page_number: int | None = None
    label_printed: bool = False  # read from the header, not given: fills blanks only

    def over(self, fallback: IssueMeta) -> IssueMeta:
        """These values, each missing one taken from fallback."""
        date, source = (self.date, self.date_source) if self.date else (
            fallback.date, fallback.date_source
        )
        label_from = self if self.page_label else fallback
        return IssueMeta(
            self.paper or fallback.paper, date, source, label_from.page_label,
            label_from.page_number, label_from.label_printed,
        )  # fmt: skip


def clean_paper(value: str, where: str) -> str:
    paper = " ".join(value.split())
    if len(paper) > MAX_PAPER:
        raise ValueError(f"{where}: newspaper title longer than {MAX_PAPER} characters")
    return paper


def clean_label(value: str, where: str) -> str:
    label = " ".join(value.split())
    if len(label) > MAX_LABEL:
        raise ValueError(f"{where}: page label longer than {MAX_LABEL} characters")
    return label


def page_number_of(label: str) -> int | None:
    """`第3版` → 3, `05` → 5, `三版` → 3; None for a label without a plain number (`A3`)."""
    text = unicodedata.normalize("NFKC", label).strip()
    if text.isdigit():
        return int(text) or None
    match = _PAGE_WORD.fullmatch(text)
    if not match:
        return None
    digits = match.group(1)
    return int(digits) if digits.isdigit() else parse_chinese(digits)


def given_meta(paper: str | None, date: dt.date | None, page_label: str | None) -> IssueMeta:
    """What the command's options say."""
    label = clean_label(page_label or "", "--page-label")
    return IssueMeta(
        paper=clean_paper(paper or "", "--paper"),
        date=date,
        date_source="given" if date else "",
        page_label=label,
        page_number=page_number_of(label) if label else None,
    )


def sidecar_meta(page_path: Path) -> IssueMeta:
    """What `PAGE.json` (paper, date, page label) and `PAGE.date` (the date alone, which
    wins) say; ValueError naming the file when one is not what it should be."""
    date = sidecar_date(page_path) if page_path.with_suffix(".date").is_file() else None
    paper = label = ""
    candidate = page_path.with_suffix(".json")
    if candidate.is_file():
        try:
            data = json.loads(candidate.read_text(encoding="utf-8"))
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ValueError(f"{candidate}: not a JSON object")
        for key in ("paper", "date", "page_label"):
            if not isinstance(data.get(key, ""), str):
                raise ValueError(f"{candidate}: {key} is not a string")
        paper = clean_paper(data.get("paper", ""), str(candidate))
        label = clean_label(data.get("page_label", ""), str(candidate))
        if date is None and data.get("date", "").strip():
            try:
                date = parse_date(data["date"])
            except ValueError as error:
                raise ValueError(f"{candidate}: {error}") from None
    return IssueMeta(
        paper=paper,
        date=date,
        date_source="given" if date else "",
        page_label=label,
        page_number=page_number_of(label) if label else None,
    )


def printed_meta(text: str) -> IssueMeta:
    """The date and page number a page header prints, when it prints one."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:HEADER_LINES] + lines[-HEADER_LINES:]:
        if len(line) > HEADER_MAX_CHARS:
            continue
        meta = _read_header_line(unicodedata.normalize("NFKC", line))
        if meta:
            return meta
    return IssueMeta()


def _read_header_line(line: str) -> IssueMeta | None:
    match = _DATE.search(line)
    if not match:
        return None
    try:
        date = dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    rest = (line[: match.start()] + "  " + line[match.end():]).strip()
    weekday = _WEEKDAY.search(rest)
    page_word = _PAGE_WORD.search(rest)
    if weekday:
        printed = weekday.group(1).replace("天", "日")
        if WEEKDAYS.index(printed) != date.weekday():
            return None  # a weekday that does not fall on the date: a misread date
        rest = (rest[: weekday.start()] + "  " + rest[weekday.end():]).strip()
    elif not page_word:
        return None  # a date alone may be a date in the news, not the issue's
    label, number = "", None
    if page_word:
        label = page_word.group(0).replace(" ", "")
        number = page_number_of(label)
    elif edge := _EDGE_NUMBER.search(rest):
        label = edge.group(1) or edge.group(2)
        number = int(label) or None
        if number is None:
            label = ""
    return IssueMeta(
        date=date, date_source="printed", page_label=label, page_number=number,
        label_printed=bool(label),
    )  # fmt: skip
