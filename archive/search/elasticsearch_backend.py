"""haystack's Elasticsearch 7 backend with the archive's own Chinese analysis.

Selected by `SEARCH_URL=http(s)://host:9200/INDEX` (see the HAYSTACK block of settings).
The cluster needs no Chinese plugin: every text field is tokenised here, in Python, by
`analysis.py` (the same code the Whoosh index uses), and sent as tokens separated by
spaces into fields whose analyzer is Elasticsearch's built-in `whitespace`:

* a gram field `F` becomes `F` — the character pair starting at each position, one per
  position, so the phrase of a needle's pairs matches exactly where the needle is a
  substring (positions where no pair exists get a filler, so no phrase crosses a
  barrier) — and `F_chars`, the single characters, for one-character needles;
* a word field gets jieba's search-mode words (for ranking, not matching).

Tokens never contain whitespace: a folded space inside a pair becomes a private-use
character, and the filler is another one; folding turns real private-use characters into
barriers (`analysis.fold`), so neither can collide with text.

Matching and ranking stay separate as in `compile.py`: `match_query` is exact (needle
phrases and whole-value facet filters in a bool filter context), `rank_query` only
scores. `search_articles` runs one request for count, facet counts and a ranked page.

The site reaches this backend through `active()`: it returns the cluster backend when
the default connection is Elasticsearch and None for Whoosh, and each reader of the index
(`engine`, `similar`, `suggest`, `health`, `writer`, `check_index`) branches on it. Every
request error becomes `backend.SearchUnavailable`, as a broken Whoosh index does.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import elasticsearch.helpers as helpers
from elasticsearch.exceptions import ConnectionError as TransportConnectionError
from elasticsearch.exceptions import ElasticsearchException, RequestError
from haystack.backends.elasticsearch7_backend import (
    Elasticsearch7SearchBackend,
    Elasticsearch7SearchEngine,
    Elasticsearch7SearchQuery,
)
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from haystack.utils import get_identifier

from archive.search import analysis, spelling
from archive.search.backend import SCHEMA_VERSION, SearchUnavailable, WriteReport, fingerprint
from archive.search.conditions import NONE, Restriction
from archive.search.facets import BY_PARAM
from archive.search.params import MAX_PAGE, MAX_PER_PAGE

if TYPE_CHECKING:
    from archive.search.query import Needle, ParsedQuery

log = logging.getLogger(__name__)

T = TypeVar("T")

SPACE_MARK = "\ue000"
FILLER = "\ue001"
CHARS_SUFFIX = "_chars"
TOKEN_FIELD = {"type": "text", "analyzer": "whitespace", "index_options": "positions"}
KEYWORD = {"type": "keyword"}
ARTICLE_CT = "archive.article"
HEADLINE_BOOST = 3.0
WORDS = "words"
FINGERPRINT = "fingerprint"
# Bump when the token streams change in a way that needs the index rebuilt (2: traditional
# characters folded to simplified by `analysis.fold`).
TOKENS_VERSION = 2
SIGNATURE_KEY = "parknews_schema"
# More values than the page and the API show (100), so the ranked head is exact.
FACET_SIZE = 1000
# One shard: facet counts are exact and term statistics are the whole archive's, as in
# Whoosh. Every page the site links to (params.MAX_PAGE of the largest page) is reachable.
INDEX_SETTINGS = {
    "index": {"number_of_shards": 1, "max_result_window": MAX_PAGE * MAX_PER_PAGE}
}
SORTS = ("relevance", "newest", "oldest")
SUGGEST_CANDIDATES = 25


def _mark(token: str) -> str:
    return token.replace(analysis.SPACE, SPACE_MARK)


def gram_streams(text: str) -> tuple[str, str]:
    """(pairs, chars) of `text`, one token per folded character position."""
    folded = analysis.fold(text).text
    pairs, chars = [], []
    for i, ch in enumerate(folded):
        nxt = folded[i + 1] if i + 1 < len(folded) else analysis.BARRIER
        gap = ch == analysis.BARRIER or nxt == analysis.BARRIER
        pairs.append(FILLER if gap else _mark(ch + nxt))
        chars.append(FILLER if ch in (analysis.BARRIER, analysis.SPACE) else ch)
    return " ".join(pairs), " ".join(chars)


def word_stream(text: str) -> str:
    return " ".join(_mark(term.text) for term in analysis.words(text))


# Request bodies.


def needle_clause(needle: str, field: str = "text") -> dict[str, Any]:
    """A query that matches documents whose gram field holds `needle` as a substring."""
    folded = analysis.fold_needle(needle)
    if len(folded) == 1:
        return {"term": {field + CHARS_SUFFIX: folded}}
    pairs = [_mark(folded[i : i + 2]) for i in range(len(folded) - 1)]
    return {"match_phrase": {field: {"query": " ".join(pairs), "analyzer": "whitespace"}}}


def match_query(
    required: Sequence[Sequence[str | tuple[str, str]]],
    excluded: Sequence[str | tuple[str, str]] = (),
    filters: Mapping[str, Sequence[str | int]] | None = None,
    ids: Restriction = NONE,
    nothing: bool = False,
) -> dict[str, Any]:
    """Exactly the articles with at least one needle of every group, none of `excluded`,
    every facet value in `filters` (index field name → values, all required), and an id
    the query's conditions allow (`conditions.py`). A needle is a string (anywhere in the
    text) or (field, string) (`headline` for `title:`)."""
    must: list[dict[str, Any]] = [{"term": {DJANGO_CT: ARTICLE_CT}}]
    if nothing or ids.empty:
        must.append({"match_none": {}})
    if ids.only is not None and not ids.empty:
        must.append({"terms": {DJANGO_ID: [str(i) for i in ids.only.tolist()]}})
    for field, values in (filters or {}).items():
        must += [{"term": {field: value}} for value in values]
    for group in required:
        clauses = [_clause(n) for n in group if analysis.fold_needle(_text(n))]
        # A group none of whose needles can occur matches nothing (not everything).
        must.append(
            {"bool": {"should": clauses, "minimum_should_match": 1}}
            if clauses
            else {"match_none": {}}
        )
    must_not = [_clause(n) for n in excluded if analysis.fold_needle(_text(n))]
    if len(ids.without):
        must_not.append({"terms": {DJANGO_ID: [str(i) for i in ids.without.tolist()]}})
    return {"bool": {"filter": must, "must_not": must_not}}


def _text(needle: str | tuple[str, str]) -> str:
    return needle if isinstance(needle, str) else needle[1]


def _clause(needle: str | tuple[str, str]) -> dict[str, Any]:
    return needle_clause(needle) if isinstance(needle, str) else needle_clause(needle[1],
                                                                               needle[0])


def needle_of(needle: Needle) -> str | tuple[str, str]:
    """A parsed needle as `match_query` and `rank_query` take it."""
    return ("headline", needle.text) if needle.field == "title" else needle.text


def article_query(
    parsed: ParsedQuery, filters: Mapping[str, Sequence[str | int]], ids: Restriction = NONE
) -> dict[str, Any]:
    """`compile.match_plan` for the cluster: the parsed clauses and conditions, and the
    page's filters."""
    by_field: dict[str, list[str | int]] = {}
    for param, values in filters.items():
        facet = BY_PARAM[param]
        by_field[facet.field] = [int(v) if facet.numeric else str(v) for v in values]
    required = [[needle_of(n) for n in clause.needles] for clause in parsed.positive]
    excluded = [needle_of(n) for clause in parsed.negative for n in clause.needles]
    return match_query(required, excluded, by_field, ids, parsed.unsearchable)


