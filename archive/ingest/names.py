"""Recognising Chinese personal names in bylines and author lines.

Newspaper pages credit people as bare names (`洪恒飞 秦羽 江耘`), so a line is taken as a
list of names only when every token looks like one: two or three Chinese characters
starting with a known surname (or four starting with a compound surname). Requiring the
surname keeps short headlines and section labels (园区动态, 综述) from passing as people.
"""

from __future__ import annotations

import re

from .vocab import entries

# Surnames, one a line with the reason (vocab/surnames.txt): single characters, and the
# compound ones (欧阳, 司马) that make a four-character name.
SURNAMES = entries("surnames")
SINGLE_SURNAMES = frozenset(s for s in SURNAMES if len(s) == 1)
COMPOUND_SURNAMES = frozenset(s for s in SURNAMES if len(s) == 2)

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
# Who a byline credits, by role: `记者`, `本报记者`, `本报通讯员`, `本报驻京记者`,
# `本报特派全媒体记者`, `新华社记者`, `首席记者`, `实习生`, `文/`. A role is an outlet
# (本报, 本刊, 本台, 新华社, 中新社), a posting (驻…), up to two ranks or media (特约, 特派,
# 见习, 首席, 实习, 摄影, 全媒体, 融媒体), then 记者 or 通讯员: those parts in any
# combination, not only the combinations listed.
ROLE = (
    r"(?:本报|本刊|本台|新华社|中新社)?(?:驻[\u4e00-\u9fff]{1,4})?"
    r"(?:特约|特派|见习|首席|实习|摄影|全媒体|融媒体){0,2}(?:记者|通讯员)"
    r"|实习生|文/|文:"
)
ROLE_WORDS = re.compile(rf"({ROLE}|图/)")
_SPLIT = re.compile(r"[\s\u3000、,，·]+")


def looks_like_name(token: str) -> bool:
    """True when token is plausibly one person's full name."""
    if not _CJK.match(token):
        return False
    if len(token) in (3, 4) and token[:2] in COMPOUND_SURNAMES:
        return True
    return len(token) in (2, 3) and token[0] in SINGLE_SURNAMES


def split_names(text: str) -> list[str]:
    """Split a credit line into its tokens (spaces, 、 or commas between names)."""
    return [t for t in _SPLIT.split(text.strip()) if t]


def parse_name_line(text: str, max_names: int = 8) -> list[str] | None:
    """The names on a line made only of names, else None."""
    tokens = split_names(text)
    if not tokens or len(tokens) > max_names:
        return None
    if all(looks_like_name(t) for t in tokens):
        return tokens
    return None


def split_trailing_names(paragraph: str, terminators: str) -> tuple[str, list[str]]:
    """Cut author names glued after the last sentence of a paragraph.

    `…发展壮大。 耿丽如` → (`…发展壮大。`, [`耿丽如`]). Names are only taken after a
    sentence terminator, so the end of an ordinary sentence is never mistaken for a name.
    """
    stripped = paragraph.rstrip()
    cut = max(stripped.rfind(ch) for ch in terminators)
    if cut < 0 or cut == len(stripped) - 1:
        return paragraph, []
    # A closing quote right after the terminator still belongs to the sentence.
    while cut + 1 < len(stripped) and stripped[cut + 1] in "”’」』)）":
        cut += 1
    tail = stripped[cut + 1 :]
    # `…发展。(本报记者 张三)`: a credit in brackets reads the same as a bare one.
    if tail.strip().startswith(("(", "（")) and tail.strip().endswith((")", "）")):
        tail = ROLE_WORDS.sub(" ", tail.strip()[1:-1])
    names = parse_name_line(tail)
    if not names:
        return paragraph, []
    return stripped[: cut + 1], names
