"""haystack's Whoosh backend, made right for Chinese text and for several processes.

What differs from haystack's WhooshSearchBackend, and why:

* Schema: gram and word fields get their analyzers (`analysis.py`); facet fields stay
  whole (ID, comma-separated KEYWORD, NUMERIC) instead of being tokenised and lower-cased;
  a stored `fingerprint` of each document lets a re-sync skip what did not change.
* Writes: one writer at a time (`locking.py`), waiting for the lock instead of failing with
  LockError; a failed remove raises instead of being logged and forgotten; clearing the
  index commits an empty generation in place (readers keep their snapshot) instead of
  deleting the directory under them.
* Reads: `read()` runs a function on a searcher that is refreshed when the index changed
  and retried when a concurrent commit pulls a file away; `*` parses to match-all, so
  `SearchQuerySet().all()`, facet browsing and `count()` work; `highlight()` uses the
  same analysis as the index (`highlight.py`) instead of an English analyzer.
* The schema's signature is kept beside the index, so an index built by older code is
  reported (healthz) instead of answering wrongly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from haystack.fields import FacetField
from haystack.utils import get_identifier, get_model_ct
from whoosh import query as wq
from whoosh.fields import DATETIME, KEYWORD, NUMERIC, Schema
from whoosh.fields import ID as WHOOSH_ID
from whoosh.index import LockError
from whoosh.qparser import FuzzyTermPlugin, QueryParser
from whoosh.searching import Searcher
from whoosh.writing import CLEAR

from archive.search import analysis, generations, variants
from archive.search.facets import FACETS
from archive.search.locking import index_write_lock
from archive.search.whoosh_adapter import OpenSegments, commit_with_segments, open_searcher
from archive.search.whoosh_bulk import (
    BulkSegmentWriter,
    GramText,
    WordText,
    chunked,
    merge_tiers,
    write_segments,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

# Bump when analysis changes in a way that needs the index rebuilt (3: spelling tables
# beside each segment; 4: traditional characters folded to simplified, `variants.py`; the
# OpenCC release is in the signature).
SCHEMA_VERSION = 4
SIGNATURE_FILE = "parknews-schema.txt"
FINGERPRINT = "fingerprint"
# A writer waits this long for the lock (a bulk re-index holds it for a while).
WRITE_WAIT_SECONDS = 30.0
READ_ATTEMPTS = 4
# A write of this many documents or more is analysed by several processes at once (a
# rebuild, a large ingest), each writing segments of at most settings.SEARCH_SEGMENT_DOCS
# (`_segment_docs`).
PARALLEL_MIN_DOCS = 200
# Whole-value fields the search reads per segment as arrays (facets, dates).
SIDECAR_FIELDS = frozenset({f.field for f in FACETS} | {"issue_date"})
MATCH_ALL = frozenset({"*", "*:*", "(*)"})


def _processes() -> int:
    from django.conf import settings

    return max(1, getattr(settings, "SEARCH_INDEX_PROCESSES", 1))


def _segment_docs() -> int:
    from django.conf import settings

    return settings.SEARCH_SEGMENT_DOCS


class SearchUnavailable(Exception):
    """The index did not answer (after retries)."""


@dataclass
class WriteReport:
    written: int = 0
    removed: int = 0
    unchanged: int = 0


class _Parser(QueryParser):
    """Whoosh's parser, except that `*` alone means every document (haystack's
    match-all), which a Chinese analyzer would otherwise turn into a null query."""

    def parse(self, text: str, normalize: bool = True, debug: bool = False) -> wq.Query:
        if text.strip() in MATCH_ALL:
            return wq.Every()
        return super().parse(text, normalize=normalize, debug=debug)


def fingerprint(doc: dict[str, Any]) -> str:
    blob = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


class ParkNewsWhooshBackend(WhooshSearchBackend):
    def __init__(self, connection_alias: str, **connection_options: Any) -> None:
        super().__init__(connection_alias, **connection_options)
        self.schema_outdated = False
        self._searcher: Searcher | None = None
        self.live = self.path
        # This thread's searcher keeps the files of a bounded number of segments open.
        self._open_segments = OpenSegments()

    # Schema.

    def setup(self) -> None:
        # The configured path may be a link to the live generation (`generations.py`):
        # open the directory it names now, and notice when it names another.
        link = self.path
        self.live = generations.live_dir(link) if self.use_file_storage else link
        self.path = self.live
        try:
            super().setup()
        finally:
            self.path = link
        self.parser = _Parser(self.content_field_name, schema=self.schema)
        self.parser.add_plugins([FuzzyTermPlugin])
        self._check_signature()

    def build_schema(self, fields: dict[str, Any]) -> tuple[str, Schema]:
        schema_fields: dict[str, Any] = {
            ID: WHOOSH_ID(stored=True, unique=True),
            DJANGO_CT: WHOOSH_ID(stored=True),
            DJANGO_ID: WHOOSH_ID(stored=True),
            FINGERPRINT: WHOOSH_ID(stored=True),
        }
        content_field_name = ""
        for field in fields.values():
            schema_fields[field.index_fieldname] = self._whoosh_field(field)
            if field.document:
                content_field_name = field.index_fieldname
        if not content_field_name:
            raise SearchBackendError("No document=True field in the search indexes.")
        return content_field_name, Schema(**schema_fields)

    @staticmethod
    def _whoosh_field(field: Any) -> Any:
        if field.field_type == "grams":
            # A multi-token query string is the phrase of its grams: a substring match.
            return GramText(
                analyzer=analysis.GramAnalyzer(),
                stored=False,
                field_boost=field.boost,
                multitoken_query="phrase",
            )
        if field.field_type == "words":
            return WordText(
                analyzer=analysis.WordAnalyzer(), stored=False, field_boost=field.boost
            )
        if field.is_multivalued:
            return KEYWORD(stored=True, commas=True, lowercase=False, scorable=False)
        if field.field_type in ("date", "datetime"):
            return DATETIME(stored=True, sortable=True)
        if field.field_type == "integer":
            return NUMERIC(stored=True, numtype=int, sortable=True)
        if isinstance(field, FacetField) or field.field_type == "string":
            return WHOOSH_ID(stored=field.stored)
        raise SearchBackendError(f"{field.index_fieldname}: field type {field.field_type!r}")

    def schema_signature(self) -> str:
        parts = [f"v{SCHEMA_VERSION}", f"opencc{variants.version()}"]
        for name, field in sorted(self.schema.items()):
            analyzer = getattr(field, "analyzer", None)
            parts.append(f"{name}:{type(field).__name__}:{type(analyzer).__name__}")
        return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]

    def index_outdated(self) -> bool:
        """Whether the index on disk was built by older code (re-checked until it is
        not, so a rebuild by another process clears it)."""
        if not self.setup_complete:
            self.setup()
        if self.schema_outdated:
            self._check_signature()
        return self.schema_outdated

    def _signature_path(self) -> Path:
        return Path(self.live) / SIGNATURE_FILE

    def follow_swap(self) -> None:
        """Reopen the index if a rebuild swapped a new generation in since we opened it."""
        if self.setup_complete and self.use_file_storage and (
                generations.live_dir(self.path) != self.live):
            self._drop_searcher()
            self.setup_complete = False
        if not self.setup_complete:
            self.setup()

    def _check_signature(self) -> None:
        if not self.use_file_storage:
            return
        path = self._signature_path()
        signature = self.schema_signature()
        if self.index.doc_count_all() == 0:  # from the table of contents: no reader
            if not path.exists() or path.read_text().strip() != signature:
                path.write_text(signature + "\n")
            self.schema_outdated = False
        else:
            self.schema_outdated = not path.exists() or path.read_text().strip() != signature
        if self.schema_outdated:
            log.warning("search index at %s was built by older code: run rebuild_index", self.path)

    # Writes.

    def update(self, index: Any, iterable: Iterable[Any], commit: bool = True) -> None:
        self.apply(index, iterable, (), skip_unchanged=False)

    def remove(self, obj_or_string: Any, commit: bool = True) -> None:
        """Remove one document; raises when it cannot (haystack's logs and carries on)."""
        self.apply(None, (), [get_identifier(obj_or_string)])

    def clear(self, models: Sequence[type] | None = None, commit: bool = True) -> None:
        if models is None:
            # Clearing everything must also work on an index too damaged to open.
            with self._write_lock():
                try:
                    self.follow_swap()
                    self._writer().cancel()
                except LockError:
                    raise
                except Exception as error:
                    log.warning("search index unreadable (%s): recreating it empty", error)
                    self._recreate_empty()
        with self._write_lock():
            self.follow_swap()
            writer = self._writer()
            try:
                if models is None:
                    writer.commit(mergetype=CLEAR)
                else:
                    for model in models:
                        writer.delete_by_term(DJANGO_CT, get_model_ct(model))
                    writer.commit()
            except BaseException:
                writer.cancel()
                raise
            if models is None and self.use_file_storage:
                self._signature_path().write_text(self.schema_signature() + "\n")
                self.schema_outdated = False
        self._drop_searcher()

    def _recreate_empty(self) -> None:
        """Delete the index's files and start a new, empty index in their place."""
        if self.use_file_storage:
            for path in Path(self.path).iterdir():
                if path.is_file():
                    path.unlink()
        self.setup_complete = False
        self.setup()
        self._drop_searcher()

    def apply(
        self,
        index: Any,
        objects: Iterable[Any],
        remove_ids: Iterable[str],
        *,
        skip_unchanged: bool = True,
    ) -> WriteReport:
        """Write `objects` and delete `remove_ids` in one commit, under the write lock.

        With skip_unchanged, documents whose fingerprint is already in the index and
        removals of documents that are not there cost no commit."""
        if not self.setup_complete:
            self.setup()
        remove = list(remove_ids)
        objects = list(objects)
        if not skip_unchanged and len(objects) >= PARALLEL_MIN_DOCS:
            return self._retrying(lambda: self._commit_streamed(index, objects, remove))
        docs = self._prepare(index, objects, remove)
        return self._retrying(lambda: self._commit(docs, remove, skip_unchanged))

    def _prepare(self, index: Any, objects: Sequence[Any], skipped: list[str]) -> list[dict]:
        """Index documents of the objects; objects the index skips go to `skipped`."""
        docs = []
        for obj in objects:
            try:
                doc = index.full_prepare(obj)
            except SkipDocument:
                skipped.append(get_identifier(obj))
                continue
            doc = {k: self._from_python(v) for k, v in doc.items() if k != "boost"}
            doc[FINGERPRINT] = fingerprint(doc)
            docs.append(doc)
        return docs

    @staticmethod
    def _retrying(commit: Callable[[], WriteReport]) -> WriteReport:
        for attempt in range(3):
            try:
                return commit()
            except LockError:
                # Only a writer that bypasses our lock (another tool) gets here.
                if attempt == 2:
                    raise
                time.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")

    def _commit(self, docs: list[dict[str, Any]], remove: list[str], skip: bool) -> WriteReport:
        report = WriteReport()
        with self._write_lock():
            self.follow_swap()
            self.index = self.index.refresh()
            if skip:
                with self.index.searcher() as searcher:
                    fresh = []
                    for doc in docs:
                        stored = searcher.document(id=doc[ID])
                        if stored and stored.get(FINGERPRINT) == doc[FINGERPRINT]:
                            report.unchanged += 1
                        else:
                            fresh.append(doc)
                    docs = fresh
                    remove = [i for i in remove if searcher.document_number(id=i) is not None]
            if not docs and not remove:
                return report
            if len(docs) >= PARALLEL_MIN_DOCS:
                self._add_segments(
                    chunked(docs, _processes(), _segment_docs()), remove)
            else:
                writer = self._writer()
                try:
                    writer.delete_terms(ID, [doc[ID] for doc in docs] + remove)
                    for doc in docs:
                        writer.add_document(**doc)
                    writer.commit(mergetype=merge_tiers)
                except BaseException:
                    writer.cancel()
                    raise
        report.written, report.removed = len(docs), len(remove)
        return report

    def _commit_streamed(self, index: Any, objects: list[Any], remove: list[str]) -> WriteReport:
        """A large write without the fingerprint check (a rebuild): each chunk of objects
        is prepared while the workers index the chunks before it."""
        skipped: list[str] = []
        with self._write_lock():
            self.follow_swap()
            self.index = self.index.refresh()
            chunks = (self._prepare(index, chunk, skipped) for chunk in
                      chunked(objects, _processes(), _segment_docs()))
            # `skipped` fills as the chunks are prepared, before the commit reads it.
            written = self._add_segments(chunks, remove, skipped)
        return WriteReport(written=written, removed=len(remove) + len(skipped))

    def _add_segments(self, chunks: Iterable[list[dict[str, Any]]],
                      *removed: list[str]) -> int:
        """Write the chunks as new segments (parallel workers), then in one commit delete
        the old versions of their documents and the `removed` ids and add the segments.
        Returns how many documents were written."""
        segments, ids = write_segments(self.index, chunks, _processes(), ID, SIDECAR_FIELDS)
        writer = self._writer()
        try:
            writer.delete_terms(ID, ids + [i for ids_ in removed for i in ids_])
            commit_with_segments(writer, merge_tiers, segments)
        except BaseException:
            writer.cancel()
            raise
        return len(ids)

    def _write_lock(self):
        return index_write_lock(self.path, WRITE_WAIT_SECONDS)

    def _writer(self) -> Any:
        # We hold our own lock, so Whoosh's is free unless another tool writes.
        return BulkSegmentWriter(self.index, SIDECAR_FIELDS, timeout=5.0, delay=0.05)

    # Reads.

    def read(self, fn: Callable[[Searcher], T]) -> T:
        """fn(searcher) on the latest committed index, retried if a concurrent commit
        pulled a file away; SearchUnavailable when the index does not answer."""
        last: Exception | None = None
        for attempt in range(READ_ATTEMPTS):
            try:
                self.follow_swap()
                return fn(self._current_searcher())
            except Exception as error:
                last = error
                self._drop_searcher()
                time.sleep(0.02 * (attempt + 1))
        log.error("search index did not answer", exc_info=last)
        raise SearchUnavailable(f"{type(last).__name__}: {last}") from last

    def _current_searcher(self) -> Searcher:
        searcher = self._searcher
        if searcher is None:
            searcher = open_searcher(self.index, self._open_segments)
        elif not searcher.up_to_date():
            fresh = open_searcher(self.index, self._open_segments)
            with contextlib.suppress(Exception):  # the old one's files may be gone
                searcher.close()
            searcher = fresh
        self._searcher = searcher
        return searcher

    def _drop_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):  # closing a broken searcher
                self._searcher.close()
            self._searcher = None

    # haystack's SearchQuerySet.highlight().

    def _process_results(self, raw_page: Any, highlight: bool = False, query_string: str = "",
                         spelling_query: str | None = None, result_class: Any = None,
                         facet_types: dict[str, str] | None = None) -> dict[str, Any]:
        results = super()._process_results(
            raw_page,
            highlight=False,
            query_string=query_string,
            spelling_query=spelling_query,
            result_class=result_class,
            facet_types=facet_types,
        )
        if highlight and results["results"]:
            from archive.search.highlight import highlight_search_results, needles_in_query

            needles = needles_in_query(self.parser.parse(query_string), self.content_field_name)
            highlight_search_results(results["results"], needles, self.content_field_name)
        return results


class ParkNewsWhooshEngine(WhooshEngine):
    backend = ParkNewsWhooshBackend
    query = WhooshSearchQuery


def get_backend() -> ParkNewsWhooshBackend:
    """This thread's backend for the default connection."""
    from haystack import connections

    backend = connections["default"].get_backend()
    if not isinstance(backend, ParkNewsWhooshBackend):
        raise SearchBackendError("HAYSTACK_CONNECTIONS['default'] must use ParkNewsWhooshEngine")
    return backend
