"""Store a page's issue metadata (newspaper, date and its source, page label) on its row.

A date is replaced only by one at least as trusted: given (by the person ingesting) over
printed (read from a header) over estimated (from the text), so re-ingesting a page
without its options keeps what was given before. A newspaper or page label is only ever
set, never cleared, by ingest: a page ingested again without them keeps them; a page
number read from a header only fills a blank label.
"""

from __future__ import annotations

import datetime as dt

from pypinyin import lazy_pinyin

from archive.models import DateSource, Newspaper, Page

from .issue import IssueMeta

TRUST = {DateSource.GIVEN: 3, DateSource.PRINTED: 2, DateSource.ESTIMATED: 1, "": 0}


def date_set_by_hand(page: Page) -> bool:
    """Whether a person set the page's issue date in admin (and has not undone it)."""
    if page.pk is None:
        return False
    return page.corrections.filter(
        article__isnull=True,
        field__in=("issue_date", "issue_date_estimated"),
        reverts__isnull=True,
        reverted_by__isnull=True,
    ).exists()


def apply_issue(
    page: Page, date: dt.date | None, estimated: bool, meta: IssueMeta
) -> bool:
    """Set what meta and the date say on page (not saved); True when anything changed."""
    before = (page.issue_date, page.date_source, page.newspaper_id, page.page_label)
    source = DateSource.ESTIMATED if estimated else (meta.date_source or DateSource.GIVEN)
    stored = page.known_date_source
    if date and TRUST[source] >= TRUST[stored]:
        page.issue_date = date
        page.date_source = source
        page.issue_date_estimated = source == DateSource.ESTIMATED
    if meta.paper:
        page.newspaper = newspaper_named(meta.paper)
    if meta.page_label and not (meta.label_printed and page.page_label):
        page.page_label = meta.page_label
        page.page_number = meta.page_number
    return before != (page.issue_date, page.date_source, page.newspaper_id, page.page_label)


def update_stored_issue(source: str, meta: IssueMeta) -> bool:
    """Give an already stored page the metadata an ingest of unchanged text brought."""
    if not (meta.paper or meta.date or meta.page_label):
        return False
    page = Page.objects.filter(source=source).first()
    if page is None:
        return False
    date = None if date_set_by_hand(page) else meta.date
    if not apply_issue(page, date, False, meta):
        return False
    page.save()
    return True


def newspaper_named(title: str) -> Newspaper:
    """The newspaper with this title, created on first sight."""
    paper = Newspaper.objects.filter(title=title).first()
    if paper is None:
        paper = Newspaper.objects.create(title=title, slug=unique_paper_slug(title))
    return paper


def unique_paper_slug(title: str) -> str:
    """`中国高新技术产业导报` → `zhongguogaoxinjishuchanyedaobao` (pinyin), unique."""
    words = lazy_pinyin(title, errors=lambda chars: [c for c in chars if c.isalnum()])
    letters = "".join(ch for ch in "".join(words).lower() if ch.isascii() and ch.isalnum())
    base = letters[:56] or "paper"
    slug, n = base, 2
    while Newspaper.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
