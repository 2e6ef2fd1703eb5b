"""How to cite an article: GB/T 7714-2015, APA, BibTeX, RIS and Highwire meta tags.

All forms are built from one `Facts` record of what is known of the article's issue. What
is not known is never made up: GB/T 7714 puts an estimated year in square brackets
(`[2020]`, the standard's form for an estimated date) and a missing newspaper as
`[报纸名不详]`; APA writes `ca. 2020` and `n.d.`; every form carries a note of what is
missing or estimated, which the article page shows beside the citation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString

from archive.models import Article, DateSource

SITE_NAME = "高新区新闻档案"
GBT_MAX_AUTHORS = 3  # GB/T 7714-2015 8.1.2: the first three, then "等"
APA_MAX_AUTHORS = 20
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
UNKNOWN_PAPER = "[报纸名不详]"
UNKNOWN_DATE = "[出版日期不详]"


@dataclass(frozen=True)
class Facts:
    """What a citation of one article can say."""

    title: str
    authors: list[str]
    paper: str
    date: dt.date | None
    date_source: str
    page: str  # 版次 as cited: "3", "A3"; "" unknown
    url: str  # absolute permalink
    public_id: str
    notes: list[str] = field(default_factory=list)

    @property
    def estimated(self) -> bool:
        return self.date_source == DateSource.ESTIMATED


def cited_page(number: int | None, label: str) -> str:
    """The 版次 a citation gives: the number, else the label without 第…版 (`A3`)."""
    if number:
        return str(number)
    return re.sub(r"^第\s*|\s*版$", "", label.strip())


def facts_for(article: Article, url: str) -> Facts:
    """The citation facts of an article; url is its absolute permalink."""
    page = article.page
    title = article.title.strip()
    if article.subtitle.strip():
        title = f"{title}: {article.subtitle.strip()}" if title else article.subtitle.strip()
    source = page.known_date_source
    paper = page.newspaper.title if page.newspaper_id else ""
    number = cited_page(page.page_number, page.page_label)
    notes = []
    if not paper:
        notes.append("报纸名不详")
    if page.issue_date is None:
        notes.append("出版日期不详")
    elif source == DateSource.ESTIMATED:
        notes.append(f"出版日期据正文推断（约{page.issue_date.year}年）")
    if not number:
        notes.append("版次不详")
    return Facts(
        title=title,
        authors=[str(a) for a in article.authors or [] if str(a).strip()],
        paper=paper,
        date=page.issue_date,
        date_source=source,
        page=number,
        url=url,
        public_id=article.public_id,
        notes=notes,
    )


def gbt7714(facts: Facts) -> str:
    """GB/T 7714-2015 newspaper form: 作者. 题名[N]. 报纸名, 出版日期(版次)."""
    parts = []
    if facts.authors:
        names = facts.authors[:GBT_MAX_AUTHORS]
        more = ", 等" if len(facts.authors) > GBT_MAX_AUTHORS else ""
        parts.append(", ".join(names) + more + ". ")
    parts.append(f"{facts.title or '[无题]'}[N]. ")
    parts.append(f"{facts.paper or UNKNOWN_PAPER}, {_gbt_date(facts)}")
    if facts.page:
        parts.append(f"({facts.page})")
    return "".join(parts) + "."


def _gbt_date(facts: Facts) -> str:
    if facts.date is None:
        return UNKNOWN_DATE
    if facts.estimated:
        return f"[{facts.date.year}]"
    return facts.date.isoformat()


def _apa_authors(authors: list[str]) -> str:
    names = authors[:APA_MAX_AUTHORS]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]}, & {names[1]}"
    return ", ".join(names[:-1]) + f", & {names[-1]}"


def _apa_date(facts: Facts) -> str:
    if facts.date is None:
        return "n.d."
    if facts.estimated:
        return f"ca. {facts.date.year}"
    return f"{facts.date.year}, {MONTHS[facts.date.month - 1]} {facts.date.day}"


def apa(facts: Facts) -> tuple[str, SafeString]:
    """APA 7 newspaper form, as text and as HTML (the newspaper in <cite>, italic)."""
    title = facts.title or "[无题]"
    paper = facts.paper or UNKNOWN_PAPER
    if facts.authors:
        head = f"{_apa_authors(facts.authors)}. ({_apa_date(facts)}). {title}."
    else:  # APA: without an author the title takes the author's place
        head = f"{title}. ({_apa_date(facts)})."
    tail = f", {facts.page}. " if facts.page else ". "
    text = f"{head} {paper}{tail}{facts.url}"
    html = format_html("{} <cite>{}</cite>{}{}", head, paper, tail, facts.url)
    return text, html


_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    **{ch: "\\" + ch for ch in "{}&%$#_"},
}  # fmt: skip
_BIBTEX_SPECIAL = re.compile("[" + re.escape("".join(_BIBTEX_ESCAPES)) + "]")


def _bib(value: str) -> str:
    """A value safe inside BibTeX braces: TeX's special characters escaped."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m.group(0)], value)