def rank_query(needles: Iterable[str | tuple[str, str]]) -> list[dict[str, Any]]:
    """Scoring clauses: the needle in the text (not for a `title:` needle, as in
    `compile.rank_query`) and (boosted) the headline, its words."""
    should: list[dict[str, Any]] = []
    for item in needles:
        needle = _text(item)
        if not analysis.fold_needle(needle):
            continue
        if isinstance(item, str):
            should.append(needle_clause(needle, "text"))
        should.append(
            {"bool": {"should": [needle_clause(needle, "headline")], "boost": HEADLINE_BOOST}}
        )
        words = dict.fromkeys(_mark(t.text) for t in analysis.words(needle))
        should += [{"term": {WORDS: word}} for word in words]
    return should


def search_body(
    match: dict[str, Any],
    rank: list[dict[str, Any]],
    *,
    facet_fields: Sequence[str] = (),
    start: int = 0,
    size: int = 20,
    sort: str = "newest",
    facet_size: int = FACET_SIZE,
) -> dict[str, Any]:
    """One request: exact matches (count), facet counts over them, and one page, ranked
    by `rank` or, without it, by issue date."""
    query: dict[str, Any] = dict(match)
    if rank:
        # Should clauses beside a filter are optional: they score, never select.
        query = {"bool": {**match["bool"], "should": rank}}
    body: dict[str, Any] = {
        "query": query,
        "from": start,
        "size": size,
        "track_total_hits": True,
        "_source": [DJANGO_ID],
    }
    if facet_fields:
        body["aggs"] = {f: {"terms": {"field": f, "size": facet_size}} for f in facet_fields}
    if not rank:
        order = "asc" if sort == "oldest" else "desc"
        body["sort"] = [{"issue_date": {"order": order, "missing": "_last"}}, "_doc"]
    return body


