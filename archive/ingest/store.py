"""Step 7: store one processed page, atomically and idempotently.

The page's key is its path relative to the ingest root (`issue1/page01.txt`); a page
stored before keys had folders (under its bare file name) is found by its text and takes
the new key. Unchanged text (same hash, same pipeline version) is
skipped; changed text updates the page in place. Articles are matched to their stored
selves by title, else by position, and a field a person corrected in admin
(`corrected_fields`) is never overwritten; figures a person deleted stay deleted and
figures a person added stay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from archive.models import Article, Figure, Page, Park, ReviewState
from archive.permalinks import assign_public_ids
from archive.registry import unique_park_slug
from archive.signals import queue_articles

from .issue import IssueMeta
from .issue_store import apply_issue, date_set_by_hand
from .read import RawPage
from .text import fold
from .types import ArticleDraft, FigureDraft, ParkEntry

ARTICLE_FIELDS = (
    "dateline",
    "kicker",
    "title",
    "subtitle",
    "section",
    "authors",
    "body",
    "credits",
    "captions",
    "spans",
    "starts_mid_sentence",
    "ends_mid_sentence",
    "has_fragment",
)
FIGURE_FIELDS = (
    "label",
    "value",
    "value_max",
    "value_text",
    "unit",
    "normalized_value",
    "base_unit",
    "qualifier",
    "printed",
    "status",
    "year",
    "quote",
    "position",
)
# A person who corrects what a figure says corrects how it reads too: these go together.
FIGURE_FIELDS_TOGETHER = frozenset(
    {"value", "value_max", "value_text", "unit", "qualifier", "printed", "normalized_value",
     "base_unit"}
)  # fmt: skip
# Far above any real ordinal: lets stored articles be renumbered without clashing.
ORDINAL_SHIFT = 100_000


@dataclass
class StoreResult:
    page_status: str  # "new", "updated" or "unchanged"
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    figures: int = 0


def registry_entries() -> list[ParkEntry]:
    """The park registry as the linker wants it, from the database."""
    return [
        ParkEntry(p.name, p.full_name, tuple(p.alias_list), p.province, p.city)
        for p in Park.objects.all()
    ]


def stored_unchanged(raw: RawPage, pipeline_version: int) -> StoreResult | None:
    """The result of storing raw when the same text was already stored the same way."""
    page = Page.objects.filter(
        source=raw.source, content_hash=raw.content_hash, pipeline_version=pipeline_version
    ).first()
    if page is None:
        # Perhaps stored under its bare file name: store_page finds and re-keys it.
        return None
    return StoreResult("unchanged", articles_unchanged=page.articles.count())


def store_page(
    raw: RawPage,
    drafts: list[ArticleDraft],
    *,
    pipeline_version: int,
    issue_date: dt.date | None,
    issue_date_estimated: bool,
    issue: IssueMeta | None = None,
) -> StoreResult:
    """Write one page and its articles; all or nothing.

    Two processes storing the same new page at once: the second one's INSERT waits for
    the first to commit (PostgreSQL) and fails on the unique key; it then stores again,
    now finding the page, and changes nothing when the text is the same.
    """
    try:
        return _store_page_once(
            raw, drafts, pipeline_version, issue_date, issue_date_estimated, issue
        )
    except IntegrityError:
        if not Page.objects.filter(source=raw.source).exists():
            raise
    return _store_page_once(raw, drafts, pipeline_version, issue_date, issue_date_estimated, issue)


def _stored_page(raw: RawPage) -> Page | None:
    """The stored page for raw's key, locked; or a page stored before keys had folders
    (under the bare file name) with the very same text, which then takes the new key."""
    page = Page.objects.select_for_update().filter(source=raw.source).first()
    name = raw.source.rsplit("/", 1)[-1]
    if page is None and name != raw.source:
        page = (
            Page.objects.select_for_update()
            .filter(source=name, content_hash=raw.content_hash)
            .first()
        )
        if page is not None:
            page.source = raw.source
            page.save(update_fields=["source"])
    return page


def _store_page_once(
    raw: RawPage,
    drafts: list[ArticleDraft],
    pipeline_version: int,
    issue_date: dt.date | None,
    issue_date_estimated: bool,
    issue: IssueMeta | None = None,
) -> StoreResult:
    with transaction.atomic():
        page = _stored_page(raw)
        if (
            page
            and page.content_hash == raw.content_hash
            and (page.pipeline_version == pipeline_version)
        ):
            return StoreResult("unchanged", articles_unchanged=page.articles.count())
        result = StoreResult("updated" if page else "new")
        page = page or Page(source=raw.source)
        page.content_hash = raw.content_hash
        page.pipeline_version = pipeline_version
        page.raw_text = raw.text
        page.encoding = raw.encoding
        # A date a person set in admin stands until they undo it.
        date = None if date_set_by_hand(page) else issue_date
        apply_issue(page, date, issue_date_estimated, issue or IssueMeta())
        page.save()
        _store_articles(page, drafts, result)
    return result


def _title_key(title: str) -> str:
    return "".join(ch for ch in fold(title) if ch.isalnum())


def _match_articles(page: Page, drafts: list[ArticleDraft]) -> dict[int, Article]:
    """Stored article for each draft ordinal: same title first, else same position."""
    stored = list(page.articles.all())
    by_title: dict[str, Article] = {}
    for article in stored:
        by_title.setdefault(_title_key(article.title), article)
    matched: dict[int, Article] = {}
    used: set[int] = set()
    for draft in drafts:
        article = by_title.get(_title_key(draft.title)) if draft.title else None
        if article and article.pk not in used:
            matched[draft.ordinal] = article
            used.add(article.pk)
    for draft in drafts:
        if draft.ordinal in matched:
            continue
        article = next((a for a in stored if a.ordinal == draft.ordinal and a.pk not in used), None)
        if article:
            matched[draft.ordinal] = article
            used.add(article.pk)
    return matched


def _store_articles(page: Page, drafts: list[ArticleDraft], result: StoreResult) -> None:
    matched = _match_articles(page, drafts)
    kept_ids = {a.pk for a in matched.values()}
    for article in page.articles.exclude(pk__in=kept_ids):
        if article.corrected_fields:
            # A person worked on it: keep it, out of the way, for review.
            article.ordinal += ORDINAL_SHIFT
            article.review_state = ReviewState.NEEDS_REVIEW
            article.save(update_fields=["ordinal", "review_state"])
        else:
            article.delete()
    for article in matched.values():
        if article.ordinal < ORDINAL_SHIFT:
            Article.objects.filter(pk=article.pk).update(ordinal=article.ordinal + ORDINAL_SHIFT)
    parks = _ParkResolver()
    for draft in drafts:
        existing = matched.get(draft.ordinal)
        if existing is None:
            continue
        _saved, changed = _store_article(page, existing, draft, parks)
        if changed:
            result.articles_updated += 1
        else:
            result.articles_unchanged += 1
    new = [draft for draft in drafts if draft.ordinal not in matched]
    _create_articles(page, new, parks)
    result.articles_new += len(new)
    result.figures += sum(len(draft.figures) for draft in drafts)


def _create_articles(page: Page, drafts: list[ArticleDraft], parks: _ParkResolver) -> None:
    """Insert new articles, their zone links and figures, a few INSERTs in all: one
    save per row made a page of 1,400 articles cost 10,000 queries."""
    if not drafts:
        return
    articles = []
    for draft in drafts:
        article = Article(page=page, ordinal=draft.ordinal, park=parks.get(draft.park))
        for name in ARTICLE_FIELDS:
            setattr(article, name, _draft_value(draft, name))
        article.review_state = _review_state(article, draft)
        articles.append(article)
    assign_public_ids(articles)  # bulk_create calls no save(), where single rows get theirs
    Article.objects.bulk_create(articles)
    if any(article.pk is None for article in articles):  # a database without RETURNING
        ids = dict(page.articles.values_list("ordinal", "pk"))
        for article in articles:
            article.pk = ids[article.ordinal]
    # bulk_create sends no post_save: queue the index writes a save would have.
    queue_articles([article.pk for article in articles])
    through = Article.parks.through
    links = []
    for article, draft in zip(articles, drafts, strict=True):
        wanted = dict.fromkeys(p.pk for p in map(parks.get, draft.parks) if p)
        links += [through(article_id=article.pk, park_id=pk) for pk in wanted]
    through.objects.bulk_create(links)
    figures: list[Figure] = []
    for article, draft in zip(articles, drafts, strict=True):
        figures += _new_figures(article, draft.figures, parks)
    Figure.objects.bulk_create(figures, batch_size=2000)


def _new_figures(article: Article, drafts: list[FigureDraft], parks: _ParkResolver) -> list[Figure]:
    """Unsaved figure rows for a new article, one per extraction key."""
    figures: dict[str, Figure] = {}
    for draft in drafts:
        key = figure_key(draft)
        if key in figures:
            continue
        figure = Figure(article=article, extraction_key=key, park=parks.get(draft.park))
        for name in FIGURE_FIELDS:
            setattr(figure, name, draft.start if name == "position" else getattr(draft, name))
        figures[key] = figure
    return list(figures.values())


def _store_article(
    page: Page, article: Article | None, draft: ArticleDraft, parks: _ParkResolver
) -> tuple[Article, bool]:
    """Create or update one article; also says whether anything stored changed."""
    is_new = article is None
    article = article or Article(page=page)
    protected = set(article.corrected_fields)
    before = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    before_park = article.park_id
    for name in ARTICLE_FIELDS:
        if name not in protected:
            setattr(article, name, _draft_value(draft, name))
    if "park" not in protected:
        article.park = parks.get(draft.park)
    article.ordinal = draft.ordinal
    changed = (
        is_new
        or before != {n: getattr(article, n) for n in ARTICLE_FIELDS}
        or (before_park != article.park_id)
    )
    if changed and article.review_state != ReviewState.REVIEWED:
        article.review_state = _review_state(article, draft)
    article.save()
    if "parks" not in protected:
        mentioned = [parks.get(name) for name in draft.parks]
        wanted = {p.pk for p in mentioned if p}
        # A new article has no links and no figures yet: asking costs a query each.
        if is_new:
            if wanted:
                article.parks.add(*wanted)
        elif wanted != set(article.parks.values_list("pk", flat=True)):
            article.parks.set(wanted)
            changed = True
    if _store_figures(article, draft.figures, parks, is_new):
        changed = True
    if "body" in protected and article.body != draft.body:
        # Figure positions were read off extraction's body; the stored one is a person's.
        from archive.corrections import reanchor_figures

        extracted = article.figures.filter(origin=Figure.Origin.EXTRACTED, deleted=False)
        reanchor_figures(article, draft.body, extracted)
    return article, changed


def _draft_value(draft: ArticleDraft, name: str) -> object:
    if name == "body":
        return draft.body
    if name == "spans":
        return [list(span) for span in draft.spans]
    return getattr(draft, name)


def _review_state(article: Article, draft: ArticleDraft) -> str:
    unsure = (
        article.park is None
        or not article.park.in_registry
        or draft.starts_mid_sentence
        or draft.ends_mid_sentence
        or draft.has_fragment
        or any(not f.label for f in draft.figures)
    )
    return ReviewState.NEEDS_REVIEW if unsure else ReviewState.OK


def figure_key(figure: FigureDraft) -> str:
    """Same number, unit and sentence → the same figure across re-ingests."""
    raw = f"{figure.value_text}|{figure.unit}|{fold(figure.quote)}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def _store_figures(
    article: Article, drafts: list[FigureDraft], parks: _ParkResolver, is_new: bool
) -> bool:
    """Replace the extracted figures, keeping what people added, changed or deleted."""
    extracted = article.figures.filter(origin=Figure.Origin.EXTRACTED).order_by()
    stored = {} if is_new else {f.extraction_key: f for f in extracted}
    changed = False
    # New figures go in one INSERT; the article's own save already queued its re-index.
    created: list[Figure] = []
    seen: set[str] = set()
    for draft in drafts:
        key = figure_key(draft)
        if key in seen:
            continue
        seen.add(key)
        figure = stored.get(key) or Figure(article=article, extraction_key=key)
        if figure.deleted:
            continue
        protected = set(figure.corrected_fields)
        if protected & FIGURE_FIELDS_TOGETHER:
            protected |= FIGURE_FIELDS_TOGETHER
        before = {name: getattr(figure, name) for name in FIGURE_FIELDS}
        before_park = figure.park_id
        for name in FIGURE_FIELDS:
            if name not in protected:
                setattr(figure, name, draft.start if name == "position" else getattr(draft, name))
        if "park" not in protected:
            figure.park = parks.get(draft.park)
        if figure.pk is None:
            created.append(figure)
            changed = True
        elif before != {n: getattr(figure, n) for n in FIGURE_FIELDS} or (
            before_park != figure.park_id
        ):
            figure.save()
            changed = True
    Figure.objects.bulk_create(created)
    stale = [
        f.pk
        for key, f in stored.items()
        if key not in seen and not f.corrected_fields and not f.deleted
    ]
    if stale:
        Figure.objects.filter(pk__in=stale).delete()
        changed = True
    return changed


class _ParkResolver:
    """Park rows by name, creating (flagged) the zones the registry lacks."""

    def __init__(self) -> None:
        self.cache: dict[str, Park] = {}

    def get(self, name: str | None) -> Park | None:
        if not name:
            return None
        if name not in self.cache:
            park = Park.objects.filter(name=name).first() or _create_unknown_park(name)
            self.cache[name] = park
        return self.cache[name]


def _create_unknown_park(name: str) -> Park:
    return Park.objects.create(
        name=name, slug=unique_park_slug(Park, name), in_registry=False, needs_review=True
    )