def bibtex(facts: Facts) -> str:
    """A BibLaTeX/BibTeX @article entry with entrysubtype newspaper."""
    fields: list[tuple[str, str]] = []
    if facts.authors:
        fields.append(("author", " and ".join(facts.authors)))
    fields.append(("title", facts.title or "[无题]"))
    fields.append(("journal", facts.paper or UNKNOWN_PAPER))
    fields.append(("entrysubtype", "newspaper"))
    if facts.date:
        fields.append(("year", str(facts.date.year)))
        if not facts.estimated:
            fields.append(("date", facts.date.isoformat()))
            fields.append(("month", str(facts.date.month)))
    if facts.page:
        fields.append(("pages", facts.page))
    fields.append(("url", facts.url))
    fields.append(("langid", "chinese"))
    if facts.notes:
        fields.append(("note", "；".join(facts.notes)))
    body = ",\n".join(
        f"  {name} = {{{value if name == 'url' else _bib(value)}}}" for name, value in fields
    )
    return f"@article{{parknews-{facts.public_id},\n{body}\n}}\n"


def ris(facts: Facts) -> str:
    """An RIS record of type NEWS (read by Zotero, EndNote, NoteExpress)."""
    lines = [("TY", "NEWS")]
    lines += [("AU", name) for name in facts.authors]
    lines.append(("TI", facts.title or "[无题]"))
    if facts.paper:
        lines.append(("T2", facts.paper))
    if facts.date:
        lines.append(("PY", str(facts.date.year)))
        if not facts.estimated:
            lines.append(("DA", facts.date.strftime("%Y/%m/%d/")))
    if facts.page:
        lines.append(("SP", facts.page))
    lines += [("UR", facts.url), ("LA", "zh"), ("DB", SITE_NAME), ("ID", facts.public_id)]
    lines += [("N1", note) for note in facts.notes]
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def highwire(facts: Facts) -> list[tuple[str, str]]:
    """`citation_*` meta tags (Highwire Press), as Google Scholar and Zotero read them."""
    tags = [("citation_title", facts.title or "[无题]")]
    tags += [("citation_author", name) for name in facts.authors]
    if facts.date:
        tags.append((
            "citation_publication_date",
            str(facts.date.year) if facts.estimated else facts.date.strftime("%Y/%m/%d"),
        ))
    if facts.paper:
        tags.append(("citation_journal_title", facts.paper))
    if facts.page:
        tags.append(("citation_firstpage", facts.page))
    tags += [("citation_language", "zh"), ("citation_fulltext_html_url", facts.url)]
    return tags


@dataclass(frozen=True)
class Citation:
    """Every form of one article's citation, for the page, the API and the downloads."""

    facts: Facts
    gbt7714: str
    gbt7714_html: SafeString
    apa: str
    apa_html: SafeString
    highwire: list[tuple[str, str]]

    @classmethod
    def of(cls, article: Article, url: str) -> Citation:
        facts = facts_for(article, url)
        apa_text, apa_html = apa(facts)
        gbt = gbt7714(facts)
        # The date and 版次 kept on one line: 2020-06-01(3) must not break at a hyphen.
        when = _gbt_date(facts) + (f"({facts.page})" if facts.page else "")
        head, _, tail = gbt.rpartition(when)
        gbt_html = format_html('{}<span class="nowrap">{}</span>{}', head, when, tail)
        return cls(facts, gbt, gbt_html, apa_text, apa_html, highwire(facts))

    def as_json(self, bibtex_url: str, ris_url: str) -> dict[str, object]:
        return {
            "gbt7714": self.gbt7714,
            "apa": self.apa,
            "bibtex_url": bibtex_url,
            "ris_url": ris_url,
            "notes": list(self.facts.notes),
        }