def similar_body(own_id: str, text: str, limit: int, key_terms: int) -> dict[str, Any] | None:
    """Articles sharing this text's key words (Elasticsearch picks them by tf-idf, as
    Whoosh's key_terms does): single characters and numbers are too weak to count."""
    terms = [
        t for t in word_stream(text).split()
        if len(t) >= 2 and not any(ch.isdigit() for ch in t)
    ]
    if not terms:
        return None
    like = {
        "more_like_this": {
            "fields": [WORDS],
            "like": " ".join(terms),
            "max_query_terms": key_terms,
            "min_term_freq": 1,
            "min_doc_freq": 1,
            "minimum_should_match": "1",
            "boost_terms": 1,
        }
    }
    query = {
        "bool": {
            "must": [like],
            "filter": [{"term": {DJANGO_CT: ARTICLE_CT}}],
            "must_not": [{"ids": {"values": [own_id]}}],
        }
    }
    return {"query": query, "size": limit, "_source": [DJANGO_ID]}


def corrections_body(word: str) -> dict[str, Any]:
    """Indexed words within two edits of `word` (Elasticsearch's term suggester)."""
    term = {
        "field": WORDS,
        "suggest_mode": "always",
        "max_edits": 2,
        "prefix_length": 0,  # the first character may be the mistake
        # The default (0.5) drops two-edit homophones of short words; `pick_corrections`
        # decides what is near enough.
        "accuracy": 0.1,
        "min_word_length": spelling.MIN_CHARS,
        "size": SUGGEST_CANDIDATES,
        "sort": "frequency",
    }
    return {"size": 0, "suggest": {"fix": {"text": _mark(word), "term": term}}}


def pick_corrections(word: str, found: Mapping[str, int], limit: int = 3) -> list[str]:
    """`spelling.corrections`' order over the suggester's candidates (word → document
    frequency): same pinyin first, then one edit away, more frequent first in each."""
    if not spelling.MIN_CHARS <= len(word) <= spelling.MAX_CHARS:
        return []
    found = {w: f for w, f in found.items()
             if w != word and spelling.MIN_CHARS <= len(w) <= spelling.MAX_CHARS}
    sound = {w for w in found if spelling._pinyin(w) == spelling._pinyin(word)}
    # One edit in a two-character word leaves one character: too loose to suggest.
    keys = {word} | spelling._deletions(word) if len(word) > 2 else set()
    near = {w for w in found if keys & ({w} | spelling._deletions(w))} - sound

    def by_frequency(words: set[str]) -> list[str]:
        return sorted(words, key=lambda w: (-found[w], w))

    return (by_frequency(sound) + by_frequency(near))[:limit]


