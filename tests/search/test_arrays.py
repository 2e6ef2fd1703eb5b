"""The array evaluation (archive/search/arrays.py) against Whoosh's own, on the seeds'
index: the same matches, facet counts from the stored documents, every match ranked,
and deletions honoured when a segment's documents are replaced."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from whoosh import query as wq

from archive.models import Article
from archive.search import arrays, facets, writer
from archive.search import compile as qc
from archive.search.backend import get_backend
from archive.search.query import parse

pytestmark = pytest.mark.django_db

QUERIES = [
    "高新区", "企业", "创新", "高新技术企业", "产业集群", "区", "的", "亿元", "5g", "2020",
    "项目 投资", "高新区 -西安", "西安 OR 宁波", '"科技 创新"', "不存在的词语组合",
    "发展发展", "a", "高新区 人才", "新区",
]


def _plan(q: str, **filters: tuple) -> qc.MatchPlan:
    return qc.match_plan(parse(q), filters)


@pytest.mark.parametrize("q", QUERIES)
def test_matches_equal_whooshs_own_evaluation(q: str) -> None:
    plan = _plan(q)

    def both(searcher):
        return (arrays.match(searcher, plan.required, plan.excluded).tolist(),
                sorted(qc._whoosh_matching_docs(searcher, plan)))

    ours, whooshs = get_backend().read(both)
    assert ours == whooshs


def test_filters_equal_whooshs_own_evaluation() -> None:
    article = Article.objects.public().exclude(park=None).select_related("park", "page").first()
    plan = _plan("企业", park=(article.park.name,), year=(article.page.issue_date.year,))

    def both(searcher):
        return (arrays.match(searcher, plan.required, plan.excluded).tolist(),
                sorted(qc._whoosh_matching_docs(searcher, plan)))

    ours, whooshs = get_backend().read(both)
    assert ours == whooshs and ours


def test_facet_counts_equal_counting_the_stored_documents() -> None:
    def check(searcher):
        docs = arrays.match(searcher, _plan("企业").required, [])
        counts = facets.count(searcher, docs, facets.FACETS)
        for facet in facets.FACETS:
            expected: Counter = Counter()
            for docnum in docs.tolist():
                value = searcher.stored_fields(docnum).get(facet.field)
                if value in (None, ""):
                    continue
                values = value.split(",") if isinstance(value, str) and facet.field in (
                    "parks", "authors", "figure_kinds") else [value]
                expected.update(v for v in values if v != "")
            assert counts[facet.param] == expected, facet.param
        return len(docs)

    assert get_backend().read(check) > 10


def test_every_match_is_ranked_best_first() -> None:
    parsed = parse("高新区 企业")
    plan, rank = qc.match_plan(parsed, {}), qc.rank_query(parsed)

    def run(searcher):
        docs = arrays.match(searcher, plan.required, plan.excluded)
        return docs, arrays.ranked(searcher, docs, rank, len(docs))

    docs, ranked = get_backend().read(run)
    assert sorted(d for d, _ in ranked) == docs.tolist()
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] >= 0


def test_date_order_is_the_databases() -> None:
    plan = _plan("企业")

    def run(searcher):
        docs = arrays.match(searcher, plan.required, plan.excluded)
        order = arrays.by_date(searcher, docs, "issue_date", True, len(docs))
        return [int(searcher.stored_fields(d)["django_id"]) for d in order]

    ids = get_backend().read(run)
    dates = dict(Article.objects.filter(pk__in=ids).values_list("pk", "page__issue_date"))
    shown = [dates[pk] for pk in ids]
    assert shown == sorted(shown, reverse=True)


def test_replaced_documents_are_not_matched_from_their_old_segment(scratch_index) -> None:
    articles = list(Article.objects.public().order_by("pk")[:6])
    writer.sync_articles([a.pk for a in articles], strict=True)
    needle = "独一无二的标记词"
    target = articles[0]

    def matched(searcher) -> list[int]:
        plan = _plan(needle)
        docs = arrays.match(searcher, plan.required, plan.excluded)
        return [int(searcher.stored_fields(d)["django_id"]) for d in docs.tolist()]

    assert get_backend().read(matched) == []
    Article.objects.filter(pk=target.pk).update(body=target.body + needle)
    writer.sync_articles([target.pk], strict=True)
    assert get_backend().read(matched) == [target.pk]
    Article.objects.filter(pk=target.pk).update(body=target.body)
    writer.sync_articles([target.pk], strict=True)
    # The first segment still holds the marked version, now deleted.
    assert get_backend().read(matched) == []
    assert get_backend().read(lambda s: s.doc_count()) == len(articles)


def test_an_unknown_query_shape_is_left_to_whoosh() -> None:
    plan = qc.MatchPlan(required=[[wq.Prefix("text", "高")]])
    docs = get_backend().read(lambda s: qc.matching_array(s, plan))
    assert isinstance(docs, np.ndarray) and len(docs) > 0


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_a_facet_limit_keeps_the_most_frequent_values_and_their_ties(limit: int) -> None:
    fields = {f.param: f.field for f in facets.FACETS}

    def both(searcher):
        docs = arrays.match(searcher, _plan("企业").required, [])
        return (arrays.facet_counts(searcher, docs, fields),
                arrays.facet_counts(searcher, docs, fields, limit))

    full, limited = get_backend().read(both)
    for param, counts in full.items():
        if len(counts) <= limit:
            assert limited[param] == counts
            continue
        least = sorted(counts.values(), reverse=True)[limit - 1]
        assert limited[param] == Counter({v: n for v, n in counts.items() if n >= least}), param


def test_field_lengths_are_whooshs() -> None:
    def check(searcher):
        for segment in arrays.segments(searcher):
            for field in ("text", "headline", "words"):
                ours = arrays._lengths(segment, field).tolist()
                theirs = [segment.reader.doc_field_length(d, field) or 0
                          for d in range(segment.size)]
                assert ours == theirs, field
        return True

    assert get_backend().read(check)


def test_facet_pairs_from_the_writers_sidecar_equal_walking_the_terms(monkeypatch) -> None:
    fields = sorted({f.field for f in facets.FACETS} | {"issue_date"})

    def pairs(searcher) -> list:
        arrays.cache.clear()
        out = []
        for segment in arrays.segments(searcher):
            for field in fields:
                docs, codes, values = arrays._facet_pairs(segment, field)
                out.append(sorted(zip(docs.tolist(), [values[c] for c in codes.tolist()],
                                      strict=True)))
        return out

    assert get_backend().read(lambda s: all(
        arrays.read_sidecar(segment) is not None for segment in arrays.segments(s)))
    from_sidecars = get_backend().read(pairs)
    monkeypatch.setattr(arrays, "read_sidecar", lambda segment: None)
    walked = get_backend().read(pairs)
    arrays.cache.clear()
    assert from_sidecars == walked
    assert sum(len(p) for p in walked) > 100


def test_a_phrase_reads_positions_rarest_first_and_none_for_an_absent_pair(
        monkeypatch) -> None:
    loaded: list[str] = []
    real = arrays.term_positions

    def recording(segment, field, btext):
        loaded.append(btext.decode())
        return real(segment, field, btext)

    monkeypatch.setattr(arrays, "term_positions", recording)
    arrays.cache.clear()
    terms = ("高新", "新区", "区的", "的企", "企业")

    def run(searcher) -> list[tuple[int, list[str], list[str], list[str]]]:
        out = []
        for segment in arrays.segments(searcher):
            loaded.clear()
            hits = arrays.phrase_hits(segment, qc.TEXT, terms)
            read = list(loaded)
            frequencies = [segment.reader.doc_frequency(qc.TEXT, t) for t in terms]
            rarest_first = [terms[i] for i in sorted(range(len(terms)),
                                                     key=frequencies.__getitem__)]
            loaded.clear()
            arrays.phrase_hits(segment, qc.TEXT, ("高新", "新\ue000", "企业"))
            out.append((len(hits), read, rarest_first, list(loaded)))
        return out

    for hits, read, rarest_first, absent_read in get_backend().read(run):
        assert read == rarest_first[: len(read)]  # rarest first…
        assert len(read) == len(terms) or hits == 0  # …stopping once nothing is left
        assert absent_read == []  # an absent pair: no positions read at all


@pytest.mark.parametrize("q", ["企业 动力电尺", "高新区 不存在的词语组合", "企业 -高新区 动力电尺"])
def test_a_needle_the_index_lacks_ends_the_match_before_the_common_ones_are_read(
        q: str, monkeypatch) -> None:
    """The cost of a query follows its rarest part: groups are matched rarest first, and
    the type term every document has is never read as postings."""
    read: list[tuple[str, bytes]] = []
    real_postings, real_positions = arrays.term_postings, arrays.term_positions

    def postings(segment, field, btext):
        read.append((field, btext))
        return real_postings(segment, field, btext)

    def positions(segment, field, btext):
        read.append((field, btext))
        return real_positions(segment, field, btext)

    monkeypatch.setattr(arrays, "term_postings", postings)
    monkeypatch.setattr(arrays, "term_positions", positions)
    arrays.cache.clear()
    plan = _plan(q)
    docs = get_backend().read(lambda s: arrays.match(s, plan.required, plan.excluded))
    assert len(docs) == 0
    assert read == []  # neither 企业 / 高新区's positions nor the article type's postings


@pytest.mark.parametrize("q", QUERIES)
def test_any_match_says_whether_match_finds_anything(q: str) -> None:
    plan = _plan(q)
    found, any_ = get_backend().read(lambda s: (
        len(arrays.match(s, plan.required, plan.excluded)),
        arrays.any_match(s, plan.required, plan.excluded)))
    assert any_ == (found > 0)


def test_any_match_reads_no_segment_after_the_first_that_matches(scratch_index,
                                                                  monkeypatch) -> None:
    """A suggestion is checked for existence only (suggest.py): a needle every segment has
    costs the first segment's postings, not the index's."""
    articles = list(Article.objects.public().order_by("pk")[:6])
    for article in articles:  # one segment each
        writer.sync_articles([article.pk], strict=True)
    assert get_backend().read(lambda s: len(arrays.segments(s))) >= 2
    visited: list[int] = []
    real_query_docs = arrays.query_docs

    def query_docs(segment, query):
        visited.append(segment.offset)
        return real_query_docs(segment, query)

    monkeypatch.setattr(arrays, "query_docs", query_docs)
    plan = _plan("的")
    assert get_backend().read(lambda s: arrays.any_match(s, plan.required, plan.excluded))
    assert len(set(visited)) == 1
    visited.clear()
    everywhere = get_backend().read(lambda s: len(arrays.match(s, plan.required, plan.excluded)))
    assert everywhere == len(articles) and len(set(visited)) >= 2


def test_the_cache_weighs_long_lists_from_a_sample_within_a_few_percent() -> None:
    """The memory budget weighs a segment's thousands of facet terms from 16 of them:
    close to the item-by-item weight, for terms of varying length and for arrays."""
    terms = [f"园区{i}".encode() * (1 + i % 3) for i in range(5000)]
    exact = sum(len(t) + 50 for t in terms) + 50
    assert abs(arrays._nbytes(terms) - exact) / exact < 0.05
    blocks = [np.zeros(100 + i % 7, dtype=np.int64) for i in range(1000)]
    exact = sum(b.nbytes + 100 for b in blocks) + 50
    assert abs(arrays._nbytes(blocks) - exact) / exact < 0.05
    assert arrays._nbytes({"a": terms}) >= arrays._nbytes(terms)
