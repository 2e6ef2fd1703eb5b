"""Indicators: families of figure labels that state the same measure.

`总投资`, `计划总投资` and `项目投资总额` are one indicator, 总投资 in 元; comparing zones,
or drawing a chart, takes one indicator at a time so that unlike things never share an
axis. The families are data (archive/data/indicators.txt, one rule a line with its reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import Q

INDICATORS_TXT = Path(__file__).resolve().parent / "data" / "indicators.txt"


@dataclass(frozen=True)
class Indicator:
    name: str
    base_unit: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]

    def q(self, prefix: str = "") -> Q:
        """The figures of this indicator (prefix: the lookup path to the Figure)."""
        any_word = Q()
        for word in self.include:
            any_word |= Q(**{f"{prefix}label__contains": word})
        query = Q(**{f"{prefix}base_unit": self.base_unit}) & any_word
        for word in self.exclude:
            query &= ~Q(**{f"{prefix}label__contains": word})
        return query

    def holds(self, label: str, base_unit: str) -> bool:
        return (
            base_unit == self.base_unit
            and any(word in label for word in self.include)
            and not any(word in label for word in self.exclude)
        )


class IndicatorFileError(ValueError):
    """A line of indicators.txt that is not an indicator, a rule and a reason."""


@cache
def indicators() -> tuple[Indicator, ...]:
    """Every indicator of the data file, in its order."""
    rules: dict[str, dict[str, list[str]]] = {}
    text = INDICATORS_TXT.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3 or parts[1][:1] not in "=+-" or len(parts[1]) < 2:
            raise IndicatorFileError(
                f"{INDICATORS_TXT}:{number}: want indicator, =UNIT/+WORD/-WORD and a reason"
            )
        entry = rules.setdefault(parts[0], {"=": [], "+": [], "-": []})
        entry[parts[1][0]].append(parts[1][1:])
    found = []
    for name, entry in rules.items():
        if len(entry["="]) != 1 or not entry["+"]:
            raise IndicatorFileError(f"{INDICATORS_TXT}: {name} needs one =UNIT and a +WORD")
        found.append(Indicator(name, entry["="][0], tuple(entry["+"]), tuple(entry["-"])))
    return tuple(found)


def indicator_named(name: str | None) -> Indicator | None:
    return next((i for i in indicators() if i.name == name), None)


def indicator_of(label: str, base_unit: str) -> Indicator | None:
    """The first indicator the label belongs to, in file order."""
    return next((i for i in indicators() if i.holds(label, base_unit)), None)