def index_body(mapping: dict[str, Any]) -> dict[str, Any]:
    return {
        "settings": INDEX_SETTINGS,
        "mappings": {"_meta": {SIGNATURE_KEY: schema_signature(mapping)}, "properties": mapping},
    }


def schema_signature(mapping: dict[str, Any]) -> str:
    """Changes whenever the mapping, the token streams or the analysis version do."""
    blob = json.dumps(
        {"tokens": TOKENS_VERSION, "analysis": SCHEMA_VERSION, "mapping": mapping},
        sort_keys=True,
    )
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def host_of(url: str) -> str:
    """host:port of a connection URL, without any credentials in it."""
    parts = urlsplit(url)
    if not parts.hostname:
        return "?"
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname


def explain(error: Exception, host: str) -> str:
    """One line for /healthz and the logs."""
    name = type(error).__name__
    status = getattr(error, "status_code", None)
    if isinstance(error, TransportConnectionError) or not isinstance(status, int):
        return f"Elasticsearch at {host} did not answer ({name})"
    reason = str(getattr(error, "error", "") or "").splitlines()[0:1]
    detail = " ".join([name, str(status), *reason])
    return f"Elasticsearch at {host} answered with an error ({detail})"


@dataclass
class Found:
    count: int
    ids: list[tuple[int, float | None]]
    facets: dict[str, list[tuple[str | int, int]]]


