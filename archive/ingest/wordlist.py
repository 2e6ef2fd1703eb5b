"""Word lists shipped as data files beside the ingest steps.

The shape is jieba's dict.txt and OpenCC's .txt dictionaries: one entry a line, fields
separated by a tab, the last field the reason the entry is there (for people; the code
never reads it). Blank lines and lines starting with # are comments.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


class WordListError(ValueError):
    """A data file with a line that does not have the fields it must have."""


@cache
def load_word_list(name: str, fields: int) -> tuple[tuple[str, ...], ...]:
    """The entries of HERE/name, each the first `fields` fields of its line (reason dropped).

    A line with fewer fields than `fields` + 1 (the reason) raises WordListError naming the
    file and line, so a broken data file stops ingest at once instead of reading wrong.
    """
    path = HERE / name
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < fields + 1 or not all(p.strip() for p in parts[: fields + 1]):
            raise WordListError(
                f"{path}:{number}: want {fields} field(s) and a reason, tab-separated"
            )
        entries.append(tuple(p.strip() for p in parts[:fields]))
    return tuple(entries)
