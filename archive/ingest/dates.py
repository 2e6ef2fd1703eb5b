"""The issue date of a page: given (--date or a sidecar file), else estimated from text."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from pathlib import Path

from .vocab import entries

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


# A year the text sets as a goal, not one it reports: `力争2025年…`, `计划于2019年建成`,
# `到2020年`, `2025年前`, `2023年预计突破`. The words are data: vocab/target_words.txt.
_DEADLINE_AFTER = re.compile(r"^\s*(?:年?底?前|以前)")


def _target_words() -> str:
    return "|".join(re.escape(w) for w in sorted(entries("target_words"), key=len, reverse=True))


@functools.cache
def _target_before() -> re.Pattern[str]:
    return re.compile(f"(?:{_target_words()})" + r"\s*(?:于|在)?\s*$")


@functools.cache
def _target_after() -> re.Pattern[str]:
    # `2023年预计…`, `2025年全市力争…`: a target word a few characters on, same clause.
    return re.compile(r"^[^，。,;；:：\n]{0,4}?" + f"(?:{_target_words()})")


@functools.cache
def _eras() -> tuple[tuple[str, int], ...]:
    out = []
    for entry in entries("eras"):
        word, _, year = entry.rpartition(" ")
        out.append((word, int(year)))
    return tuple(out)


def reported_years(text: str) -> list[int]:
    """The years a text reports as past or present, in order: every `YYYY年` except those
    it sets as targets (`力争2025年`, `计划于2019年`, `2025年前`). The second year of a
    range (`2016-2019年`) counts too; the first is a past year anyway."""
    folded = unicodedata.normalize("NFKC", text)
    years = []
    for match in _YEAR.finditer(folded):
        before = folded[max(0, match.start() - 8) : match.start()]
        # `到2016-2019年`: look past the range to what stands before it.
        before = re.sub(r"\d{4}\s*[-~—至到]\s*$", "", before)
        after = folded[match.end() : match.end() + 12]
        if before.rstrip().endswith(entries("as_of_words")):
            years.append(int(match.group(1)))
            continue
        if _target_before().search(before) or _DEADLINE_AFTER.match(after):
            continue
        if _target_after().match(after) and not after.startswith(("至", "到")):
            continue
        years.append(int(match.group(1)))
    return years


def estimate_issue_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """1 January of the latest year the page reports (not after this year), or None.

    A page is printed after everything it reports: the latest year it states as past or
    present (`截至2018年2月底`, `2021年是…开局之年`), raised to the first year of any word it
    uses that did not exist before (`新冠肺炎`, vocab/eras.txt). Targets (`力争2025年`) say
    nothing of when the page was printed. Only the year is estimated: a page's own dates
    (5月27日) rarely say which year.
    """
    this_year = (today or dt.date.today()).year
    years = [y for y in reported_years(text) if y <= this_year]
    folded = unicodedata.normalize("NFKC", text)
    years += [year for word, year in _eras() if word in folded and year <= this_year]
    if not years:
        return None
    return dt.date(max(years), 1, 1)
