"""Step 2: cut a page into blocks, the units the OCR separated by blank lines.

A block keeps its character span in the raw page (so an article can point back at the
source) and how many blank lines stood before it: a wide gap is where a picture was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLANK_RUN = re.compile(r"(?:[ \t\u3000\xa0]*\n){2,}")


@dataclass(frozen=True)
class Block:
    text: str
    start: int
    end: int
    blank_lines_before: int

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


def split_blocks(page: str) -> list[Block]:
    """Blocks of non-blank lines, with their spans in `page`."""
    blocks: list[Block] = []
    position = 0
    gap = 0
    for separator in [*_BLANK_RUN.finditer(page), None]:
        end = separator.start() if separator else len(page)
        _add_block(blocks, page, position, end, gap)
        if separator:
            gap = separator.group().count("\n") - 1
            position = separator.end()
    return blocks


def _add_block(blocks: list[Block], page: str, start: int, end: int, gap: int) -> None:
    raw = page[start:end]
    if not raw.strip():
        return
    lead = len(raw) - len(raw.lstrip())
    trail = len(raw) - len(raw.rstrip())
    blocks.append(Block(raw.strip(), start + lead, end - trail, gap))
