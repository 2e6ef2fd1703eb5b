"""Help when a search finds little: parks whose names match, and a better query.

A suggestion is only offered if it finds something. For each needle that finds nothing
on its own: the nearest indexed word (same pinyin, else one edit away, see
`spelling.py`: `动力电尺` → `动力电池`), else jieba's split of a run-together query with
each part corrected the same way (`西安高新区动力电池` → `西安高新区 动力电池`,
`天津宾海` → `天津 滨海`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Count

from archive.models import Article, Park
from archive.registry import ZONE_SUFFIXES
from archive.search import analysis, spelling
from archive.search.query import Clause, Needle, ParsedQuery

MAX_PARKS = 5
MAX_NEAREST = 3
_GENERIC = frozenset({*ZONE_SUFFIXES, "国家高新区", "高新", "园区", "开发区"})


# (pk, name, folded names) of every park, per process; parks change rarely, and a stale
# hint costs nothing but a hint.
_park_names: list[tuple[int, str, list[str]]] | None = None
_park_names_at = 0.0
PARK_NAMES_TTL = 60.0


def forget_parks() -> None:
    """Drop the cached park names (a park was saved or deleted)."""
    global _park_names
    _park_names = None


def _parks() -> list[tuple[int, str, list[str]]]:
    global _park_names, _park_names_at
    if _park_names is None or time.monotonic() - _park_names_at > PARK_NAMES_TTL:
        rows = Park.objects.values_list("pk", "name", "full_name", "aliases")
        _park_names = [
            (pk, name, [analysis.fold_needle(x) for x in (name, full, *aliases.split("|")) if x])
            for pk, name, full, aliases in rows
        ]
        _park_names_at = time.monotonic()
    return _park_names


def parks_matching(parsed: ParsedQuery) -> list[Park]:
    """Parks a needle names (in part or whole, by name, full name or alias), or whose name
    a needle contains; best matches first."""
    needles = [
        n.text for c in parsed.positive for n in c.needles
        if len(n.text) >= 2 and n.text not in _GENERIC
    ]
    if not needles:
        return []
    scored = []
    for pk, name, names in _parks():
        score = _park_score(needles, names)
        if score:
            scored.append((score, name, pk))
    scored.sort(key=lambda item: (-item[0], item[1]))
    pks = [pk for _, _, pk in scored[:MAX_PARKS]]
    found = Park.objects.in_bulk(pks)
    return [found[pk] for pk in pks if pk in found]


def _park_score(needles: Sequence[str], names: Sequence[str]) -> int:
    best = 0
    for needle in needles:
        for name in names:
            if needle == name:
                best = max(best, 3)
            elif len(name) >= 3 and name in needle:
                best = max(best, 2)
            elif needle in name:
                best = max(best, 1)
    return best


def suggestion(parsed: ParsedQuery, filters: Mapping[str, Sequence[str | int]]) -> str | None:
    """A query like this one that finds something, written out; None if none does."""
    from archive.search.engine import has_matches

    clauses = list(parsed.clauses)
    changed = False
    for i, clause in enumerate(clauses):
        if clause.negated or len(clause.needles) != 1:
            continue
        if has_matches(ParsedQuery("", (clause,)), {}):
            continue
        repair = _repair(clause.needles[0], has_matches)
        if repair:
            clauses[i : i + 1] = repair
            changed = True
    if not changed:
        return None
    candidate = ParsedQuery("", tuple(clauses), conditions=parsed.conditions)
    if not has_matches(candidate, dict(filters)):
        return None
    return candidate.display()


def _repair(needle: Needle, has_matches: Callable[..., bool]) -> list[Clause] | None:
    """The needle corrected as a whole, else split into words (each corrected if it
    finds nothing); None when neither finds anything."""

    def finds(word: str) -> bool:
        return has_matches(ParsedQuery("", (Clause((Needle(word),)),)), {})

    def corrected(word: str) -> str | None:
        return next((w for w in _nearest_words(word) if finds(w)), None)

    whole = corrected(needle.text)
    if whole:
        return [Clause((Needle(whole),))]
    words = analysis.segment(needle.text)
    if len(words) < 2 or any(len(w) < 2 for w in words):
        return None  # single characters are not a useful split
    fixed = [w if finds(w) else corrected(w) for w in words]
    if any(w is None for w in fixed):
        return None
    split = [Clause((Needle(w),)) for w in fixed if w]
    return split if has_matches(ParsedQuery("", tuple(split)), {}) else None


def _nearest_words(text: str) -> list[str]:
    from archive.search import elasticsearch_backend as es
    from archive.search.backend import get_backend
    from archive.search.compile import WORDS

    cluster = es.active()
    if cluster is not None:
        return cluster.corrections(text)
    return get_backend().read(lambda s: spelling.corrections(s, WORDS, text))


# A zone the archive has no article about.


@dataclass
class ZoneGap:
    """A query word names a zone no article is about: say so, and what is near."""

    park: Park
    covered: int  # zones that are the main zone of at least one article
    nearest: list[tuple[str, int]] = field(default_factory=list)  # (query, results)

    def message(self) -> str:
        return f"本档案暂无{self.park.name}的报道；共收录 {self.covered} 个园区的报道"


def zone_gaps(parsed: ParsedQuery, filters: Mapping[str, Sequence[str | int]]) -> list[ZoneGap]:
    """For a query that found nothing: each word that names a zone (its name, full name or
    an alias, or a longer word containing a name) no article is about, with the nearest
    queries that do find something: the query without that word, then the word replaced
    by covered zones of the same province, then by the most covered zones."""
    from archive.search.engine import count_matches

    gaps = []
    coverage: dict[int, int] | None = None
    for i, clause in enumerate(parsed.clauses):
        if clause.negated or len(clause.needles) != 1 or clause.needles[0].field:
            continue
        park = _zone_named(clause.needles[0].text)
        if park is None or any(g.park == park for g in gaps):
            continue
        # Every article's zone counted only once a word names a zone, and only if that zone
        # has none: the count reads every article, which a typo should not pay for.
        if coverage is None:
            if Article.objects.public().filter(park=park).exists():
                continue
            coverage = _coverage()
        if coverage.get(park.pk):
            continue
        gap = ZoneGap(park, len(coverage))
        others = parsed.clauses[:i] + parsed.clauses[i + 1 :]

        def offer(clauses: tuple[Clause, ...], gap: ZoneGap = gap) -> None:
            candidate = ParsedQuery("", clauses, conditions=parsed.conditions)
            if candidate.display() in (q for q, _ in gap.nearest):
                return
            count = count_matches(candidate, dict(filters))
            if count:
                gap.nearest.append((candidate.display(), count))

        if any(not c.negated for c in others) or parsed.conditions:
            offer(others)
        covered = Park.objects.filter(pk__in=coverage)
        ranked = sorted(covered, key=lambda p: (p.province != park.province, -coverage[p.pk],
                                                p.name))
        for other in ranked:
            if len(gap.nearest) >= MAX_NEAREST:
                break
            offer((*others[:i], Clause((Needle(analysis.fold_needle(other.name)),)), *others[i:]))
        gaps.append(gap)
    return gaps


def _coverage() -> dict[int, int]:
    """Each zone's number of public articles, for zones with any."""
    return dict(
        Article.objects.public().filter(park__isnull=False)
        .values_list("park").annotate(n=Count("pk")).values_list("park", "n")
    )


def _zone_named(needle: str) -> Park | None:
    """The zone a query word names: by a whole name first, else a name inside the word."""
    if len(needle) < 2 or needle in _GENERIC:
        return None
    best: tuple[int, str, int] | None = None
    for pk, name, names in _parks():
        if needle in names:
            score = 3
        elif any(len(n) >= 3 and n in needle for n in names):
            score = 2
        else:
            continue
        if best is None or (score, name) > (best[0], best[1]):
            best = (score, name, pk)
    return Park.objects.filter(pk=best[2]).first() if best else None
