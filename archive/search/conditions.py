"""A query's field, date and figure conditions as sets of article ids, from the database.

The index holds text for matching; who signed an article, its zone, its issue date and the
figures it states are rows in the database, which is the source of truth for them (figure
values are not in the index at all). Each condition becomes the ids of the public
articles that satisfy it; the search keeps the matches whose id is in every wanted set and
in no negated one (`compile.matching_array`, and a `terms` filter on Elasticsearch).

Names and labels are compared folded as the search folds text (`analysis.fold_needle`:
NFKC, lower case, traditional → simplified), so `作者:洪恆飛` finds 洪恒飞.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from archive.search.analysis import fold_needle
from archive.search.query import Condition, DateRange, FieldIs, FigureIs

# Relative tolerance for figure values: 10亿元 and a figure read as 1e9 元 are equal even
# when one side went through a float multiplication.
REL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Restriction:
    """Sorted article ids to keep (None: no restriction) and to drop."""

    only: np.ndarray | None
    without: np.ndarray

    @property
    def empty(self) -> bool:
        return self.only is not None and not len(self.only)


NONE = Restriction(None, np.zeros(0, dtype=np.int64))


def restriction(conditions: Iterable[Condition]) -> Restriction:
    """The ids every wanted condition allows, and those a negated one excludes."""
    only: set[int] | None = None
    without: set[int] = set()
    for condition in conditions:
        ids = article_ids(condition)
        if condition.negated:
            without |= ids
        else:
            only = ids if only is None else only & ids
    return Restriction(
        None if only is None else np.array(sorted(only), dtype=np.int64),
        np.array(sorted(without), dtype=np.int64),
    )


def article_ids(condition: Condition) -> set[int]:
    """Public articles that satisfy the condition (ignoring its `negated`)."""
    if isinstance(condition, FieldIs) and condition.field == "author":
        return _by_author(condition.value)
    if isinstance(condition, FieldIs) and condition.field == "park":
        return _by_park(condition.value)
    if isinstance(condition, DateRange):
        return _by_date(condition)
    if isinstance(condition, FigureIs):
        return _by_figure(condition)
    raise ValueError(f"unknown condition {condition!r}")


# The models are imported where they are used: search backends import this module while
# Django loads its settings, before the app registry is ready.


def _by_author(value: str) -> set[int]:
    from archive.models import Article

    rows = Article.objects.public().exclude(authors=[]).values_list("pk", "authors")
    return {
        pk for pk, authors in rows
        if any(value in fold_needle(str(name)) for name in authors or [])
    }


def parks_named(value: str) -> list[Any]:
    """Parks whose name, full name or an alias is `value` (folded); else those whose
    names contain it."""
    from archive.models import Park

    exact, partial = [], []
    for park in Park.objects.all():
        names = [fold_needle(n) for n in (park.name, park.full_name, *park.alias_list) if n]
        if value in names:
            exact.append(park)
        elif any(value in name for name in names):
            partial.append(park)
    return exact or partial


def _by_park(value: str) -> set[int]:
    from archive.models import Article

    parks = parks_named(value)
    return set(Article.objects.public().filter(park__in=parks).values_list("pk", flat=True))


def _by_date(condition: DateRange) -> set[int]:
    from archive.models import Article

    articles = Article.objects.public().filter(page__issue_date__isnull=False)
    if condition.low is not None:
        articles = articles.filter(page__issue_date__gte=condition.low)
    if condition.high is not None:
        articles = articles.filter(page__issue_date__lte=condition.high)
    return set(articles.values_list("pk", flat=True))


def _by_figure(condition: FigureIs) -> set[int]:
    from archive.models import Figure

    value, tolerance = condition.normalized, abs(condition.normalized) * REL_TOLERANCE
    figures = Figure.objects.public()
    if condition.base_unit is not None:
        figures = figures.filter(base_unit=condition.base_unit)
    lookups = {
        ">": {"normalized_value__gt": value + tolerance},
        ">=": {"normalized_value__gte": value - tolerance},
        "<": {"normalized_value__lt": value - tolerance},
        "<=": {"normalized_value__lte": value + tolerance},
        "=": {"normalized_value__gte": value - tolerance,
              "normalized_value__lte": value + tolerance},
    }
    figures = figures.filter(**lookups[condition.op])
    # Labels are compared folded (a traditional label, a full-width digit), in Python.
    return {
        article_id
        for article_id, label in figures.values_list("article_id", "label")
        if condition.label in fold_needle(label)
    }
