"""Compare the search index with the database, and repair what differs.

    python manage.py check_index [--repair]

The database is the source of truth. Every public article must have exactly one index
document whose fingerprint matches what the article would be indexed as now; anything
else is missing, orphaned (no such article) or stale. With --repair, an index that cannot
be read or was built by older code is rebuilt, and otherwise only the differing articles
are re-indexed. Exits non-zero while the index and the database disagree. Works on the
Whoosh index and on Elasticsearch alike (`elasticsearch_backend.active()`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from haystack import connections

from archive.models import Article
from archive.search import elasticsearch_backend as es
from archive.search import writer
from archive.search.backend import SearchUnavailable, fingerprint, get_backend


@dataclass
class Comparison:
    articles: int = 0
    documents: int = 0
    missing: set[int] = field(default_factory=set)
    orphaned: set[int] = field(default_factory=set)
    stale: set[int] = field(default_factory=set)
    pending: int = 0
    unreadable: str = ""
    outdated: bool = False

    @property
    def differing(self) -> set[int]:
        return self.missing | self.orphaned | self.stale

    @property
    def consistent(self) -> bool:
        return not (self.differing or self.unreadable or self.outdated)

    def summary(self) -> str:
        if self.unreadable:
            return f"search index unreadable ({self.unreadable}); {self.articles} articles"
        text = (
            f"{self.articles} public articles, {self.documents} index documents: "
            f"{len(self.missing)} missing, {len(self.orphaned)} orphaned, "
            f"{len(self.stale)} stale, {self.pending} queued"
        )
        return text + (" (index built by older code)" if self.outdated else "")


def compare() -> Comparison:
    """What the index holds against what the database says it should."""
    index = connections["default"].get_unified_index().get_index(Article)
    cluster = es.active()
    backend = cluster if cluster is not None else get_backend()
    result = Comparison(pending=len(writer.pending_ids()))
    expected: dict[int, str] = {}
    for article in index.index_queryset().iterator(chunk_size=200):
        doc = {k: backend._from_python(v) for k, v in index.full_prepare(article).items()
               if k != "boost"}
        expected[article.pk] = fingerprint(doc)
    result.articles = len(expected)
    try:
        stored = _stored_fingerprints(cluster)
        result.outdated = backend.index_outdated()
    except SearchUnavailable as error:
        result.unreadable = str(error) or type(error).__name__
        return result
    result.documents = len(stored)
    result.missing = set(expected) - set(stored)
    result.orphaned = set(stored) - set(expected)
    result.stale = {pk for pk in set(expected) & set(stored) if expected[pk] != stored[pk]}
    return result


def _stored_fingerprints(cluster: es.ParkNewsElasticsearchBackend | None) -> dict[int, str]:
    """Article id → fingerprint of every document in the index."""
    if cluster is not None:
        return cluster.stored_fingerprints()
    return get_backend().read(
        lambda s: {
            int(f["django_id"]): f.get("fingerprint")
            for f in s.all_stored_fields()
            if f.get("django_id")
        }
    )


class Command(BaseCommand):
    help = "Compare the search index with the database; --repair re-indexes what differs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="fix what differs")

    def handle(self, *args: object, **options: object) -> None:
        before = compare()
        self.stdout.write(before.summary())
        if before.consistent:
            self.stdout.write(self.style.SUCCESS("the search index agrees with the database"))
            return
        if not options["repair"]:
            raise CommandError(
                "the search index differs from the database; run check_index --repair"
            )
        try:
            self._repair(before)
        except SearchUnavailable as error:
            raise CommandError(f"repair failed: {error}") from error
        after = compare()
        self.stdout.write(after.summary())
        if not after.consistent:
            raise CommandError("the index still differs from the database after the repair")
        self.stdout.write(self.style.SUCCESS("repaired: the search index agrees with the database"))

    def _repair(self, before: Comparison) -> None:
        if before.unreadable or before.outdated:
            self.stdout.write("rebuilding the whole index")
            call_command("rebuild_index", interactive=False, verbosity=0)
        else:
            self.stdout.write(f"re-indexing {len(before.differing)} articles")
            writer.sync_articles(before.differing, wait=120.0, strict=True)
