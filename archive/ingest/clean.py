"""Step 6: turn assembled paragraphs into the clean body of an article.

Joins sentences the column layout cut in two, drops a line the OCR repeated at a join,
and takes author names glued to the end of the last paragraph out of the text.
"""

from __future__ import annotations

import re

from .assemble import Para, RawArticle
from .names import split_trailing_names
from .text import SENTENCE_END, ends_sentence
from .types import ArticleDraft

# A repeat shorter than this could be chance ("发展。" / "发展。"); a longer one than the
# maximum is not an OCR overlap but repeated text the page really printed.
MIN_REPEAT_CHARS = 5
MAX_REPEAT_CHARS = 120


# (上接第1版) / (下转第3版): the article runs on another page.
_JUMP = re.compile(r"[(（]\s*(上接|下转|接|转)\s*第?\s*[0-9一二三四五六七八九十]+\s*版\s*[)）]")


def strip_jump_marks(paras: list[Para]) -> tuple[list[Para], bool, bool]:
    """Paragraphs without jump marks, and whether the article came from / goes on to
    another page."""
    came_from = goes_on = False
    out = []
    for para in paras:
        for match in _JUMP.finditer(para.text):
            came_from |= match.group(1) in ("上接", "接")
            goes_on |= match.group(1) in ("下转", "转")
        text = _JUMP.sub("", para.text).strip()
        if text:
            out.append(Para(text, para.spans, para.is_subhead))
    return out, came_from, goes_on


def finish_article(raw: RawArticle, ordinal: int) -> ArticleDraft:
    """The clean, final form of one assembled article."""
    paras, came_from, goes_on = strip_jump_marks(raw.paras)
    paras = join_cut_paragraphs(paras)
    authors = list(raw.authors)
    if paras:
        last, trailing = split_trailing_names(paras[-1].text, SENTENCE_END)
        if trailing:
            paras[-1] = Para(last, paras[-1].spans, paras[-1].is_subhead)
            authors += [name for name in trailing if name not in authors]
    texts = [p.text for p in paras if p.text.strip()]
    spans = sorted({span for p in raw.paras for span in p.spans} | set(raw.other_spans))
    return ArticleDraft(
        ordinal=ordinal,
        title=raw.title,
        dateline=raw.dateline,
        kicker=raw.kicker,
        subtitle=raw.subtitle,
        section=raw.section,
        authors=authors,
        paragraphs=texts,
        credits=list(raw.credits),
        captions=list(raw.captions),
        spans=spans,
        starts_mid_sentence=raw.untitled or came_from,
        ends_mid_sentence=goes_on or (bool(texts) and not ends_sentence(texts[-1])),
        has_fragment=raw.fragment,
    )


def join_cut_paragraphs(paras: list[Para]) -> list[Para]:
    """Merge each paragraph the layout cut mid-sentence with the one that continues it."""
    out: list[Para] = []
    for para in paras:
        previous = out[-1] if out else None
        if previous is None or previous.is_subhead or para.is_subhead:
            out.append(Para(para.text, list(para.spans), para.is_subhead))
            continue
        text = drop_repeated_lead(previous.text, para.text)
        if not text.strip():
            previous.spans.extend(para.spans)
            continue
        if ends_sentence(previous.text):
            out.append(Para(text, list(para.spans)))
        else:
            previous.text += text
            previous.spans.extend(para.spans)
    return out


def drop_repeated_lead(previous: str, text: str) -> str:
    """Cut the start of text where it repeats the end of previous (OCR overlap)."""
    longest = min(len(previous), len(text), MAX_REPEAT_CHARS)
    for size in range(longest, MIN_REPEAT_CHARS - 1, -1):
        if previous.endswith(text[:size]):
            return text[size:]
    return text
