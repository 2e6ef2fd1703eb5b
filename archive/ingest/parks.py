"""Find the national high-tech zones (国家高新区) a text names, and the one it is about.

The product's standard is "park linking needs evidence; a wrong park is worse than none",
so every rule below prefers missing a zone to naming the wrong one.

Matching runs on a normalised copy of the text (NFKC per character, so full-width letters,
digits and punctuation fold; whitespace and invisible format characters dropped, so a name
broken by an OCR line break still matches). An index map takes every match back to offsets
in the original text.

Names come from the registry and from a few regular variants of them:

* the short name, the full name and every alias;
* the part of a short name after its city (`净月高新区` for 长春净月高新区);
* `X高新区` <-> `X高新技术产业开发区`, `X农高区` <-> `X农业高新技术产业示范区`;
* `X国家高新区`, `X国家高新技术产业开发区` (the 国家 infix);
* the city with 市 (`西安市高新区`, `长春市净月高新区`).

A name is *evidence on its own* when it contains a zone word (`ZONE_MARKERS`: 高新区,
高新技术, 高技术, 农高区, 示范区, 开发区, 园区, 科技园, 工业园, 自创区, 试验区, 科学城) and
belongs to one zone only. Other names (光谷, 张江, 海泰, 中关村, 杨凌, 西高新, 华苑产业区,
苏州新区, or 火炬高新区, which three zones share) are *ambiguous*: 张江 can be a person,
中关村 a street, 西高新 sits inside 陕西高新技术企业. An ambiguous name counts only

* when one of its zones is named unambiguously elsewhere in the same text (for an
  article: in its title, kicker, subtitle or body), or
* when it is immediately followed by a zone word (中关村科学城, 张江管委会, 光谷软件园)
  and belongs to one zone only.

A bare 光谷 with nothing else is not enough.

Longest match wins and shadows everything inside it: 天津滨海高新区 is one mention, not also
滨海高新区. A name that does not start with its zone's own city, province or stem is
dropped when another registry place stands right before it (上海金山高新区 is not
呼和浩特金山高新区) or a place name runs across its start (广西高新区 holds no 西高新).

A zone word the registry does not explain (`X高新区`, `X高新技术产业开发区`, `X农高区`,
optionally with 国家) becomes an *unknown* mention (known=False, park = `X高新区` or
`X农高区`, 市 dropped) when X is a plausible place name: 2–6 Chinese characters starting
after punctuation, a line break or a function word (在, 于, 和, 、, 落户 …), not a generic
word (全国, 省级, 该, 各 …) or verb (实现, 提升 …), not a province on its own. The candidate
must also be printed twice, or open a line (a headline), or follow a locative word
(在, 于, 落户, 位于 …). In `宁波、温州高新区` the earlier items of a 、-list are linked too,
but only when the item plus the zone word is a registry name (宁波高新区); 和/与 lists are
left alone (`天津与温州高新区` may mean the city of 天津).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .types import ParkEntry, ParkMention
from .vocab import entries

# The word lists are data, one entry a line with its reason (archive/ingest/vocab/).
# Words that make a registry name specific enough to stand on its own.
ZONE_MARKERS = entries("zone_markers")
# Words that, right after an ambiguous name, show it is used as a zone name.
ZONE_FOLLOWERS = entries("zone_followers")

_HIGH_TECH = "高新区"
_HIGH_TECH_FULL = "高新技术产业开发区"
_AGRI = "农高区"
_AGRI_FULL = "农业高新技术产业示范区"
_NATIONAL = "国家"
_OLDER_FULL_FORMS = ("新技术产业开发区", "新技术开发区")
_INNOVATION_ZONE = "国家自主创新示范区"

_UNKNOWN_ZONE = re.compile(r"(?:国家)?(高新技术产业开发区|农业高新技术产业示范区|高新区|农高区)")
_LIST_ZONE_SUFFIXES = (
    "国家高新技术产业开发区",
    _HIGH_TECH_FULL,
    "国家高新区",
    _HIGH_TECH,
    _AGRI_FULL,
    _AGRI,
)

_PROVINCE_SUFFIX = re.compile(r"(?:壮族|回族|维吾尔)?自治区$|省$|市$")
_CITY_SUFFIX = re.compile(
    r"(?:朝鲜族|彝族|回族|藏族|苗族|土家族|蒙古族|白族|傣族|哈尼族|壮族|布依族|侗族|羌族"
    r"|傈僳族|景颇族|哈萨克|柯尔克孜)?自治[州县]$|地区$|新区$|示范区$|市$|盟$"
)
_SHORT_SUFFIX = re.compile(r"(?:高新区|农高区|工业园区)$")

# Function words after which a place name may start. Locative ones also count as a sign
# that what follows is a place.
_LOCATIVES = frozenset(entries("locatives"))
_CUT_WORDS = _LOCATIVES | frozenset(entries("cut_words"))
_CUT_MAX = max(len(w) for w in _CUT_WORDS)
# Generic words that stand where a place name would (全国高新区, 省级高新区, 该高新区 …).
_GENERIC_NAMES = frozenset(entries("generic_places"))
_GENERIC_PREFIXES = entries("generic_prefixes")
_VERB_SUFFIXES = entries("verb_suffixes")
# A place name does not end in a function word, a measure word or a zone word.
_BAD_LAST_CHARS = frozenset(
    "区园型级类批家个些们的了等和与及在于到赴从至是为向对把将被让由经给往以即着过也又再还就"
    "上下内外带有强佳优"
)
_GENERIC_STARTS = _GENERIC_PREFIXES + tuple(_GENERIC_NAMES)
_DETERMINERS = frozenset("各该每某这那此诸其们些")
_COUNTED = re.compile(r"^[一二三四五六七八九十百千两几数多]+[大个家批座类项所种]")
_UNKNOWN_MIN, _UNKNOWN_MAX = 2, 6
_RUN_LOOKBACK = 12
_LIST_ITEM_MAX = 6


def load_registry_csv(path: Path | str) -> list[ParkEntry]:
    """The zones of a registry CSV (columns as in archive/data/parks.csv)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return [_entry_from_row(row) for row in rows if (row.get("short_name") or "").strip()]


