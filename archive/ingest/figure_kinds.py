"""What kind of fact a figure states: a result, a target or forecast, or a size class.

`力争规模以上固定资产投资达166亿元` states a goal, not an investment made; `投资5亿元以上项目
3个` counts three projects, and 5亿元以上 is only the size class they belong to. The words
that decide it are data (`vocab/figure_status.txt`, `vocab/figure_thresholds.txt`, one entry
a line with its reason); this module only knows where to look for them.
"""

from __future__ import annotations

from collections.abc import Callable

from .vocab import entries

REPORTED = "reported"
TARGET = "target"
THRESHOLD = "threshold"
STATUSES = (REPORTED, TARGET, THRESHOLD)
# A no-cue entry: a longer word that holds a cue (千人计划 holds 计划).
_NOT_A_CUE = "-"
# Bounds that make a figure a class when a thing follows it (5亿元以上项目, 超10亿元企业).
_PUNCTUATION = frozenset(",;。!?、)”\n")
_BOUNDS = frozenset({"以上", "及以上", "以下", "超", "超过", "逾", "过"})


def _by_first_char(entries: list[tuple[str, str]]) -> dict[str, tuple[tuple[str, str], ...]]:
    index: dict[str, list[tuple[str, str]]] = {}
    for word, value in sorted(entries, key=lambda e: -len(e[0])):
        index.setdefault(word[0], []).append((word, value))
    return {char: tuple(group) for char, group in index.items()}


def _longest_at(
    index: dict[str, tuple[tuple[str, str], ...]], text: str, i: int
) -> tuple[str, str]:
    for word, value in index.get(text[i], ()):
        if text.startswith(word, i):
            return word, value
    return "", ""


class StatusReader:
    """Reads the status of figures in one half-width text (see module docstring)."""

    def __init__(self) -> None:
        self._cues = _by_first_char(
            [(word, status) for word, status in (e.split() for e in entries("figure_status"))]
        )
        self._things = _by_first_char([(word, "") for word in entries("figure_thresholds")])

    def status(
        self,
        scan: str,
        sentence_start: int,
        start: int,
        printed_end: int,
        qualifiers: tuple[str, ...],
        is_masked: Callable[[int], bool],
    ) -> str:
        """The status of the figure printed at scan[start:printed_end].

        qualifiers: the bounds printed with it (超, 以上 …). The last cue before the figure
        in its sentence decides, skipping cues inside titles and slogans (`“千人计划”`).
        """
        if any(q in _BOUNDS for q in qualifiers) and self._thing_follows(scan, printed_end):
            return THRESHOLD
        status = REPORTED
        i = sentence_start
        while i < start:
            word, cue = _longest_at(self._cues, scan, i) if not is_masked(i) else ("", "")
            if not word:
                i += 1
                continue
            # 活动计划, — a cue at the end of its clause is a noun, not a cue.
            noun = scan[i + len(word) : i + len(word) + 1] in _PUNCTUATION
            if cue != _NOT_A_CUE and i + len(word) <= start and not noun:
                status = cue
            i += len(word)
        return status

    def _thing_follows(self, scan: str, position: int) -> bool:
        if scan.startswith("的", position):
            position += 1
        return position < len(scan) and bool(_longest_at(self._things, scan, position)[0])
