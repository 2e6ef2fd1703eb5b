"""Datelines: the words that open a news report and belong to no body.

`本报讯(记者 李争粉)`, `新华社北京5月3日电`, `央视网消息(新闻联播)：`, `本报北京5月3日电 记者X`.
A dateline has one shape whatever the outlet: the outlet's name, optionally a place and a
date, then 讯, 电 or 消息, then optionally a bracketed credit, then a colon or a space. The
outlet is either one of `vocab/outlets.txt` or a name ending like an outlet does (…日报,
…网, …台, …社); the shape is what decides, so a new paper's `XX日报讯` is recognised too.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .names import ROLE_WORDS, split_names
from .text import fold
from .vocab import entries

# A place and a date between the outlet and 电/讯/消息: `北京5月3日`, `上海`, `6月1日`.
_MIDDLE = r"[\u4e00-\u9fff0-9０-９月日]{0,14}?"
_CREDIT = r"(?:\s*[(（][^()（）\n]{0,40}[)）])?"
_GENERIC_OUTLET = r"[\u4e00-\u9fff]{1,10}(?:日报|晚报|早报|时报|报|网|电视台|广播电台|台|社)"


@dataclass(frozen=True)
class Dateline:
    text: str  # as printed, e.g. `央视网消息(新闻联播)：`
    credited: tuple[str, ...]  # people named in its bracket: `本报讯(记者 李争粉)` → 李争粉


@functools.cache
def _pattern() -> re.Pattern[str]:
    names = sorted(entries("outlets"), key=len, reverse=True)
    outlets = "|".join(re.escape(fold(name)) for name in names)
    return re.compile(
        rf"^(?:{outlets}|{_GENERIC_OUTLET}){_MIDDLE}"
        # 讯 and 电 end a dateline on their own; 消息 only before a credit or a colon, since
        # `…的消息` also ends ordinary phrases. 通讯 is a genre, not a dateline's end: the
        # headline `新华社长篇通讯：铭记历史…` names a feature story.
        rf"(?:(?:(?<!通)讯|电){_CREDIT}\s*[:：]?|消息{_CREDIT}\s*[:：])\s*"
    )


def split_dateline(text: str) -> tuple[Dateline | None, str]:
    """The dateline opening `text` (if any) and the text after it, characters as printed.

    Matching runs on the NFKC-folded text, which keeps every character's position for the
    characters a dateline uses, so the printed prefix is cut at the same offset.
    """
    folded = fold(text)
    if len(folded) != len(text):
        # A folding that changed lengths (rare compatibility characters): offsets would
        # no longer agree, so recognise nothing rather than cut in the wrong place.
        return None, text
    match = _pattern().match(folded)
    if not match or match.end() >= len(text.rstrip()):
        return None, text
    printed = text[: match.end()]
    bracket = re.search(r"[(（]([^()（）]*)[)）]", printed)
    credited: tuple[str, ...] = ()
    if bracket:
        inside = ROLE_WORDS.sub(" ", fold(bracket.group(1)))
        if ROLE_WORDS.search(fold(bracket.group(1))):
            credited = tuple(t for t in split_names(inside) if 2 <= len(t) <= 4)
    return Dateline(printed.rstrip(), credited), text[match.end() :]