def _entry_from_row(row: dict[str, str]) -> ParkEntry:
    aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
    return ParkEntry(
        short_name=row["short_name"].strip(),
        full_name=(row.get("full_name") or "").strip(),
        aliases=aliases,
        province=(row.get("province") or "").strip(),
        city=(row.get("city") or "").strip(),
    )


# --- normalisation ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Normalised:
    """The matching copy of a text: `text[i]` comes from `original[origin[i]]`."""

    original: str
    text: str
    origin: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1

    def gap_before(self, i: int) -> bool:
        """Whether characters were dropped (whitespace) between text[i-1] and text[i]."""
        return i > 0 and self.origin[i] - self.origin[i - 1] > 1

    def line_starts_at(self, i: int) -> bool:
        if i == 0:
            return True
        return "\n" in self.original[self.origin[i - 1] + 1 : self.origin[i]]


_FOLDS: dict[str, str] = {}
_MAY_FOLD = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]")


def _fold_char(char: str) -> str:
    folded = _FOLDS.get(char)
    if folded is None:
        nfkc = unicodedata.normalize("NFKC", char)
        folded = _FOLDS[char] = "".join(c for c in nfkc if not _dropped(c))
    return folded


def _dropped(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Cf"


def normalise(text: str) -> _Normalised:
    """NFKC per character with whitespace dropped, keeping the way back to `text`."""
    # Han characters and ASCII letters and digits are NFKC-stable; skip them for speed.
    folds = {c: f for c in set(_MAY_FOLD.findall(text)) if (f := _fold_char(c)) != c}
    if not folds:
        return _Normalised(text, text, list(range(len(text))))
    folded = text
    for char, fold in folds.items():
        # Folds are NFKC-stable, so one replacement never feeds another.
        folded = folded.replace(char, fold)
    uneven = [c for c, f in folds.items() if len(f) != 1]
    if not uneven:
        return _Normalised(text, folded, list(range(len(text))))
    # Only characters that vanish or expand shift offsets; walk just those.
    shifting = re.compile("[" + "".join(re.escape(c) for c in uneven) + "]+")
    origin: list[int] = []
    last = 0
    for match in shifting.finditer(text):
        origin.extend(range(last, match.start()))
        for pos in range(match.start(), match.end()):
            origin.extend([pos] * len(folds[text[pos]]))
        last = match.end()
    origin.extend(range(last, len(text)))
    return _Normalised(text, folded, origin)


def _fold(name: str) -> str:
    if _MAY_FOLD.search(name) is None:
        return name
    return "".join(_fold_char(c) for c in name)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


# --- the name table --------------------------------------------------------------------


def _province_stem(province: str) -> str:
    return _PROVINCE_SUFFIX.sub("", province)


def _city_stems(city: str) -> list[str]:
    return [s for part in city.split("/") if len(s := _CITY_SUFFIX.sub("", part.strip())) >= 2]


def _own_stems(entry: ParkEntry) -> set[str]:
    stems = set(_city_stems(_fold(entry.city)))
    if len(province := _province_stem(_fold(entry.province))) >= 2:
        stems.add(province)
    if len(short := _SHORT_SUFFIX.sub("", _fold(entry.short_name))) >= 2:
        stems.add(short)
    return stems


def _has_marker(name: str) -> bool:
    return any(marker in name for marker in ZONE_MARKERS)


def _sub_names(entry: ParkEntry) -> list[str]:
    """`净月高新区` for 长春净月高新区: the short name without its city."""
    short = _fold(entry.short_name)
    if not short.endswith(_HIGH_TECH):
        return []
    stem = short[: -len(_HIGH_TECH)]
    return [
        stem[len(city) :] + _HIGH_TECH
        for city in _city_stems(_fold(entry.city))
        if stem.startswith(city) and len(stem) - len(city) >= 2
    ]


def _zone_form_variants(name: str) -> set[str]:
    """The other official forms of a zone name.

    `X高新区` <-> `X高新技术产业开发区` (also the older `X新技术产业开发区` and
    `X新技术开发区` some zones keep in their full names), `X农高区` <->
    `X农业高新技术产业示范区`, and `X国家自主创新示范区` for a zone whose own stem names
    a national innovation demonstration zone (东湖, 中关村); a demonstration zone named by
    a region (苏南, 长株潭) has no zone stem and so matches nothing here.
    """
    variants = {name}
    for full in (_HIGH_TECH_FULL, *_OLDER_FULL_FORMS):
        if name.endswith(full) and len(name) > len(full):
            variants.add(name[: -len(full)] + _HIGH_TECH)
    if name.endswith(_AGRI_FULL):
        variants.add(name[: -len(_AGRI_FULL)] + _AGRI)
    for stem in [v[: -len(_HIGH_TECH)] for v in variants if v.endswith(_HIGH_TECH)]:
        variants.add(stem + _HIGH_TECH_FULL)
        if len(stem) >= 2:
            variants.add(stem + _INNOVATION_ZONE)
    if name.endswith(_AGRI):
        variants.add(name[: -len(_AGRI)] + _AGRI_FULL)
    return variants


def _national_variant(name: str) -> str | None:
    if _NATIONAL in name:
        return None
    for suffix in (_HIGH_TECH_FULL, _HIGH_TECH, _AGRI_FULL):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + _NATIONAL + suffix
    return None


def _city_variants(name: str, cities: Iterable[str]) -> set[str]:
    return {
        city + "市" + name[len(city) :]
        for city in cities
        if name.startswith(city) and not name.startswith(city + "市") and len(name) > len(city)
    }


def _entry_names(entry: ParkEntry) -> set[str]:
    base = {_fold(n) for n in (entry.short_name, entry.full_name, *entry.aliases) if n}
    base |= set(_sub_names(entry))
    names: set[str] = set()
    for name in base:
        names |= _zone_form_variants(name)
    names |= {v for n in list(names) if (v := _national_variant(n))}
    names |= {v for n in list(names) for v in _city_variants(n, _city_stems(_fold(entry.city)))}
    return {n for n in names if len(n) >= 2}


# An alias printed this often, in this many different phrasings, names the place itself.
VARIED_ALIAS_USES = 3


def _varied_aliases(scans: Sequence[_Scan]) -> set[str]:
    """Zones whose ambiguous alias the text uses freely: `中关村通过…`, `搬到了中关村，`,
    `中关村培育…`. A name that always stands in one compound (`光谷院区` of a hospital,
    `海泰号` of a ferry, `张江红` of a person: the character after it never changes) names
    that thing, not the zone, however often it is printed; an alias of several zones
    (火炬) proves nothing either way."""
    followers: dict[str, set[str]] = {}
    for scan in scans:
        text = scan.norm.text
        for c in scan.known:
            if not c.evident and len(c.parks) == 1:
                followers.setdefault(c.parks[0], set()).add(text[c.end : c.end + 1])
    return {park for park, after in followers.items() if len(after) >= VARIED_ALIAS_USES}


def _only_zone_of_city_names(entries: Sequence[ParkEntry]) -> dict[str, str]:
    """`武汉高新区` for 东湖高新区: a city with one national zone calls it by the city.

    Only for cities with exactly one zone in the registry, so `X高新区` can mean no other.
    """
    by_city: dict[str, set[str]] = {}
    for entry in entries:
        for city in _city_stems(_fold(entry.city)):
            by_city.setdefault(city, set()).add(entry.short_name.strip())
    names = {}
    for city, parks in by_city.items():
        if len(parks) == 1:
            (park,) = parks
            for form in (city + _HIGH_TECH, city + "市" + _HIGH_TECH):
                for name in _zone_form_variants(form):
                    names[name] = park
    return names


_Trie = dict[str, "_Trie"]
_END = ""


def _build_trie(words: Iterable[str]) -> _Trie:
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = {}
    return trie


def _longest_at(trie: _Trie, text: str, pos: int) -> int:
    """End of the longest name starting at `pos`, or `pos` when none does."""
    node, best, i, size = trie, pos, pos, len(text)
    while i < size:
        child = node.get(text[i])
        if child is None:
            break
        node, i = child, i + 1
        if _END in node:
            best = i
    return best


def _start_finder(words: Iterable[str]) -> re.Pattern[str]:
    """A regex for the first two characters of any name, so the trie walk runs only where a
    name may start; regex scanning is far cheaper than a Python loop over the text."""
    heads: dict[str, set[str]] = {}
    for word in words:
        heads.setdefault(word[0], set()).add(word[1:2])
    branches = [
        re.escape(first) + "[" + "".join(re.escape(c) for c in sorted(seconds)) + "]"
        for first, seconds in sorted(heads.items())
    ]
    return re.compile("|".join(branches) if branches else r"(?!)")


# --- one scan of a text ----------------------------------------------------------------


@dataclass
class _Candidate:
    start: int  # in normalised text
    end: int
    name: str
    parks: tuple[str, ...]
    evident: bool  # the name is evidence on its own
    followed: bool = False  # an ambiguous name right before a zone word, or after its city


@dataclass
class _Unknown:
    start: int
    end: int
    park: str
    cue: bool  # opens a line or follows a locative word


@dataclass
class _Scan:
    norm: _Normalised
    known: list[_Candidate]
    unknown: list[_Unknown] = field(default_factory=list)

    def unknown_counts(self) -> Counter[str]:
        return Counter(u.park for u in self.unknown)

    def evident_parks(self) -> set[str]:
        return {c.parks[0] for c in self.known if len(c.parks) == 1 and (c.evident or c.followed)}


class ParkLinker:
    """Links zone names in text to registry short names (see the module docstring)."""

    def __init__(self, entries: Iterable[ParkEntry]) -> None:
        table: dict[str, set[str]] = {}
        own: dict[str, set[str]] = {}
        home: dict[str, set[str]] = {}
        places: set[str] = set()
        entries = [e for e in entries if e.short_name.strip()]
        for entry in entries:
            park = entry.short_name.strip()
            home[park] = set(_city_stems(_fold(entry.city)))
            if len(province := _province_stem(_fold(entry.province))) >= 2:
                home[park].add(province)
            stems = _own_stems(entry)
            own.setdefault(park, set()).update(stems)
            places.update(_city_stems(_fold(entry.city)))
            if len(province := _province_stem(_fold(entry.province))) >= 2:
                places.add(province)
            for name in _entry_names(entry):
                table.setdefault(name, set()).add(park)
        for name, park in _only_zone_of_city_names(entries).items():
            table.setdefault(name, {park})
        self._home = home
        self._parks: dict[str, tuple[str, ...]] = {n: tuple(sorted(p)) for n, p in table.items()}
        self._own = own
        self._places = frozenset(places | _PROVINCE_STEMS)
        self._trie = _build_trie(self._parks)
        self._starts = _start_finder(self._parks)

    # -- public API --

    def find_mentions(self, text: str) -> list[ParkMention]:
        """Every zone named in `text`, in order, non-overlapping, longest match first."""
        scan = self._scan(text)
        return self._resolve(scan, scan.evident_parks(), scan.unknown_counts())

    def parks_in(self, text: str) -> list[str]:
        """Distinct parks named in `text`, in order of first mention."""
        return list(dict.fromkeys(m.park for m in self.find_mentions(text)))

    def main_park(
        self, *, title: str, kicker: str = "", subtitle: str = "", body: str = ""
    ) -> str | None:
        """The zone an article is about.

        The first zone of the title; else of the kicker, then the subtitle; else the zone
        the body names most (ties: the one named first), if it is named at least twice or
        in the first paragraph. Ambiguous names count when any field of the article names
        their zone unambiguously. None without such evidence.
        """
        fields = [title or "", kicker or "", subtitle or "", body or ""]
        scans = [self._scan(f) for f in fields]
        evidence = set().union(*(s.evident_parks() for s in scans)) | _varied_aliases(scans)
        printed = sum((s.unknown_counts() for s in scans), Counter())
        linked = [self._resolve(s, evidence, printed) for s in scans]
        for mentions in linked[:3]:
            if mentions:
                return mentions[0].park
        body_park = _body_park(linked[3], fields[3])
        if body_park is not None:
            return body_park
        lead = " ".join(fields[:3]) + fields[3][: _first_paragraph_end(fields[3])]
        return self._only_zone_set_there(linked[3], _fold(lead))

    def _only_zone_set_there(self, mentions: list[ParkMention], lead: str) -> str | None:
        """The one registry zone an article names, even once, when its headline or first
        paragraph places the story in that zone's city (`安徽合肥：…` and, near the end,
        合肥高新区). Not for a zone the registry lacks: one mention is too little to create
        a park on."""
        parks = {m.park for m in mentions}
        if len(parks) != 1 or not all(m.known for m in mentions):
            return None
        park = mentions[0].park
        places = self._home.get(park, set()) | self._own.get(park, set())
        cities = {p for p in places if p not in _PROVINCE_STEMS}
        return park if any(city in lead for city in cities) else None

    # -- scanning --

    def _scan(self, text: str) -> _Scan:
        norm = normalise(text)
        known = self._known_candidates(norm)
        scan = _Scan(norm, known)
        scan.unknown = self._unknown_candidates(norm, known)
        return scan

    def _known_candidates(self, norm: _Normalised) -> list[_Candidate]:
        text = norm.text
        spans = []
        # search from start + 1, not finditer: names may overlap (海泰|泰安高新区).
        match = self._starts.search(text)
        while match:
            start = match.start()
            end = _longest_at(self._trie, text, start)
            if end > start and not self._doubtful_start(text, start, text[start:end]):
                spans.append((start, end))
            match = self._starts.search(text, start + 1)
        candidates = []
        for start, end in _longest_first(spans):
            name = text[start:end]
            parks = self._parks[name]
            evident = len(parks) == 1 and _has_marker(name)
            followed = not evident and len(parks) == 1 and (
                text.startswith(ZONE_FOLLOWERS, end) or self._after_home(text, start, parks[0])
            )
            candidates.append(_Candidate(start, end, name, parks, evident, followed))
        return candidates

    def _after_home(self, text: str, start: int, park: str) -> bool:
        """`北京中关村`, `武汉光谷`, `上海张江`: an alias right after its zone's own city or
        province reads as the zone (a person, a hospital or a ferry is not named so)."""
        return any(text.endswith(home, 0, start) for home in self._home.get(park, ()))

    def _doubtful_start(self, text: str, start: int, name: str) -> bool:
        """For a name that does not open with its own place: whether another registry place
        stands right before it (上海|金山高新区), or a place name runs across its start
        (陕|西高新, 广|西高新区)."""
        if start == 0:
            return False
        own = set().union(*(self._own.get(p, set()) for p in self._parks[name]))
        if any(name.startswith(stem) for stem in own):
            return False
        for size in (2, 3, 4):
            before = text[max(0, start - size) : start]
            if len(before) == size and before in self._places and before not in own:
                return True
            for inside in range(1, size):
                across = text[max(0, start - size + inside) : start + inside]
                if len(across) == size and across in self._places:
                    return True
        return False

    def _unknown_candidates(self, norm: _Normalised, known: list[_Candidate]) -> list[_Unknown]:
        text = norm.text
        covered = bytearray(len(text))
        for c in known:
            covered[c.start : c.end] = b"\x01" * (c.end - c.start)
        found = []
        for match in _UNKNOWN_ZONE.finditer(text):
            if any(covered[match.start() : match.end()]):
                continue
            place, place_start, cue = _place_before(norm, match.start(), covered)
            if place is None or not self._plausible_place(place):
                continue
            park = _unknown_park(place, match.group(1))
            found.append(_Unknown(place_start, match.end(), park, cue))
        return found

    def _plausible_place(self, place: str) -> bool:
        stem = place[:-1] if place.endswith(("市", "省")) else place
        if not _UNKNOWN_MIN <= len(stem) <= _UNKNOWN_MAX:
            return False
        if place in _GENERIC_NAMES or stem in _GENERIC_NAMES:
            return False
        if place.startswith(_GENERIC_STARTS) or place.endswith(_VERB_SUFFIXES):
            return False
        if place[-1] in _BAD_LAST_CHARS or _COUNTED.match(place):
            return False
        if any(char in _DETERMINERS for char in place):
            return False
        return stem not in _PROVINCE_STEMS

    # -- resolving --

    def _resolve(self, scan: _Scan, evidence: set[str], printed: Counter[str]) -> list[ParkMention]:
        """Mentions of one scanned text. `evidence`: parks named unambiguously in the text
        (or article); `printed`: how often each unknown name is printed there."""
        norm = scan.norm
        picked: list[tuple[int, int, str, bool]] = []
        for c in scan.known:
            park = _resolved_park(c, evidence)
            if park is not None:
                picked.append((c.start, c.end, park, True))
        for u in scan.unknown:
            if u.cue or printed[u.park] >= 2:
                picked.append((u.start, u.end, u.park, False))
        picked.extend(self._list_items(norm, picked))
        return _to_mentions(norm, picked)

    def _list_items(
        self, norm: _Normalised, picked: Sequence[tuple[int, int, str, bool]]
    ) -> list[tuple[int, int, str, bool]]:
        """`宁波` in `宁波、温州高新区`: earlier items of a list sharing one zone word."""
        text = norm.text
        taken = bytearray(len(text))
        for start, end, _, _ in picked:
            taken[start:end] = b"\x01" * (end - start)
        items = []
        for start, end, _, _ in picked:
            suffix = next((s for s in _LIST_ZONE_SUFFIXES if text.endswith(s, start, end)), None)
            while suffix and start > 0 and text[start - 1] == "、":
                item = self._list_item_before(norm, start - 1, suffix, taken)
                if item is None:
                    break
                items.append(item)
                start = item[0]
        return items

    def _list_item_before(
        self, norm: _Normalised, comma: int, suffix: str, taken: bytearray
    ) -> tuple[int, int, str, bool] | None:
        text = norm.text
        run_start = comma
        while (
            run_start > 0
            and comma - run_start < _LIST_ITEM_MAX
            and _is_han(text[run_start - 1])
            and not taken[run_start - 1]
            and not norm.gap_before(run_start)
        ):
            run_start -= 1
        for start in range(run_start, comma - 1):
            name = text[start:comma] + suffix
            parks = self._parks.get(name, ())
            if len(parks) == 1 and _has_marker(name):
                if self._doubtful_start(text, start, name):
                    return None
                return start, comma, parks[0], True
        return None


def _build_province_stems() -> frozenset[str]:
    provinces = (
        "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 "
        "湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 "
        "香港 澳门"
    )
    return frozenset(provinces.split())


# Municipalities are cities too, but `北京高新区` etc. are registry names, so they never reach
# the unknown check; a province alone before 高新区 is a plural (浙江高新区 = its zones).
_PROVINCE_STEMS = _build_province_stems()


def _longest_first(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping spans, longer ones first, returned in text order."""
    if not spans:
        return []
    taken = bytearray(max(end for _, end in spans))
    chosen = []
    for start, end in sorted(set(spans), key=lambda s: (s[0] - s[1], s[0])):
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            chosen.append((start, end))
    return sorted(chosen)


def _resolved_park(candidate: _Candidate, evidence: set[str]) -> str | None:
    if candidate.evident or candidate.followed:
        return candidate.parks[0]
    named = [p for p in candidate.parks if p in evidence]
    return named[0] if len(named) == 1 else None


def _place_before(
    norm: _Normalised, zone_start: int, covered: bytearray
) -> tuple[str | None, int, bool]:
    """The place name printed before a zone word: (name, its start, locative cue)."""
    text = norm.text
    run_start = zone_start
    bounded = False
    while run_start > 0 and zone_start - run_start < _RUN_LOOKBACK:
        if norm.gap_before(run_start) or covered[run_start - 1] or not _is_han(text[run_start - 1]):
            bounded = True
            break
        run_start -= 1
    else:
        bounded = run_start == 0
    run = text[run_start:zone_start]
    cut, cut_word = _last_cut(run)
    if cut:
        start = run_start + cut
        return text[start:zone_start], start, cut_word in _LOCATIVES
    if not bounded:
        return None, zone_start, False
    return run, run_start, norm.line_starts_at(run_start)


def _last_cut(run: str) -> tuple[int, str]:
    """The rightmost end of a function word in `run` leaving at least 2 characters after."""
    for end in range(len(run) - _UNKNOWN_MIN, 0, -1):
        for size in range(min(_CUT_MAX, end), 0, -1):
            word = run[end - size : end]
            if word in _CUT_WORDS:
                return end, word
    return 0, ""


def _unknown_park(place: str, zone_word: str) -> str:
    stem = place[:-1] if place.endswith("市") else place
    return stem + (_AGRI if zone_word in (_AGRI, _AGRI_FULL) else _HIGH_TECH)


def _to_mentions(
    norm: _Normalised, picked: Iterable[tuple[int, int, str, bool]]
) -> list[ParkMention]:
    mentions: list[ParkMention] = []
    last_end = 0
    for start, end, park, known in sorted(picked):
        if start >= end:
            continue
        orig_start, orig_end = norm.span(start, end)
        # NFKC can expand one character into several; never let two mentions share it.
        if orig_start < last_end or orig_end <= orig_start:
            continue
        surface = norm.original[orig_start:orig_end]
        mentions.append(ParkMention(park, surface, orig_start, orig_end, known))
        last_end = orig_end
    return mentions


def _body_park(mentions: list[ParkMention], body: str) -> str | None:
    if not mentions:
        return None
    counts = Counter(m.park for m in mentions)
    best = max(counts, key=lambda p: counts[p])  # max keeps the first-mentioned on ties
    if counts[best] >= 2:
        return best
    first_para_end = _first_paragraph_end(body)
    return best if any(m.park == best and m.start < first_para_end for m in mentions) else None


def _first_paragraph_end(body: str) -> int:
    stripped = len(body) - len(body.lstrip())
    newline = body.find("\n", stripped)
    return len(body) if newline < 0 else newline
