"""Public ids of articles: what a permalink (`/articles/<public_id>/`) names.

An id is derived once, when the article is first stored, from what identifies it without
its position on the page: the page's key and the article's headline (or, for an untitled
fragment, the start of its text). It is then stored, and ingest's upsert keeps the row, so
the id stays when the page is re-ingested in a revised form (the article may change place
or wording), when the index is rebuilt (ids live in the database) and when the database
is dumped and loaded elsewhere (it is a column, unlike the auto-increment pk). Deriving it
rather than drawing it at random means a fresh archive ingested from the same files
hands out the same ids.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from archive.ingest.text import fold

if TYPE_CHECKING:
    from archive.models import Article

# No l, o, 0 or 1: an id read aloud or copied by hand is not misread.
ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
LETTERS = ALPHABET[:24]
LENGTH = 10
# A letter first, so an id never looks like the pk that /articles/<int>/ takes.
PATTERN = f"[{LETTERS}][{ALPHABET}]{{{LENGTH - 1}}}"
_VALID = re.compile(f"^{PATTERN}$")
BODY_CHARS = 60


def identity(source: str, title: str, body: str) -> str:
    """The text an article's id is derived from: page key and headline, not position."""
    title_key = "".join(ch for ch in fold(title) if ch.isalnum())
    if not title_key:
        title_key = "~" + "".join(ch for ch in fold(body) if ch.isalnum())[:BODY_CHARS]
    return f"{source}\n{title_key}"


def derive(identity_text: str, attempt: int = 0) -> str:
    """A 10-character id from the identity text; attempt > 0 after a collision."""
    salt = f"\n#{attempt}" if attempt else ""
    digest = int.from_bytes(hashlib.sha256((identity_text + salt).encode()).digest()[:8], "big")
    chars = [LETTERS[digest % len(LETTERS)]]
    digest //= len(LETTERS)
    for _ in range(LENGTH - 1):
        chars.append(ALPHABET[digest % len(ALPHABET)])
        digest //= len(ALPHABET)
    return "".join(chars)


def is_public_id(value: str) -> bool:
    return bool(_VALID.match(value))


def assign_public_id(article: Article) -> str:
    """A free id for an article being stored for the first time."""
    base = identity(article.page.source, article.title, article.body)
    taken = type(article).objects.exclude(pk=article.pk) if article.pk else type(article).objects
    for attempt in range(100):
        candidate = derive(base, attempt)
        if not taken.filter(public_id=candidate).exists():
            return candidate
    raise RuntimeError(f"no free public id for {base!r}")  # 100 collisions: never in practice


def assign_public_ids(articles: list[Article]) -> None:
    """Free ids for new articles stored together (a page's bulk insert): the same ids
    `assign_public_id` would give, in one query for the lot, none twice in the batch."""
    model = type(articles[0]) if articles else None
    if model is None:
        return
    bases = [identity(a.page.source, a.title, a.body) for a in articles]
    first = [derive(base) for base in bases]
    taken = set(model.objects.filter(public_id__in=first).values_list("public_id", flat=True))
    for article, base in zip(articles, bases, strict=True):
        if article.public_id:
            continue
        for attempt in range(100):
            candidate = derive(base, attempt)
            if candidate in taken:
                continue
            if attempt and model.objects.filter(public_id=candidate).exists():
                taken.add(candidate)
                continue
            article.public_id = candidate
            taken.add(candidate)
            break
        else:  # 100 collisions: never in practice
            raise RuntimeError(f"no free public id for {base!r}")


class PublicIdConverter:
    """URL converter for `<pid:public_id>`."""

    regex = PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
