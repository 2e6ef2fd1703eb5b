"""The Elasticsearch backend (archive/search/elasticsearch_backend.py).

The token streams, query bodies, mapping and settings are checked everywhere. The tests
marked `needs_server` talk to a real Elasticsearch 7 and run only when ELASTICSEARCH_URL
is set (e.g. http://127.0.0.1:9200); otherwise they are reported as skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from haystack import connections

from archive.models import Article
from archive.search import elasticsearch_backend as es
from archive.search.analysis import BARRIER, fold_needle
from archive.search_indexes import ArticleIndex
from tests.search.conftest import corpus, expected

ROOT = Path(__file__).resolve().parents[2]
ES_URL = os.getenv("ELASTICSEARCH_URL", "")
needs_server = pytest.mark.skipif(not ES_URL, reason="ELASTICSEARCH_URL is not set")

NEEDLES = ["高新区", "企业", "区", "一区十园", "宁波高新区", "71.69", "疫情 防控", "不存在的词语"]


def phrase_in(stream: str, needle: str) -> bool:
    """What the cluster's match_phrase / term query does with one whitespace-analysed
    field: the needle's tokens at consecutive positions."""
    clause = es.needle_clause(needle)
    tokens = stream.split()
    if "term" in clause:
        return next(iter(clause["term"].values())) in tokens
    wanted = clause["match_phrase"]["text"]["query"].split()
    return any(tokens[i : i + len(wanted)] == wanted for i in range(len(tokens)))


def test_streams_have_one_token_per_position() -> None:
    pairs, chars = es.gram_streams("高新 区\x1e园区")
    assert len(pairs.split()) == len(chars.split()) == len("高新 区" + BARRIER + "园区")
    assert all(not any(c.isspace() for c in t) for t in pairs.split() + chars.split())


def test_no_phrase_crosses_a_barrier() -> None:
    pairs, chars = es.gram_streams("高新区" + BARRIER + "园区")
    assert phrase_in(pairs, "高新区")
    assert not phrase_in(pairs, "区园")
    assert phrase_in(chars, "园")


@pytest.mark.django_db
def test_simulated_matching_equals_the_truth_on_the_seeds() -> None:
    """A needle's phrase over an article's pair stream (its chars for one character)
    finds exactly the articles that contain the needle."""
    index = ArticleIndex()
    texts = corpus()
    for needle in NEEDLES:
        found = set()
        for article in index.index_queryset():
            pairs, chars = es.gram_streams(index.prepare_text(article))
            single = len(fold_needle(needle)) == 1
            if phrase_in(chars if single else pairs, needle):
                found.add(article.pk)
        assert found == expected(all_of=[needle], texts=texts), needle


def test_match_query_is_exact_and_ranking_only_scores() -> None:
    body = es.match_query([["高新区"], ["区", "园"]], excluded=["疫情"], filters={"park": ["x"]})
    assert {"term": {"park": "x"}} in body["bool"]["filter"]
    assert body["bool"]["must_not"] == [es.needle_clause("疫情")]
    assert es.needle_clause("区") == {"term": {"text_chars": "区"}}
    assert all("should" not in clause or "minimum_should_match" in clause["bool"]
               for clause in body["bool"]["filter"] if "bool" in clause)
    assert es.rank_query(["高新区"]) and es.rank_query([" "]) == []


@pytest.mark.django_db
def test_mapping_and_documents_use_python_tokens() -> None:
    backend = es.ParkNewsElasticsearchBackend("default", URL="http://127.0.0.1:9", INDEX_NAME="t")
    fields = connections["default"].get_unified_index().all_searchfields()
    content, mapping = backend.build_schema(fields)
    assert content == "text"
    for name in ("text", "text_chars", "headline", "headline_chars", "words"):
        assert mapping[name]["analyzer"] == "whitespace"
    assert mapping["park"]["type"] == "keyword"
    article = Article.objects.public().first()
    index = ArticleIndex()
    doc = backend._prepare_object(index, article)
    assert (doc["text"], doc["text_chars"]) == es.gram_streams(index.prepare_text(article))
    assert doc["words"] == es.word_stream(index.prepare_words(article))


