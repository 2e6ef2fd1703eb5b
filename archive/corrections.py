"""Human corrections: recording what staff changed, undoing it, showing it, merging parks.

Every field a person changes is added to the row's `corrected_fields` (so re-ingest leaves
it alone) and written to the `Correction` audit trail with who, when, old and new value.
A change is a change of meaning: values are compared as stored, after line endings are
normalised, so saving a form unchanged records nothing. Readers see what was corrected
(`article_notes`, `figure_notes`): the date and the value the page printed, never who.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from archive.models import Article, Correction, Figure, Page, Park, ParkMerge, ReviewState

# Changing these is reviewing, not correcting extraction: audited, not protected.
NOT_EXTRACTED = frozenset({"review_state", "corrected_fields", "deleted", "origin", "merge"})
# Audit rows readers are not shown: how staff triage, not what the archive says.
NOT_PUBLIC = frozenset({"review_state", "corrected_fields", "origin"})
# Pseudo-fields of the audit trail for whole rows.
ADDED, DELETED = "added", "deleted"
ROW_EVENTS = {ADDED: "新增", DELETED: "删除", "merge": "园区合并"}
# Lists shown one item a line, as the admin edits them; names never hold a newline.
LIST_SEPARATOR = "\n"


class RevertError(ValueError):
    """A correction that cannot be undone (its row is gone, or it was undone already)."""


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR (as browsers submit a textarea) → LF, as text is stored."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def display(value: Any) -> str:
    """A stored value as the audit trail keeps it (and `revert` reads it back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | models.QuerySet):
        return LIST_SEPARATOR.join(display(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return normalise_newlines(value)
    return str(value)


def field_label(correction: Correction) -> str:
    """The Chinese name of the field a row changed, as editors and readers read it."""
    if correction.field in ROW_EVENTS:
        return ROW_EVENTS[correction.field]
    if correction.figure_id:
        first: list[type[models.Model]] = [Figure]
    elif correction.article_id:
        first = [Article]
    else:
        first = [Page] if correction.page_id else []
    # A row whose article or figure is gone still names a field of one of them.
    for model in [*first, Article, Figure, Page]:
        try:
            return str(model._meta.get_field(correction.field).verbose_name)
        except Exception:
            continue
    return correction.field  # a field since removed from the models: its name is all we have


def value_label(correction: Correction, value: str) -> str:
    """A recorded value as people read it: a choice's name, not its code (待复核, not
    needs_review)."""
    model = Figure if correction.figure_id else Article
    try:
        choices = dict(model._meta.get_field(correction.field).flatchoices)
    except Exception:  # a pseudo-field (added, deleted) or one of a page
        return value
    return str(choices.get(value, value))


def subject_of(article: Article | None, figure: Figure | None, page: Page | None) -> str:
    if figure is not None:
        return f"数据 {figure}"[:255]
    if article is not None:
        return f"文章 {article}"[:255]
    return f"版面 {page}"[:255] if page is not None else ""


def _user(user: AbstractBaseUser | AnonymousUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def record_changes(
    article: Article | None,
    changes: Iterable[tuple[str, Any, Any]],
    user: AbstractBaseUser | AnonymousUser | None,
    figure: Figure | None = None,
    *,
    page: Page | None = None,
    reverts: Correction | None = None,
) -> list[str]:
    """Audit (field, old, new) changes of an article, one of its figures or a page, and
    protect the article's and figure's fields from re-ingest. Returns the fields recorded."""
    fields = []
    page = page or (article.page if article is not None else None)
    for field, old, new in changes:
        if display(old) == display(new):
            continue
        Correction.objects.create(
            article=article,
            figure=figure,
            page=page,
            subject=subject_of(article, figure, page if article is None else None),
            field=field,
            old_value=display(old),
            new_value=display(new),
            reverts=reverts,
            user=_user(user),
        )
        fields.append(field)
    target = figure or article
    protected = [f for f in fields if f not in NOT_EXTRACTED]
    if target is not None and protected:
        target.corrected_fields = sorted(set(target.corrected_fields) | set(protected))
        type(target).objects.filter(pk=target.pk).update(corrected_fields=target.corrected_fields)
    return fields


def record_deletion(
    obj: Article | Page, user: AbstractBaseUser | AnonymousUser | None
) -> Correction:
    """Audit the deletion of an article or a whole page, before it is deleted."""
    if isinstance(obj, Article):
        article, page = obj, obj.page
        before = f"{obj.page.source} 第{obj.ordinal}篇：{obj.title or '无标题'}"
    else:
        article, page = None, obj
        before = f"{obj.source}（{obj.articles.count()} 篇文章）"
    return Correction.objects.create(
        article=article,
        page=page,
        subject=subject_of(article, None, page if article is None else None),
        field=DELETED,
        old_value=before,
        new_value="",
        user=_user(user),
    )


def mark_reviewed(articles: Iterable[Article], user: AbstractBaseUser | AnonymousUser) -> int:
    count = 0
    for article in articles:
        if article.review_state == ReviewState.REVIEWED:
            continue
        record_changes(article, [("review_state", article.review_state, "reviewed")], user)
        Article.objects.filter(pk=article.pk).update(review_state=ReviewState.REVIEWED)
        count += 1
    return count


# --- figure positions after a body edit ---------------------------------------------------


def _position_map(old: str, new: str) -> list[tuple[int, int, int]]:
    """(old start, old end, shift) of the stretches the edit left as they were."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2, j1 - i1) for tag, i1, i2, j1, _ in matcher.get_opcodes() if tag == "equal"]


def moved_position(
    figure: Figure, old_body: str, new_body: str, unchanged: Sequence[tuple[int, int, int]]
) -> int | None:
    """Where the figure's number reads in the edited body, or None if it no longer does.

    The number's own characters, when the edit left them alone, move with the text around
    them; else the figure's quote is looked for and the number found inside it.
    """
    text = figure.value_text
    start = figure.position
    if text and old_body[start : start + len(text)] == text:
        for lo, hi, shift in unchanged:
            if lo <= start and start + len(text) <= hi:
                return start + shift
    if not (text and figure.quote):
        return None
    quote_at = new_body.find(figure.quote)
    if quote_at < 0 or text not in figure.quote:
        return None
    old_quote = old_body.find(figure.quote)
    inside = start - old_quote if 0 <= old_quote <= start else figure.quote.find(text)
    if figure.quote[inside : inside + len(text)] != text:
        inside = figure.quote.find(text)
    return quote_at + inside


def reanchor_figures(
    article: Article, old_body: str, figures: Iterable[Figure] | None = None
) -> int:
    """Move figure positions from old_body to the article's current body; returns how
    many moved. Figures whose number the edit removed keep their position (then they
    simply show no mark in the text: better none than one on the wrong words)."""
    new_body = article.body
    if old_body == new_body:
        return 0
    unchanged = _position_map(old_body, new_body)
    moved = 0
    targets = article.figures.all() if figures is None else figures
    for figure in targets:
        position = moved_position(figure, old_body, new_body, unchanged)
        if position is not None and position != figure.position:
            figure.position = position
            Figure.objects.filter(pk=figure.pk).update(position=position)
            moved += 1
    return moved


def place_new_figure(figure: Figure) -> None:
    """A figure a person adds gets the printed number and its place in the body when the
    body prints it (in the figure's quote, if any), so the article page can mark it."""
    value = figure.value
    text = figure.value_text or (str(int(value)) if float(value).is_integer() else str(value))
    body = figure.article.body
    quote_at = body.find(figure.quote) if figure.quote else -1
    at = body.find(text + figure.unit, max(quote_at, 0))
    if at >= 0 and (quote_at < 0 or at < quote_at + len(figure.quote)):
        figure.value_text, figure.position = text, at


# --- undoing a correction ---------------------------------------------------------------

ARTICLE_TEXT = frozenset({"kicker", "title", "subtitle", "section", "body"})
ARTICLE_LISTS = frozenset({"authors", "credits", "captions"})
FIGURE_NUMBERS = frozenset({"value", "value_max", "normalized_value"})


def _parse(model: type[models.Model], field: str, text: str) -> Any:
    """A value as the audit trail displayed it, back in the model's own type."""
    if field in ARTICLE_LISTS and model is Article:
        # Authors were once kept space-separated; no name holds a space.
        parts = text.split() if field == "authors" else text.split(LIST_SEPARATOR)
        return [p for p in parts if p]
    if field == "park":
        return _park_named(text) if text else None
    model_field = model._meta.get_field(field)
    if isinstance(model_field, models.BooleanField):
        return text in ("是", "True")
    if text == "" and model_field.null:
        return None
    if isinstance(model_field, models.DateField):
        return dt.date.fromisoformat(text)
    if isinstance(model_field, models.FloatField):
        return float(text)
    if isinstance(model_field, models.IntegerField):
        return int(text)
    return text


def _park_named(name: str) -> Park | None:
    """The park of that name, or the one it was merged into (its names are aliases)."""
    park = Park.objects.filter(name=name).first()
    if park is None:
        candidates = Park.objects.filter(aliases__contains=name)
        park = next((p for p in candidates if name in p.alias_list), None)
    return park


def _first_value(correction: Correction, field: str) -> str | None:
    """The value a field had before any person touched it (the oldest row's old value)."""
    if correction.figure_id:
        same = models.Q(figure_id=correction.figure_id)
    elif correction.article_id:
        same = models.Q(article_id=correction.article_id, figure__isnull=True)
    else:
        same = models.Q(page_id=correction.page_id, article__isnull=True)
    first = Correction.objects.filter(same, field=field).order_by("created_at", "pk").first()
    return first.old_value if first else None


@transaction.atomic
def revert(
    correction: Correction, user: AbstractBaseUser | AnonymousUser | None
) -> tuple[Correction, list[int]]:
    """Put back the value a correction replaced, audited as a new row that names it.

    A field back at the value extraction gave it is no longer protected, so the next
    re-ingest may improve it again. Returns the new row and the article ids to re-index.
    """
    if correction.reverted_by.exists():
        raise RevertError("这条修改已经撤销过了。")
    field, old = correction.field, correction.old_value
    if field == DELETED and correction.figure_id is None:
        raise RevertError("删除的文章或版面无法恢复。")
    if correction.figure_id:
        figure = Figure.objects.select_for_update().get(pk=correction.figure_id)
        article, target, page = figure.article, figure, None
    elif correction.article_id:
        article = Article.objects.select_for_update().get(pk=correction.article_id)
        target, figure, page = article, None, None
    elif correction.page_id:
        page = Page.objects.select_for_update().get(pk=correction.page_id)
        target, article, figure = page, None, None
    else:
        raise RevertError("这条修改所改的对象已被删除。")

    if field == ADDED:
        changes = [(DELETED, False, True)]
        Figure.objects.filter(pk=target.pk).update(deleted=True)
    elif field == DELETED:
        changes = [(DELETED, True, False)]
        Figure.objects.filter(pk=target.pk).update(deleted=False)
    elif field == "parks":
        before = list(article.parks.all())
        names = [n for n in old.split(LIST_SEPARATOR if LIST_SEPARATOR in old else " ") if n]
        article.parks.set(Park.objects.filter(name__in=names))
        changes = [(field, before, article.parks.all())]
    else:
        before = getattr(target, field)
        value = _parse(type(target), field, old)
        setattr(target, field, value)
        target.save(update_fields=[field])
        changes = [(field, before, value)]
        if isinstance(target, Figure) and field in ("value", "unit"):
            changes += _renormalise(target)

        if field == "body" and article is not None:
            reanchor_figures(article, before)
    rows = record_changes(article, changes, user, figure, page=page, reverts=correction)
    if not rows:
        raise RevertError("当前值已经是修改前的值，无需撤销。")
    _unprotect_originals(target, correction)
    new_row = Correction.objects.filter(reverts=correction).latest("pk")
    ids = [article.pk] if article is not None else list(page.articles.values_list("pk", flat=True))
    return new_row, ids


def _renormalise(figure: Figure) -> list[tuple[str, Any, Any]]:
    """A figure's value in its base unit follows its value and unit."""
    from archive.ingest.figures import normalise_unit

    before = (figure.normalized_value, figure.base_unit)
    figure.normalized_value, figure.base_unit = normalise_unit(figure.value, figure.unit)
    figure.save(update_fields=["normalized_value", "base_unit"])
    return [
        ("normalized_value", before[0], figure.normalized_value),
        ("base_unit", before[1], figure.base_unit),
    ]


def _unprotect_originals(target: models.Model, correction: Correction) -> None:
    """Fields back at the value extraction gave them are extraction's again."""
    protected = getattr(target, "corrected_fields", None)
    if not protected:
        return
    target.refresh_from_db()
    keep = []
    for field in target.corrected_fields:
        if field == "parks":
            current = display(target.parks.all())
        else:
            current = display(getattr(target, field, None))
        original = _first_value(correction, field)
        if original is not None and field == "parks":
            original = LIST_SEPARATOR.join(original.split())
        if original is None or current != original:
            keep.append(field)
    if keep != target.corrected_fields:
        type(target).objects.filter(pk=target.pk).update(corrected_fields=keep)


# --- what readers see --------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A corrected field as readers see it: what it is, when, and what the page printed."""

    field: str
    label: str
    original: str
    corrected_at: dt.datetime

    def as_json(self) -> dict[str, str]:
        return {
            "field": self.field,
            "label": self.label,
            "original": self.original,
            "corrected_at": self.corrected_at.isoformat(),
        }


def notes_from(rows: Iterable[Correction], protected: Iterable[str]) -> list[Note]:
    """One note per corrected field: its oldest old value and its latest change."""
    # An added row has no printed original: pages say 编辑补录 instead.
    wanted = set(protected) - {ADDED}
    first: dict[str, Correction] = {}
    last: dict[str, Correction] = {}
    for row in sorted(rows, key=lambda r: (r.created_at, r.pk)):
        if row.field in wanted:
            first.setdefault(row.field, row)
            last[row.field] = row
    return [
        Note(name, field_label(first[name]), first[name].old_value, last[name].created_at)
        for name in sorted(first)
    ]


def article_notes(article: Article, rows: Sequence[Correction] | None = None) -> list[Note]:
    """The article's own corrected fields (not its figures')."""
    rows = list(article.corrections.all()) if rows is None else rows
    return notes_from([r for r in rows if r.figure_id is None], article.corrected_fields)


def figure_notes(figures: Iterable[Figure]) -> dict[int, list[Note]]:
    """Figure id → notes, for the corrected ones among figures (one query)."""
    corrected = {f.pk: f for f in figures if f.corrected_fields}
    if not corrected:
        return {}
    rows: dict[int, list[Correction]] = {}
    for row in Correction.objects.filter(figure_id__in=list(corrected)):
        rows.setdefault(row.figure_id, []).append(row)
    return {
        pk: notes_from(rows.get(pk, []), figure.corrected_fields)
        for pk, figure in corrected.items()
    }


def attach_notes(figures: Iterable[Figure]) -> list[Figure]:
    """The figures, each with `.notes`: what readers are told of its corrections."""
    figures = list(figures)
    notes = figure_notes(figures)
    for figure in figures:
        figure.notes = notes.get(figure.pk, [])
    return figures


def public_history(rows: Iterable[Correction]) -> list[dict[str, Any]]:
    """The audit rows readers may see, oldest first, without who made them."""
    history = []
    for row in sorted(rows, key=lambda r: (r.created_at, r.pk)):
        if row.field in NOT_PUBLIC:
            continue
        history.append(
            {
                "field": row.field,
                "label": field_label(row),
                "figure_id": row.figure_id,
                "old_value": row.old_value,
                "new_value": row.new_value,
                "corrected_at": row.created_at.isoformat(),
                "reverts": row.reverts_id,
            }
        )
    return history


# --- parks --------------------------------------------------------------------------------


class MergeRefused(ValueError):
    """A merge that would lose something: the message says why."""


PARK_SNAPSHOT = (
    "name", "full_name", "slug", "province", "city", "approved_year", "aliases",
    "in_registry", "needs_review",
)  # fmt: skip


@transaction.atomic
def merge_park(
    duplicate: Park, into: Park, user: AbstractBaseUser | AnonymousUser | None = None
) -> tuple[ParkMerge, list[int]]:
    """Move everything of `duplicate` to `into`, keep its names as aliases, delete it.

    A registry zone is never merged away: it is a real zone, and its page would vanish.
    Every merge is written down (a `ParkMerge` with what moved, and a 修改记录 line on
    each article it changed) so that `undo_merge` can put it back. Returns the log entry
    and the ids of the articles that changed (for re-indexing).
    """
    if duplicate.pk == into.pk:
        raise MergeRefused("a park cannot be merged into itself")
    if duplicate.in_registry:
        raise MergeRefused(f"{duplicate.name} is a registry zone: it cannot be merged away")
    about = sorted(Article.objects.filter(park=duplicate).values_list("pk", flat=True))
    naming = sorted(Article.objects.filter(parks=duplicate).values_list("pk", flat=True))
    also_into = set(Article.objects.filter(parks=into, pk__in=naming).values_list("pk", flat=True))
    figures = sorted(Figure.objects.filter(park=duplicate).values_list("pk", flat=True))
    merge = ParkMerge.objects.create(
        into=into,
        into_name=into.name,
        duplicate_name=duplicate.name,
        duplicate={"pk": duplicate.pk, **{f: getattr(duplicate, f) for f in PARK_SNAPSHOT}},
        moved={
            "about": about,
            "naming": naming,
            "naming_into_already": sorted(also_into),
            "figures": figures,
            "into_aliases": into.aliases,
        },
        user=_user(user),
    )
    Article.objects.filter(pk__in=about).update(park=into)
    through = Article.parks.through
    through.objects.filter(park=duplicate).delete()
    through.objects.bulk_create(
        [through(article_id=pk, park_id=into.pk) for pk in naming if pk not in also_into]
    )
    Figure.objects.filter(pk__in=figures).update(park=into)
    names = [*into.alias_list, duplicate.name, duplicate.full_name, *duplicate.alias_list]
    own = {into.name, into.full_name, ""}
    into.aliases = "|".join(dict.fromkeys(n for n in names if n not in own))
    into.save(update_fields=["aliases"])
    touched = sorted(set(about) | set(naming))
    # Audited, not protected: a re-ingest may still link these articles anew.
    _record_merge_rows(touched, duplicate.name, into.name, user)
    duplicate.delete()
    return merge, touched


def _record_merge_rows(
    article_ids: list[int], old: str, new: str, user: AbstractBaseUser | AnonymousUser | None
) -> None:
    """A 修改记录 line on every article a merge (or its undo) moved."""
    articles = Article.objects.filter(pk__in=article_ids).select_related("page")
    Correction.objects.bulk_create(
        [
            Correction(article=a, page=a.page, subject=subject_of(a, None, None),
                       field="merge", old_value=old, new_value=new, user=_user(user))
            for a in articles
        ]
    )


@transaction.atomic
def undo_merge(merge: ParkMerge, user: AbstractBaseUser | AnonymousUser | None = None) -> list[int]:
    """Put a merged-away park back as it was and move back what the merge moved.

    Articles and figures a person or a re-ingest changed since keep their newer zone.
    Returns the ids of the articles that changed (for re-indexing).
    """
    merge = ParkMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeRefused(f"the merge of {merge.duplicate_name} was undone already")
    if merge.into is None:
        raise MergeRefused(
            f"{merge.into_name} was itself merged away since: undo that merge first"
        )
    fields = {f: merge.duplicate[f] for f in PARK_SNAPSHOT}
    taken = Park.objects.filter(models.Q(name=fields["name"]) | models.Q(slug=fields["slug"]))
    if taken.exists():
        raise MergeRefused(
            f"a park named {fields['name']} or with slug {fields['slug']} exists again"
        )
    pk = merge.duplicate["pk"]
    restored = Park.objects.create(
        **({"pk": pk} if not Park.objects.filter(pk=pk).exists() else {}), **fields
    )
    into, moved = merge.into, merge.moved
    about = list(
        Article.objects.filter(pk__in=moved["about"], park=into).values_list("pk", flat=True)
    )
    Article.objects.filter(pk__in=about).update(park=restored)
    through = Article.parks.through
    naming = list(
        through.objects.filter(article_id__in=moved["naming"], park=into)
        .values_list("article_id", flat=True)
    )
    through.objects.filter(
        article_id__in=[pk for pk in naming if pk not in set(moved["naming_into_already"])],
        park=into,
    ).delete()
    through.objects.bulk_create([through(article_id=pk, park=restored) for pk in naming])
    Figure.objects.filter(pk__in=moved["figures"], park=into).update(park=restored)
    into.aliases = moved["into_aliases"]
    into.save(update_fields=["aliases"])
    touched = sorted(set(about) | set(naming))
    _record_merge_rows(touched, into.name, restored.name, user)
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    return touched
