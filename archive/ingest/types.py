"""Plain data passed between the ingest steps.

Every step of the pipeline is a pure function over these records; nothing here touches
Django, so the steps can be tested on page text alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParkEntry:
    """One zone of the registry, as the park linker sees it."""

    short_name: str
    full_name: str = ""
    aliases: tuple[str, ...] = ()
    province: str = ""
    city: str = ""


@dataclass(frozen=True)
class ParkMention:
    """A place in a text where a zone is named.

    `park` is the registry's short name, or for a zone the registry lacks, the name as
    printed (then `known` is False and the store creates it flagged for review).
    """

    park: str
    surface: str
    start: int
    end: int
    known: bool = True


@dataclass
class FigureDraft:
    """A number with its unit and what it counts, read from one clause of a text.

    value_text, unit and qualifier are as printed; normalized_value and base_unit are the
    converted value used to compare figures.
    """

    label: str
    value: float
    value_text: str
    unit: str
    normalized_value: float
    base_unit: str
    quote: str
    start: int
    end: int
    value_max: float | None = None
    qualifier: str = ""
    year: int | None = None
    park: str | None = None
    # The figure exactly as the text prints it, qualifiers included: 10万多吨, 超2亿元.
    printed: str = ""
    # reported, target (a goal or forecast) or threshold (a size class): see figure_kinds.
    status: str = "reported"


@dataclass
class ArticleDraft:
    """One article as assembled from a page, before parks and figures are attached."""

    ordinal: int
    title: str
    dateline: str = ""  # 本报讯(记者 X), 新华社北京5月3日电: printed, but no part of the body
    kicker: str = ""
    subtitle: str = ""
    section: str = ""
    authors: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    starts_mid_sentence: bool = False
    ends_mid_sentence: bool = False
    has_fragment: bool = False
    park: str | None = None
    parks: list[str] = field(default_factory=list)
    figures: list[FigureDraft] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)