@pytest.mark.django_db
def test_writes_ignore_missing_deletes_but_raise_other_errors(monkeypatch) -> None:
    import elasticsearch.helpers
    from haystack.exceptions import SearchBackendError

    backend = es.ParkNewsElasticsearchBackend("default", URL="http://127.0.0.1:9", INDEX_NAME="t")
    backend.setup_complete = True
    monkeypatch.setattr(backend.conn.indices, "refresh", lambda **kw: None)
    sent: list[dict] = []
    errors: list[dict] = [{"delete": {"status": 404, "_id": "archive.article.0"}}]
    monkeypatch.setattr(elasticsearch.helpers, "bulk",
                        lambda conn, actions, **kw: (sent.extend(actions), (len(sent), errors))[1])
    index = ArticleIndex()
    article = Article.objects.public().first()
    report = backend.apply(index, [article], ["archive.article.0"])
    assert (report.written, report.removed) == (1, 1)
    assert sent[0]["_source"]["text"] == es.gram_streams(index.prepare_text(article))[0]
    errors.append({"index": {"status": 400, "_id": "x"}})
    with pytest.raises(SearchBackendError):
        backend.apply(index, [article], [])


@pytest.mark.parametrize(
    ("url", "engine", "where"),
    [
        ("", "ParkNewsWhooshEngine", "whoosh_index"),
        ("/srv/idx", "ParkNewsWhooshEngine", "/srv/idx"),
        ("http://es:9200/news", "ParkNewsElasticsearchEngine", "http://es:9200 news"),
        ("https://es:9200", "ParkNewsElasticsearchEngine", "https://es:9200 parknews"),
    ],
)
def test_search_url_selects_the_connection(url: str, engine: str, where: str, tmp_path) -> None:
    code = (
        "from django.conf import settings as s; c = s.HAYSTACK_CONNECTIONS['default'];"
        "print(c['ENGINE'].rsplit('.', 1)[1], c.get('PATH') or c['URL'] + ' ' + c['INDEX_NAME'])"
    )
    env = {**os.environ, "SEARCH_URL": url, "PARKNEWS_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "parknews.settings"}
    env.pop("SEARCH_INDEX_DIR", None)
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                         env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    name, location = out.split(" ", 1)
    assert name == engine
    assert location.strip().endswith(where)


# Against a real cluster.


@pytest.fixture
def es_backend():
    backend = es.ParkNewsElasticsearchBackend(
        "default", URL=ES_URL, INDEX_NAME=f"parknews-test-{uuid.uuid4().hex[:8]}"
    )
    yield backend
    backend.conn.indices.delete(index=backend.index_name, ignore=[404])


@needs_server
@pytest.mark.django_db
def test_cluster_finds_exactly_what_the_articles_contain(es_backend) -> None:
    index = ArticleIndex()
    report = es_backend.apply(index, index.index_queryset(), [])
    assert report.written == Article.objects.public().count()
    texts = corpus()
    for needle in NEEDLES:
        found = es_backend.search_articles(es.match_query([[needle]]), es.rank_query([needle]),
                                           size=1000)
        assert {pk for pk, _ in found.ids} == expected(all_of=[needle], texts=texts), needle
        assert found.count == len(found.ids)


@needs_server
@pytest.mark.django_db
def test_cluster_facets_filters_and_removal(es_backend) -> None:
    index = ArticleIndex()
    es_backend.apply(index, index.index_queryset(), [])
    everything = es_backend.search_articles(es.match_query([]), [], facet_fields=["park"])
    park, count = everything.facets["park"][0]
    narrowed = es_backend.search_articles(es.match_query([], filters={"park": [park]}), [])
    assert narrowed.count == count
    victim = narrowed.ids[0][0]
    es_backend.apply(index, [], [f"archive.article.{victim}"])
    after = es_backend.search_articles(es.match_query([], filters={"park": [park]}), [])
    assert after.count == count - 1
