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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from haystack.backends.elasticsearch7_backend import (
    Elasticsearch7SearchBackend,
    Elasticsearch7SearchEngine,
    Elasticsearch7SearchQuery,
)
from haystack.constants import DJANGO_CT, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from haystack.utils import get_identifier

from archive.search import analysis
from archive.search.backend import WriteReport

SPACE_MARK = "\ue000"
FILLER = "\ue001"
CHARS_SUFFIX = "_chars"
TOKEN_FIELD = {"type": "text", "analyzer": "whitespace", "index_options": "positions"}
ARTICLE_CT = "archive.article"
HEADLINE_BOOST = 3.0


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


def needle_clause(needle: str, field: str = "text") -> dict[str, Any]:
    """A query that matches documents whose gram field holds `needle` as a substring."""
    folded = analysis.fold_needle(needle)
    if len(folded) == 1:
        return {"term": {field + CHARS_SUFFIX: folded}}
    pairs = [_mark(folded[i : i + 2]) for i in range(len(folded) - 1)]
    return {"match_phrase": {field: {"query": " ".join(pairs), "analyzer": "whitespace"}}}


def match_query(
    required: Sequence[Sequence[str]],
    excluded: Sequence[str] = (),
    filters: Mapping[str, Sequence[str | int]] | None = None,
) -> dict[str, Any]:
    """Exactly the articles with at least one needle of every group, none of `excluded`,
    and every facet value in `filters` (index field name → values, all required)."""
    must: list[dict[str, Any]] = [{"term": {DJANGO_CT: ARTICLE_CT}}]
    for field, values in (filters or {}).items():
        must += [{"term": {field: value}} for value in values]
    for group in required:
        clauses = [needle_clause(n) for n in group if analysis.fold_needle(n)]
        if clauses:
            must.append({"bool": {"should": clauses, "minimum_should_match": 1}})
    must_not = [needle_clause(n) for n in excluded if analysis.fold_needle(n)]
    return {"bool": {"filter": must, "must_not": must_not}}


def rank_query(needles: Iterable[str]) -> list[dict[str, Any]]:
    """Scoring clauses: the needle in the text and (boosted) the headline, its words."""
    should: list[dict[str, Any]] = []
    for needle in needles:
        if not analysis.fold_needle(needle):
            continue
        should.append(needle_clause(needle, "text"))
        should.append(
            {"bool": {"should": [needle_clause(needle, "headline")], "boost": HEADLINE_BOOST}}
        )
        should += [{"term": {"words": _mark(t.text)}} for t in analysis.words(needle)]
    return should


@dataclass
class Found:
    count: int
    ids: list[tuple[int, float | None]]
    facets: dict[str, list[tuple[str | int, int]]]


class ParkNewsElasticsearchBackend(Elasticsearch7SearchBackend):
    """Elasticsearch 7 with Python-side tokens (see the module docstring)."""

    def build_schema(self, fields: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        content_field_name, mapping = super().build_schema(fields)
        for field in fields.values():
            name = field.index_fieldname
            if field.field_type == "grams":
                mapping[name] = dict(TOKEN_FIELD)
                mapping[name + CHARS_SUFFIX] = dict(TOKEN_FIELD)
            elif field.field_type == "words":
                mapping[name] = {"type": "text", "analyzer": "whitespace"}
        return content_field_name, mapping

    def _prepare_object(self, index: Any, obj: Any) -> dict[str, Any]:
        doc = index.full_prepare(obj)
        for field in index.fields.values():
            name = field.index_fieldname
            if field.field_type == "grams":
                doc[name], doc[name + CHARS_SUFFIX] = gram_streams(doc.get(name) or "")
            elif field.field_type == "words":
                doc[name] = word_stream(doc.get(name) or "")
        return doc

    def apply(
        self,
        index: Any,
        objects: Iterable[Any],
        remove_ids: Iterable[str],
        *,
        skip_unchanged: bool = True,
    ) -> WriteReport:
        """Write `objects` and delete `remove_ids` in one bulk request, then refresh
        (the same call as the Whoosh backend's, for `writer.py`)."""
        from elasticsearch.helpers import bulk

        if not self.setup_complete:
            self.setup()
        remove = list(remove_ids)
        actions: list[dict[str, Any]] = []
        for obj in objects:
            try:
                doc = {k: self._from_python(v) for k, v in self._prepare_object(index, obj).items()}
            except SkipDocument:
                remove.append(get_identifier(obj))
                continue
            doc.pop("boost", None)
            actions.append({"_op_type": "index", "_id": doc[ID], "_source": doc})
        actions += [{"_op_type": "delete", "_id": i} for i in remove]
        if actions:
            _, errors = bulk(self.conn, actions, index=self.index_name, raise_on_error=False)
            # A delete of a document that is not there is not an error here; others are.
            failed = [e for e in errors if e.get("delete", {}).get("status") != 404]
            if failed:
                raise SearchBackendError(f"{len(failed)} bulk errors, first: {failed[0]}")
            self.conn.indices.refresh(index=self.index_name)
        return WriteReport(written=len(actions) - len(remove), removed=len(remove))

    def search_articles(
        self,
        match: dict[str, Any],
        rank: list[dict[str, Any]],
        *,
        facet_fields: Sequence[str] = (),
        start: int = 0,
        size: int = 20,
        facet_size: int = 50,
    ) -> Found:
        """Count, facet counts and one ranked page (newest first without `rank`)."""
        if not self.setup_complete:
            self.setup()
        query: dict[str, Any] = dict(match)
        if rank:
            query = {"bool": {**match["bool"], "should": rank}}
        body: dict[str, Any] = {
            "query": query,
            "from": start,
            "size": size,
            "track_total_hits": True,
            "_source": ["django_id"],
            "aggs": {f: {"terms": {"field": f, "size": facet_size}} for f in facet_fields},
        }
        if not rank:
            body["sort"] = [{"issue_date": {"order": "desc", "missing": "_last"}}]
        raw = self.conn.search(index=self.index_name, body=body)
        hits = raw["hits"]
        ids = [(int(h["_source"]["django_id"]), h.get("_score") if rank else None)
               for h in hits["hits"]]
        facets = {
            f: [(b["key"], b["doc_count"]) for b in raw.get("aggregations", {})[f]["buckets"]]
            for f in facet_fields
        }
        return Found(hits["total"]["value"], ids, facets)


class ParkNewsElasticsearchEngine(Elasticsearch7SearchEngine):
    backend = ParkNewsElasticsearchBackend
    query = Elasticsearch7SearchQuery
