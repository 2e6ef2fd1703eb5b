"""Step 3: say what each block of a page is.

The kinds are decided from the block alone; where a block sits among its neighbours
(headline or subhead, caption or subtitle) is the assembler's business.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from .blocks import Block
from .datelines import split_dateline
from .names import ROLE, ROLE_WORDS, parse_name_line, split_names
from .text import ends_sentence, fold, has_sentence_end_inside, visible_length


class Kind(enum.Enum):
    CREDIT = "credit"  # 图片来源:X, 本报记者 X 摄
    CAPTION = "caption"  # 图为…
    BYLINE = "byline"  # ► 名字 名字
    NAMES = "names"  # a line of bare names: byline or trailing authors
    REPORT = "report"  # a paragraph opening with a dateline: 本报讯, 新华社…电, 央视网消息：
    SHORT = "short"  # headline-like: a title, kicker, subhead, caption or section label
    PARA = "para"  # body text
    PAGE_META = "page_meta"  # page header/footer: 2020年6月2日 星期二, 责任编辑 X


@dataclass(frozen=True)
class Classified:
    block: Block
    kind: Kind

    @property
    def text(self) -> str:
        return self.block.text


_CREDIT = re.compile(r"^[(（]?\s*(图片来源|图片提供|图片由|图/|图:|摄影|供图)")
_PAGE_META = re.compile(
    r"^(责任编辑|责编|美术编辑|版式设计|版式|校对|编辑)\s*[:：\s]"
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,30}(星期|周[一二三四五六日]|第\s*\d+\s*版)"
)
_PHOTO_BY = re.compile(r"^[\u4e00-\u9fff\s]{2,24}\s摄[)）]?$")
_CAPTION = re.compile(r"^[(（]?图为")
_ROLE_LED = re.compile(rf"^[(（]?({ROLE})")
_BYLINE_MARK = re.compile(r"^[►▶▷▸■□●◆◇★☆>]\s*")
_BOOK_TITLE = re.compile(r"《[^《》]*》")
HEADLINE_MAX_CHARS = 40
HEADLINE_LINE_MAX_CHARS = 32


def classify_blocks(blocks: list[Block]) -> list[Classified]:
    """The kind of every block, in page order."""
    return [Classified(block, classify(block.text)) for block in blocks]


def classify(text: str) -> Kind:
    folded = fold(text).strip()
    if visible_length(folded) <= 80 and _PAGE_META.search(folded):
        return Kind.PAGE_META
    if _CREDIT.match(folded) or _PHOTO_BY.match(folded):
        return Kind.CREDIT
    if _CAPTION.match(folded) and visible_length(folded) <= 120:
        return Kind.CAPTION
    if _ROLE_LED.match(folded) and visible_length(folded) <= 40 and byline_names(text):
        return Kind.BYLINE
    if _BYLINE_MARK.match(text) and byline_names(text):
        return Kind.BYLINE
    if parse_name_line(folded):
        return Kind.NAMES
    if split_dateline(text.strip())[0] is not None:
        return Kind.REPORT
    if looks_like_headline(text):
        return Kind.SHORT
    return Kind.PARA


def looks_like_headline(
    text: str, max_chars: int = HEADLINE_LINE_MAX_CHARS, max_total: int | None = None
) -> bool:
    """Short, no sentence inside it, not trailing off like a cut paragraph.

    `max_chars` bounds each line and `max_total` all of it; a kicker, or a headline over
    a dateline, may be allowed more (see `assemble`).
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if visible_length(text) > (max_total or max(HEADLINE_MAX_CHARS, max_chars)):
        return False
    if any(visible_length(line) > max_chars for line in lines):
        return False
    if has_sentence_end_inside(text) or ends_sentence(text):
        return False
    folded = fold(text).rstrip()
    # Headlines separate their parts with spaces or a colon, never with commas; a comma
    # inside a title in 《》 belongs to that title (《厉害了，我的国》).
    return "," not in _BOOK_TITLE.sub("", folded) and not folded.endswith(("、", ":"))


def byline_names(text: str) -> list[str]:
    """People credited on a byline such as `► 梅忠 冉放` or `▶ 记者 X`."""
    body = _BYLINE_MARK.sub("", text.strip())
    body = ROLE_WORDS.sub(" ", fold(body)).strip("()（） ")
    tokens = split_names(body)
    if not all(2 <= len(t) <= 4 for t in tokens):
        return []
    return tokens
