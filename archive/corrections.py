"""Human corrections: recording what staff changed, and merging duplicate parks.

Every field a person changes is added to the row's `corrected_fields` (so re-ingest leaves
it alone) and written to the `Correction` audit trail with who, when, old and new value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction

from archive.models import Article, Correction, Figure, Park, ReviewState

# Changing these is reviewing, not correcting extraction: audited, not protected.
NOT_EXTRACTED = frozenset({"review_state", "corrected_fields", "deleted", "origin"})


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


@transaction.atomic
def merge_park(duplicate: Park, into: Park) -> list[int]:
    """Move everything of `duplicate` to `into`, keep its names as aliases, delete it.

    Returns the ids of the articles that changed (for re-indexing).
    """
    if duplicate.pk == into.pk:
        raise ValueError("a park cannot be merged into itself")
    touched = set(Article.objects.filter(park=duplicate).values_list("pk", flat=True))
    Article.objects.filter(park=duplicate).update(park=into)
    for article in Article.objects.filter(parks=duplicate):
        article.parks.remove(duplicate)
        article.parks.add(into)
        touched.add(article.pk)
    Figure.objects.filter(park=duplicate).update(park=into)
    names = [*into.alias_list, duplicate.name, duplicate.full_name, *duplicate.alias_list]
    own = {into.name, into.full_name, ""}
    into.aliases = "|".join(dict.fromkeys(n for n in names if n not in own))
    into.save(update_fields=["aliases"])
    duplicate.delete()
    return sorted(touched)
