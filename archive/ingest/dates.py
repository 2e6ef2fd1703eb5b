"""The issue date of a page: given (--date or a sidecar file), else estimated from text."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

_YEAR = re.compile(r"(?<!\d)((?:19[89]|20[0-9])\d)年")


def parse_date(value: str) -> dt.date:
    """`YYYY-MM-DD` → date; ValueError with the value named otherwise."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"not a date in YYYY-MM-DD form: {value!r}") from None


def sidecar_date(page_path: Path) -> dt.date | None:
    """The date in `PAGE.date` (a line `YYYY-MM-DD`) or `PAGE.json` (`{"date": …}`)."""
    for candidate in (page_path.with_suffix(".date"), page_path.with_suffix(".json")):
        if not candidate.is_file():
            continue
        raw = candidate.read_text(encoding="utf-8").strip()
        if candidate.suffix == ".json":
            try:
                raw = str(json.loads(raw).get("date", ""))
            except (ValueError, AttributeError):
                raise ValueError(f"{candidate}: not a JSON object with a date") from None
        return parse_date(raw)
    return None


_PRINTED_DATE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日.{0,30}(?:星期|周[一二三四五六日]|第\s*\d+\s*版)"
)


def printed_issue_date(text: str) -> dt.date | None:
    """The date a page header prints (`2020年6月2日 星期二`, `… 第3版`), if any."""
    for line in text.splitlines():
        if len(line.strip()) > 80:
            continue
        match = _PRINTED_DATE.search(unicodedata.normalize("NFKC", line))
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                continue
    return None


def estimate_issue_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """1 January of the year the page speaks of most (not after this year), or None.

    Only the year is estimated: a page's own dates (5月27日) rarely say which year.
    """
    this_year = (today or dt.date.today()).year
    years = Counter(int(y) for y in _YEAR.findall(text) if int(y) <= this_year)
    if not years:
        return None
    top = max(years.values())
    return dt.date(max(y for y, n in years.items() if n == top), 1, 1)