class ParkNewsElasticsearchBackend(Elasticsearch7SearchBackend):
    """Elasticsearch 7 with Python-side tokens (see the module docstring)."""

    def __init__(self, connection_alias: str, **connection_options: Any) -> None:
        super().__init__(connection_alias, **connection_options)
        self.host = host_of(str(connection_options["URL"]))
        self.schema_outdated = False

    # Schema.

    def build_schema(self, fields: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        content_field_name, mapping = super().build_schema(fields)
        mapping[ID] = dict(KEYWORD)
        mapping[FINGERPRINT] = {"type": "keyword", "index": False}
        for field in fields.values():
            name = field.index_fieldname
            if field.field_type == "grams":
                mapping[name] = dict(TOKEN_FIELD)
                mapping[name + CHARS_SUFFIX] = dict(TOKEN_FIELD)
            elif field.field_type == "words":
                mapping[name] = {"type": "text", "analyzer": "whitespace"}
        return content_field_name, mapping

    def setup(self) -> None:
        """Create the index with our mapping unless it exists, and note whether an
        existing one was built by other code (then `index_outdated`)."""
        from haystack import connections

        fields = connections[self.connection_alias].get_unified_index().all_searchfields()
        self.content_field_name, mapping = self.build_schema(fields)
        body = index_body(mapping)
        self._call(lambda: self._create(body))
        self._check_signature(body["mappings"]["_meta"][SIGNATURE_KEY])
        self.setup_complete = True

    def _create(self, body: dict[str, Any]) -> None:
        try:
            self.conn.indices.create(index=self.index_name, **body)
        except RequestError as error:
            if error.error != "resource_already_exists_exception":
                raise

    def _check_signature(self, signature: str) -> None:
        raw = self._call(lambda: self.conn.indices.get_mapping(index=self.index_name))
        # Keyed by the concrete index, which differs from INDEX_NAME behind an alias.
        mappings = next(iter(raw.values()), {}).get("mappings", {})
        self.schema_outdated = mappings.get("_meta", {}).get(SIGNATURE_KEY) != signature
        if self.schema_outdated:
            log.warning("Elasticsearch index %s was built by other code: run rebuild_index",
                        self.index_name)

    def index_outdated(self) -> bool:
        """Whether the index was built by other code (re-checked until it is not, so a
        rebuild by another process clears it)."""
        if not self.setup_complete or self.schema_outdated:
            self.setup()
        return self.schema_outdated

    def _ready(self) -> None:
        if not self.setup_complete:
            self.setup()

    def _call(self, request: Callable[[], T]) -> T:
        try:
            return request()
        except ElasticsearchException as error:
            # Set up again next time: the index may have been deleted or the node moved.
            self.setup_complete = False
            message = explain(error, self.host)
            log.error("search index: %s", message)
            raise SearchUnavailable(message) from error

    # Writes.

    def _prepare_object(self, index: Any, obj: Any) -> dict[str, Any]:
        prepared = index.full_prepare(obj)
        doc = {k: self._from_python(v) for k, v in prepared.items() if k != "boost"}
        # Of the document before tokenising, as `check_index` computes it.
        doc[FINGERPRINT] = fingerprint(doc)
        for field in index.fields.values():
            name = field.index_fieldname
            if field.field_type == "grams":
                doc[name], doc[name + CHARS_SUFFIX] = gram_streams(doc.get(name) or "")
            elif field.field_type == "words":
                doc[name] = word_stream(doc.get(name) or "")
        return doc

    def update(self, index: Any, iterable: Iterable[Any], commit: bool = True) -> None:
        """haystack's entry (rebuild_index, update_index): tokenised, and raising."""
        self.apply(index, iterable, (), skip_unchanged=False)

    def remove(self, obj_or_string: Any, commit: bool = True) -> None:
        self.apply(None, (), [get_identifier(obj_or_string)])

    def clear(self, models: Sequence[type] | None = None, commit: bool = True) -> None:
        if models is not None:
            super().clear(models, commit)
            return
        # The next write creates the index again, with the current mapping.
        self._call(lambda: self.conn.indices.delete(index=self.index_name, ignore=404))
        self.setup_complete = False
        self.schema_outdated = False

    def apply(
        self,
        index: Any,
        objects: Iterable[Any],
        remove_ids: Iterable[str],
        *,
        skip_unchanged: bool = True,
    ) -> WriteReport:
        """Write `objects` and delete `remove_ids` in one bulk request, then refresh
        (the same call as the Whoosh backend's, for `writer.py`). With skip_unchanged,
        documents whose fingerprint is already in the index are not sent."""
        self._ready()
        remove = list(remove_ids)
        docs: list[dict[str, Any]] = []
        for obj in objects:
            try:
                docs.append(self._prepare_object(index, obj))
            except SkipDocument:
                remove.append(get_identifier(obj))
        report = WriteReport()
        if skip_unchanged and docs:
            stored = self.fingerprints_of([doc[ID] for doc in docs])
            fresh = [doc for doc in docs if stored.get(doc[ID]) != doc[FINGERPRINT]]
            report.unchanged = len(docs) - len(fresh)
            docs = fresh
        actions = [{"_op_type": "index", "_id": doc[ID], "_source": doc} for doc in docs]
        actions += [{"_op_type": "delete", "_id": i} for i in remove]
        if not actions:
            return report
        _, errors = self._call(
            lambda: helpers.bulk(self.conn, actions, index=self.index_name, raise_on_error=False)
        )
        absent = [e for e in errors if e.get("delete", {}).get("status") == 404]
        failed = [e for e in errors if e not in absent]
        if failed:
            # The cluster answered but refused documents: a bug or a mapping conflict.
            raise SearchBackendError(f"{len(failed)} bulk errors, first: {failed[0]}")
        self._call(lambda: self.conn.indices.refresh(index=self.index_name))
        report.written, report.removed = len(docs), len(remove) - len(absent)
        return report

    # Reads.

    def fingerprints_of(self, identifiers: Sequence[str]) -> dict[str, str | None]:
        """Stored fingerprint of each of these documents that exists."""
        self._ready()
        body = {"docs": [{"_id": i, "_source": [FINGERPRINT]} for i in identifiers]}
        raw = self._call(lambda: self.conn.mget(body=body, index=self.index_name))
        return {d["_id"]: d["_source"].get(FINGERPRINT) for d in raw["docs"] if d.get("found")}

    def stored_fingerprints(self) -> dict[int, str | None]:
        """Article id → stored fingerprint of every document in the index."""
        self._ready()
        query = {"query": {"match_all": {}}, "_source": [DJANGO_ID, FINGERPRINT]}

        def scan() -> dict[int, str | None]:
            hits = helpers.scan(self.conn, query=query, index=self.index_name)
            return {
                int(h["_source"][DJANGO_ID]): h["_source"].get(FINGERPRINT)
                for h in hits
                if h["_source"].get(DJANGO_ID)
            }

        return self._call(scan)

    def doc_count(self) -> int:
        self._ready()
        return int(self._call(lambda: self.conn.count(index=self.index_name))["count"])

    def count_articles(self, match: dict[str, Any]) -> int:
        self._ready()
        raw = self._call(lambda: self.conn.count(index=self.index_name, body={"query": match}))
        return int(raw["count"])

    def search_articles(
        self,
        match: dict[str, Any],
        rank: list[dict[str, Any]],
        *,
        facet_fields: Sequence[str] = (),
        start: int = 0,
        size: int = 20,
        sort: str = "newest",
        facet_size: int = FACET_SIZE,
    ) -> Found:
        """Count, facet counts and one page (ranked, or by date without `rank`)."""
        self._ready()
        body = search_body(match, rank, facet_fields=facet_fields, start=start, size=size,
                           sort=sort, facet_size=facet_size)
        raw = self._call(lambda: self.conn.search(index=self.index_name, body=body))
        hits = raw["hits"]
        ids = [(int(h["_source"][DJANGO_ID]), h.get("_score") if rank else None)
               for h in hits["hits"]]
        aggregations = raw.get("aggregations", {})
        facets = {
            f: [(b["key"], b["doc_count"]) for b in aggregations[f]["buckets"]]
            for f in facet_fields
        }
        return Found(hits["total"]["value"], ids, facets)

    def similar_ids(self, article_id: int, text: str, limit: int, key_terms: int) -> list[int]:
        """Other articles sharing the key words of `text` (the article's), best first."""
        self._ready()
        body = similar_body(f"{ARTICLE_CT}.{article_id}", text, limit, key_terms)
        if body is None:
            return []
        raw = self._call(lambda: self.conn.search(index=self.index_name, body=body))
        found = [int(h["_source"][DJANGO_ID]) for h in raw["hits"]["hits"]]
        return [pk for pk in found if pk != article_id][:limit]

    def corrections(self, word: str, limit: int = 3) -> list[str]:
        """Indexed words like `word`, ordered as `spelling.corrections` orders them."""
        if not spelling.MIN_CHARS <= len(word) <= spelling.MAX_CHARS:
            return []
        self._ready()
        body = corrections_body(word)
        raw = self._call(lambda: self.conn.search(index=self.index_name, body=body))
        found: dict[str, int] = {}
        for entry in raw.get("suggest", {}).get("fix", []):
            for option in entry.get("options", []):
                found[option["text"].replace(SPACE_MARK, analysis.SPACE)] = option["freq"]
        return pick_corrections(word, found, limit)


class ParkNewsElasticsearchEngine(Elasticsearch7SearchEngine):
    backend = ParkNewsElasticsearchBackend
    query = Elasticsearch7SearchQuery


def active() -> ParkNewsElasticsearchBackend | None:
    """This thread's backend for the default connection if it is Elasticsearch; None
    when it is Whoosh (then `backend.get_backend()`)."""
    from haystack import connections

    backend = connections["default"].get_backend()
    return backend if isinstance(backend, ParkNewsElasticsearchBackend) else None
