"""Human corrections: recording what staff changed, and merging duplicate parks.

Every field a person changes is added to the row's `corrected_fields` (so re-ingest leaves
it alone) and written to the `Correction` audit trail with who, when, old and new value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from archive.models import Article, Correction, Figure, Park, ParkMerge, ReviewState

# Changing these is reviewing, not correcting extraction: audited, not protected.
NOT_EXTRACTED = frozenset({"review_state", "corrected_fields", "deleted", "origin", "merge"})


def display(value: Any) -> str:
    """A stored value as the audit trail shows it."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | models.QuerySet):
        return " ".join(display(v) for v in value)
    return str(value)


def _user(user: AbstractBaseUser | AnonymousUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def record_changes(
    article: Article,
    changes: Iterable[tuple[str, Any, Any]],
    user: AbstractBaseUser | AnonymousUser | None,
    figure: Figure | None = None,
) -> list[str]:
    """Audit (field, old, new) changes of an article or one of its figures; protect them
    from re-ingest. Returns the fields recorded."""
    fields = []
    target = figure or article
    for field, old, new in changes:
        if display(old) == display(new):
            continue
        Correction.objects.create(
            article=article,
            figure=figure,
            field=field,
            old_value=display(old),
            new_value=display(new),
            user=_user(user),
        )
        fields.append(field)
    protected = [f for f in fields if f not in NOT_EXTRACTED]
    if protected:
        target.corrected_fields = sorted(set(target.corrected_fields) | set(protected))
        type(target).objects.filter(pk=target.pk).update(corrected_fields=target.corrected_fields)
    return fields


def mark_reviewed(articles: Iterable[Article], user: AbstractBaseUser | AnonymousUser) -> int:
    count = 0
    for article in articles:
        if article.review_state == ReviewState.REVIEWED:
            continue
        record_changes(article, [("review_state", article.review_state, "reviewed")], user)
        Article.objects.filter(pk=article.pk).update(review_state=ReviewState.REVIEWED)
        count += 1
    return count


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
    Correction.objects.bulk_create(
        [
            Correction(article_id=pk, field="merge", old_value=duplicate.name,
                       new_value=into.name, user=_user(user))
            for pk in touched
        ]
    )
    duplicate.delete()
    return merge, touched


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
    Correction.objects.bulk_create(
        [
            Correction(article_id=pk, field="merge", old_value=into.name,
                       new_value=restored.name, user=_user(user))
            for pk in touched
        ]
    )
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    return touched
