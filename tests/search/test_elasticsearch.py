"""The Elasticsearch backend (archive/search/elasticsearch_backend.py) and the site on it.

Everywhere: the token streams (their exact matching against the truth on the seeds), the
request bodies (needles, NOT, filters, aggregations, sorting, similar articles, spelling),
the mapping, the `SEARCH_URL` parsing, and the whole site against a cluster that refuses
connections (a real closed port: 503 pages, /healthz naming the host, a kept queue).

The tests marked `needs_server` run the site (search page, /api/search/, /healthz,
ingest, admin edits, rebuild_index, check_index, similar articles, suggestions) against a
real Elasticsearch 7 and run only when ELASTICSEARCH_URL is set (e.g.
http://127.0.0.1:9200); otherwise they are reported as skipped. Each uses an index of its
own, deleted afterwards.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from haystack import connections

from archive.models import Article
from archive.search import elasticsearch_backend as es
from archive.search import writer
from archive.search.analysis import BARRIER, fold_needle
from archive.search.backend import SearchUnavailable, get_backend
from archive.search.compile import WORDS
from archive.search.conditions import Restriction
from archive.search.params import MAX_PAGE, MAX_PER_PAGE
from archive.search.query import parse
from archive.search.similar import KEY_TERMS, _article_text, similar_articles
from archive.search.spelling import corrections
from archive.search.views import FACET_VALUES_MAX, UNAVAILABLE
from archive.search_indexes import ArticleIndex
from tests.admin_forms import form_data
from tests.conftest import SEEDS
from tests.search.conftest import corpus, expected

ROOT = Path(__file__).resolve().parents[2]
ES_URL = os.getenv("ELASTICSEARCH_URL", "")
needs_server = pytest.mark.skipif(
    not ES_URL,
    reason="needs a live Elasticsearch 7: set ELASTICSEARCH_URL (e.g. http://127.0.0.1:9200)",
)
ENGINE = "archive.search.elasticsearch_backend.ParkNewsElasticsearchEngine"
# Searches send the request body as JSON (`body=`), which elasticsearch-py 7.15+ marks as
# deprecated in favour of keyword arguments; the body is what the server reads either way.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The 'body' parameter is deprecated:DeprecationWarning"
)

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


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def site_on(url: str, index_name: str) -> Iterator[es.ParkNewsElasticsearchBackend]:
    """The site's default connection on this Elasticsearch index while inside."""
    conf = settings.HAYSTACK_CONNECTIONS["default"]
    saved = dict(conf)
    conf.clear()
    conf.update(ENGINE=ENGINE, URL=url, INDEX_NAME=index_name)
    connections.reload("default")
    try:
        backend = es.active()
        assert backend is not None
        yield backend
    finally:
        conf.clear()
        conf.update(saved)
        connections.reload("default")


# Token streams.


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


# Request bodies.


def test_a_needle_is_the_phrase_of_its_folded_pairs_or_one_character() -> None:
    assert es.needle_clause("动力电池") == {
        "match_phrase": {"text": {"query": "动力 力电 电池", "analyzer": "whitespace"}}
    }
    assert es.needle_clause("ＡＢＣ", "headline")["match_phrase"]["headline"]["query"] == "ab bc"
    spaced = es.needle_clause("疫情 防控")["match_phrase"]["text"]["query"].split()
    assert spaced[1:3] == ["情" + es.SPACE_MARK, es.SPACE_MARK + "防"]
    assert len(spaced) == len("疫情 防控") - 1
    assert es.needle_clause("区") == {"term": {"text_chars": "区"}}
    assert es.needle_clause("区", "headline") == {"term": {"headline_chars": "区"}}


def test_match_query_is_exact_and_ranking_only_scores() -> None:
    body = es.match_query([["高新区"], ["区", "园"]], excluded=["疫情"], filters={"park": ["x"]})
    assert {"term": {"park": "x"}} in body["bool"]["filter"]
    assert body["bool"]["must_not"] == [es.needle_clause("疫情")]
    assert all("should" not in clause or "minimum_should_match" in clause["bool"]
               for clause in body["bool"]["filter"] if "bool" in clause)
    assert es.rank_query(["高新区"]) and es.rank_query([" "]) == []
    # A group with nothing that can occur matches nothing rather than everything.
    assert es.match_query([[" "]])["bool"]["filter"][-1] == {"match_none": {}}


def test_the_parsed_query_and_filters_become_the_same_plan_as_on_whoosh() -> None:
    parsed = parse("西安 动力电池 OR 锂电池 -疫情 NOT 停产")
    body = es.article_query(parsed, {"park": ("西安高新区",), "year": (2020,),
                                     "author": ("张三",), "mentions": ("杨凌农高区",)})
    must = body["bool"]["filter"]
    assert must[0] == {"term": {"django_ct": "archive.article"}}
    # Facet params become their index fields; years are numbers, as the field is.
    for term in ({"park": "西安高新区"}, {"year": 2020}, {"authors": "张三"},
                 {"parks": "杨凌农高区"}):
        assert {"term": term} in must
    groups = [c["bool"]["should"] for c in must if "bool" in c]
    assert groups == [[es.needle_clause("西安")],
                      [es.needle_clause("动力电池"), es.needle_clause("锂电池")]]
    assert body["bool"]["must_not"] == [es.needle_clause("疫情"), es.needle_clause("停产")]
    assert "should" not in body["bool"]  # matching never depends on scoring clauses


def test_traditional_needles_make_the_same_request_as_simplified() -> None:
    assert es.needle_clause("國家高新區") == es.needle_clause("国家高新区")
    assert es.article_query(parse("复工，國家高新區"), {}) == es.article_query(
        parse("复工 国家高新区"), {}
    )
    pairs, _ = es.gram_streams("國家高新區")
    assert pairs == es.gram_streams("国家高新区")[0]


def test_title_needles_and_conditions_become_the_same_plan_as_on_whoosh() -> None:
    parsed = parse("标题:高新区 动力电池 -title:疫情")
    ids = Restriction(np.array([3, 5], dtype=np.int64), np.array([7], dtype=np.int64))
    body = es.article_query(parsed, {}, ids)
    must, must_not = body["bool"]["filter"], body["bool"]["must_not"]
    assert {"terms": {"django_id": ["3", "5"]}} in must
    assert {"terms": {"django_id": ["7"]}} in must_not
    groups = [c["bool"]["should"] for c in must if "bool" in c]
    assert groups == [[es.needle_clause("高新区", "headline")], [es.needle_clause("动力电池")]]
    assert es.needle_clause("疫情", "headline") in must_not
    # A title needle ranks by the headline and its words, not the whole text.
    rank = es.rank_query([es.needle_of(n) for c in parsed.positive for n in c.needles])
    assert es.needle_clause("高新区", "text") not in rank
    assert es.needle_clause("动力电池", "text") in rank
    # Conditions nothing satisfies, and input with nothing to search for, match nothing.
    nothing = Restriction(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert {"match_none": {}} in es.article_query(parse("高新区"), {}, nothing)["bool"]["filter"]
    assert {"match_none": {}} in es.article_query(parse("("), {})["bool"]["filter"]


def test_the_search_body_counts_facets_over_the_matches_and_sorts_as_asked() -> None:
    match = es.match_query([["高新区"]])
    rank = es.rank_query(["高新区"])
    ranked = es.search_body(match, rank, facet_fields=["park", "year"], start=40, size=20)
    assert ranked["query"]["bool"]["filter"] == match["bool"]["filter"]
    assert ranked["query"]["bool"]["should"] == rank and "sort" not in ranked
    assert (ranked["from"], ranked["size"], ranked["track_total_hits"]) == (40, 20, True)
    assert ranked["aggs"] == {
        "park": {"terms": {"field": "park", "size": es.FACET_SIZE}},
        "year": {"terms": {"field": "year", "size": es.FACET_SIZE}},
    }
    assert es.FACET_SIZE >= FACET_VALUES_MAX  # every value the page or API shows is counted
    newest = es.search_body(match, [], sort="newest")
    oldest = es.search_body(match, [], sort="oldest")
    assert newest["query"] == match and "aggs" not in newest
    assert newest["sort"][0] == {"issue_date": {"order": "desc", "missing": "_last"}}
    assert oldest["sort"][0] == {"issue_date": {"order": "asc", "missing": "_last"}}


def test_similar_articles_use_the_key_words_and_never_the_article_itself() -> None:
    body = es.similar_body("archive.article.7", "西安高新区 动力电池 2020年 产", 5, 12)
    assert body is not None
    like = body["query"]["bool"]["must"][0]["more_like_this"]
    words = like["like"].split()
    assert "动力电池" in words and not any(any(c.isdigit() for c in w) for w in words)
    assert all(len(w) >= 2 for w in words)
    assert (like["fields"], like["max_query_terms"], like["min_doc_freq"]) == ([WORDS], 12, 1)
    assert body["query"]["bool"]["must_not"] == [{"ids": {"values": ["archive.article.7"]}}]
    assert body["query"]["bool"]["filter"] == [{"term": {"django_ct": "archive.article"}}]
    assert es.similar_body("archive.article.7", "2020 年 3", 5, 12) is None


def test_spelling_candidates_are_ordered_as_the_whoosh_corrector_orders_them() -> None:
    found = {"动力电池": 3, "动力电站": 5, "动力": 9, "动力电尺": 1, "电池": 7}
    assert es.pick_corrections("动力电尺", found) == ["动力电池", "动力电站"]
    assert es.pick_corrections("电尺", {"电池": 2, "电站": 9}) == ["电池"]  # sound only
    body = es.corrections_body("动力电尺")["suggest"]["fix"]["term"]
    assert body["prefix_length"] == 0 and body["min_word_length"] <= 2


@pytest.mark.django_db
def test_spelling_over_the_whole_lexicon_equals_the_whoosh_corrector() -> None:
    """Given every indexed word as a candidate, the cluster's ordering is Whoosh's."""

    def lexicon(searcher) -> dict[str, int]:
        return {b.decode(): searcher.doc_frequency(WORDS, b.decode())
                for b in searcher.reader().lexicon(WORDS)}

    words = get_backend().read(lexicon)
    suggested = 0
    for typo in ("动力电尺", "西安高心区", "光服", "天津宾海", "招商引姿", "电尺"):
        whoosh = get_backend().read(lambda s, t=typo: corrections(s, WORDS, t))
        assert es.pick_corrections(typo, words) == whoosh, typo
        suggested += bool(whoosh)
    assert suggested >= 2


@pytest.mark.django_db
def test_mapping_and_documents_use_python_tokens() -> None:
    backend = es.ParkNewsElasticsearchBackend("default", URL="http://127.0.0.1:9", INDEX_NAME="t")
    fields = connections["default"].get_unified_index().all_searchfields()
    content, mapping = backend.build_schema(fields)
    assert content == "text"
    for name in ("text", "text_chars", "headline", "headline_chars", "words"):
        assert mapping[name]["analyzer"] == "whitespace"
    for name in ("id", "django_ct", "django_id", "park", "parks", "province", "authors",
                 "figure_kinds"):
        assert mapping[name]["type"] == "keyword", name
    assert (mapping["year"]["type"], mapping["issue_date"]["type"]) == ("long", "date")
    article = Article.objects.public().first()
    index = ArticleIndex()
    doc = backend._prepare_object(index, article)
    assert (doc["text"], doc["text_chars"]) == es.gram_streams(index.prepare_text(article))
    assert doc["words"] == es.word_stream(index.prepare_words(article))
    # The fingerprint is check_index's: of the document before tokenising.
    plain = {k: backend._from_python(v) for k, v in index.full_prepare(article).items()}
    assert doc["fingerprint"] == es.fingerprint(plain)


def test_the_index_is_created_with_a_signature_and_room_for_every_page() -> None:
    mapping = {"text": dict(es.TOKEN_FIELD)}
    body = es.index_body(mapping)
    assert body["settings"]["index"]["max_result_window"] >= MAX_PAGE * MAX_PER_PAGE
    assert body["settings"]["index"]["number_of_shards"] == 1
    assert body["mappings"]["properties"] == mapping
    changed = es.index_body({"text": {**es.TOKEN_FIELD, "analyzer": "standard"}})
    assert body["mappings"]["_meta"] != changed["mappings"]["_meta"]


@pytest.mark.django_db
def test_writes_skip_unchanged_ignore_missing_deletes_and_raise_other_errors(
    monkeypatch,
) -> None:
    import elasticsearch.helpers
    from haystack.exceptions import SearchBackendError

    backend = es.ParkNewsElasticsearchBackend("default", URL="http://127.0.0.1:9", INDEX_NAME="t")
    backend.setup_complete = True
    monkeypatch.setattr(backend.conn.indices, "refresh", lambda **kw: None)
    stored: dict[str, str | None] = {}
    monkeypatch.setattr(backend, "fingerprints_of", lambda ids: stored)
    sent: list[dict] = []
    errors: list[dict] = [{"delete": {"status": 404, "_id": "archive.article.0"}}]
    monkeypatch.setattr(elasticsearch.helpers, "bulk",
                        lambda conn, actions, **kw: (sent.extend(actions), (len(sent), errors))[1])
    index = ArticleIndex()
    article = Article.objects.public().first()
    report = backend.apply(index, [article], ["archive.article.0"])
    assert (report.written, report.removed, report.unchanged) == (1, 0, 0)
    source = sent[0]["_source"]
    assert source["text"] == es.gram_streams(index.prepare_text(article))[0]
    stored[source["id"]] = source["fingerprint"]
    sent.clear()
    report = backend.apply(index, [article], [])
    assert (report.written, report.unchanged, sent) == (0, 1, [])
    errors.append({"index": {"status": 400, "_id": "x"}})
    with pytest.raises(SearchBackendError):
        backend.apply(index, [article], [], skip_unchanged=False)


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


# A cluster that refuses connections (a real closed port, no server needed).


def test_an_error_names_the_host_on_one_line_and_never_the_password() -> None:
    port = closed_port()
    backend = es.ParkNewsElasticsearchBackend(
        "default", URL=f"http://user:s3cret@127.0.0.1:{port}", INDEX_NAME="t"
    )
    with pytest.raises(SearchUnavailable) as raised:
        backend.doc_count()
    message = str(raised.value)
    assert message == f"Elasticsearch at 127.0.0.1:{port} did not answer (ConnectionError)"
    assert "s3cret" not in message and "\n" not in message


@pytest.mark.django_db
def test_an_unreachable_cluster_gives_the_broken_index_paths(client, admin_client) -> None:
    port = closed_port()
    article = Article.objects.filter(park__name="西安高新区").order_by("pk").first()
    with site_on(f"http://127.0.0.1:{port}", f"parknews-down-{uuid.uuid4().hex[:8]}"):
        page = client.get("/search/", {"q": "高新区"})
        assert page.status_code == 503 and UNAVAILABLE in page.content.decode()
        api = client.get("/api/search/", {"q": "高新区"})
        assert api.status_code == 503 and api.json()["error"] == UNAVAILABLE
        health = client.get("/healthz")
        assert health.status_code == 503
        # Hosts and error texts are for staff (and the log), not for anyone asking.
        assert health.content.decode() == "search index: not answering"
        health = admin_client.get("/healthz")
        assert health.status_code == 503
        assert health.content.decode() == (
            f"search index: Elasticsearch at 127.0.0.1:{port} did not answer (ConnectionError)"
        )
        # Article pages stay up: similar articles fall back to the same park.
        assert client.get(article.get_absolute_url()).status_code == 200
        assert {a.park_id for a in similar_articles(article)} == {article.park_id}
        # Writes stay queued, in the data directory (there is no index directory).
        assert writer.sync_articles([article.pk], wait=1.0) is None
        assert article.pk in writer.pending_ids()
        with pytest.raises(CommandError):
            call_command("check_index", stdout=io.StringIO())
        with pytest.raises(CommandError, match=f"127.0.0.1:{port}"):
            call_command("check_index", "--repair", stdout=io.StringIO())


# Against a real cluster.


@contextmanager
def cluster_site() -> Iterator[es.ParkNewsElasticsearchBackend]:
    """The site on an index of its own in the cluster at ELASTICSEARCH_URL, built by
    rebuild_index from the test database (the seeds), deleted afterwards."""
    with site_on(ES_URL, f"parknews-test-{uuid.uuid4().hex[:8]}") as backend:
        try:
            call_command("rebuild_index", interactive=False, verbosity=0)
            yield backend
        finally:
            backend.conn.indices.delete(index=backend.index_name, ignore=[404])


@pytest.fixture
def cluster(db) -> Iterator[es.ParkNewsElasticsearchBackend]:
    with cluster_site() as backend:
        yield backend


@pytest.fixture
def es_backend():
    backend = es.ParkNewsElasticsearchBackend(
        "default", URL=ES_URL, INDEX_NAME=f"parknews-test-{uuid.uuid4().hex[:8]}"
    )
    yield backend
    backend.conn.indices.delete(index=backend.index_name, ignore=[404])


QUERIES = [
    "高新区", "动力电池", "招商 项目", "人才 OR 就业", "复工 -疫情", '"一区十园"', "区",
    "71.69", "疫情 防控", "西安 -项目", "不存在的词语", "杨凌", "",
]


def whole_answer(api, **params) -> dict:
    """Every page of one search: count, facets, ids in order, issue dates."""
    first = api(per_page=50, **params)
    results = list(first["results"])
    for page in range(2, first["num_pages"] + 1):
        results += api(per_page=50, page=page, **params)["results"]
    return {
        "count": first["count"],
        "facets": first["facets"],
        "ids": [r["id"] for r in results],
        "dates": [r["issue_date"] for r in results],
    }


def site_answers(api) -> dict[tuple, dict]:
    answers = {}
    for q in QUERIES:
        for sort in ("relevance", "newest", "oldest"):
            answers[(q, sort)] = whole_answer(api, q=q, sort=sort)
    for param, value in (("park", "西安高新区"), ("province", "陕西省"), ("year", "2020")):
        answers[(param, value)] = whole_answer(api, q="项目", **{param: value})
        answers[("", param, value)] = whole_answer(api, **{param: value})
    return answers


@needs_server
def test_the_site_search_on_the_cluster_answers_as_on_whoosh(api) -> None:
    """Counts, result sets, facets and date order of every page of many searches (needles,
    AND, OR, NOT, phrases, one character, filters, browsing) equal the Whoosh index's."""
    on_whoosh = site_answers(api)
    with cluster_site():
        on_cluster = site_answers(api)
    texts = corpus()
    for key, answer in on_cluster.items():
        mine, theirs = answer, on_whoosh[key]
        assert mine["count"] == theirs["count"] == len(mine["ids"]) == len(set(mine["ids"])), key
        assert set(mine["ids"]) == set(theirs["ids"]), key
        assert mine["facets"] == theirs["facets"], key
        if key[-1] in ("newest", "oldest"):
            assert mine["dates"] == theirs["dates"], key
    assert set(on_cluster[("复工 -疫情", "relevance")]["ids"]) == expected(
        all_of=["复工"], none_of=["疫情"], texts=texts)
    assert set(on_cluster[("人才 OR 就业", "relevance")]["ids"]) == expected(
        any_of=[["人才", "就业"]], texts=texts)


@needs_server
def test_the_search_page_lists_marked_hits_facets_and_the_last_page(
    client, api, cluster
) -> None:
    html = client.get("/search/", {"q": "动力电池"}).content.decode()
    assert "找到 2 篇文章" in html and "<mark>动力电池</mark>" in html and "园区" in html
    last = api(q="高新区", page=999)
    assert last["page"] == last["num_pages"] and last["results"]
    assert api(q="高新区")["results"][0]["score"] is not None
    assert api(q="动力电尺")["suggestion"] == "动力电池"
    assert api(q="西安高新区动力电池")["suggestion"] == "西安高新区 动力电池"


@needs_server
def test_healthz_is_ok_then_reports_a_lost_index_until_check_index_repairs_it(
    client, cluster
) -> None:
    assert client.get("/healthz").content == b"ok"
    cluster.conn.indices.delete(index=cluster.index_name)
    first = client.get("/healthz")
    assert first.status_code == 503 and b"search index" in first.content
    # The next look recreates the index empty, which the count of documents shows.
    again = client.get("/healthz")
    assert again.status_code == 503 and b"0 documents for" in again.content
    call_command("check_index", "--repair", stdout=io.StringIO())
    assert client.get("/healthz").content == b"ok"


@needs_server
def test_rebuild_index_and_check_index_find_and_repair_what_differs(api, cluster) -> None:
    public = Article.objects.public().count()
    assert cluster.doc_count() == public
    out = io.StringIO()
    call_command("check_index", stdout=out)
    assert "0 missing, 0 orphaned, 0 stale, 0 queued" in out.getvalue()

    stale, lost = Article.objects.public().order_by("pk")[:2]
    Article.objects.filter(pk=stale.pk).update(title="未经同步的标题")  # no signal
    cluster.apply(None, (), [f"archive.article.{lost.pk}"])
    with pytest.raises(CommandError):
        call_command("check_index", stdout=io.StringIO())
    out = io.StringIO()
    call_command("check_index", "--repair", stdout=out)
    assert "1 missing, 0 orphaned, 1 stale" in out.getvalue()
    assert [r["id"] for r in api(q="未经同步的标题")["results"]] == [stale.pk]
    call_command("rebuild_index", interactive=False, verbosity=0)
    assert cluster.doc_count() == public


@needs_server
def test_an_outdated_index_is_reported_and_rebuilt(client, cluster) -> None:
    cluster.conn.indices.put_mapping(index=cluster.index_name,
                                     body={"_meta": {es.SIGNATURE_KEY: "old"}})
    connections.reload("default")
    response = client.get("/healthz")
    assert response.status_code == 503 and b"rebuild_index" in response.content
    call_command("check_index", "--repair", stdout=io.StringIO())
    assert client.get("/healthz").content == b"ok"


@needs_server
def test_an_ingested_page_is_searchable(
    api, cluster, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    seed = SEEDS / "002_559b40d3858c5e08.txt"
    text = seed.read_text(encoding="utf-8")
    assert "复工率达96%" in text
    page = tmp_path / "es_ingest_case.txt"
    page.write_text(text.replace("复工率达96%", "复工率达96%并试点氢能重卡编队"), encoding="utf-8")
    assert api(q="氢能重卡编队")["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest", str(page), stdout=io.StringIO(), stderr=io.StringIO())
    found = api(q="氢能重卡编队")
    assert found["count"] == 1
    assert Article.objects.get(pk=found["results"][0]["id"]).page.source == page.name
    assert writer.pending_ids() == set()


@needs_server
def test_an_admin_edit_is_reindexed(client, api, cluster, django_capture_on_commit_callbacks):
    user = User.objects.create_superuser("es-editor", "es@example.org", "pw")
    client.force_login(user)
    article = Article.objects.public().filter(park__name="西安高新区").order_by("pk").first()
    url = f"/admin/archive/article/{article.pk}/change/"
    data = form_data(client.get(url).content.decode(), "article_form")
    data["title"] = ["西安高新区量子通信产业园开工"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [r["id"] for r in api(q="量子通信产业园")["results"]] == [article.pk]


@needs_server
def test_similar_articles_come_from_the_cluster(cluster) -> None:
    article = Article.objects.get(title__startswith="西安高新区:以大产业")
    ids = cluster.similar_ids(article.pk, _article_text(article), 5, KEY_TERMS)
    assert ids and article.pk not in ids
    similar = similar_articles(article, limit=5)
    assert [a.pk for a in similar] == ids
    assert any(a.park and a.park.name == "西安高新区" for a in similar[:3])


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
    again = es_backend.apply(index, index.index_queryset(), [])
    assert (again.written, again.unchanged) == (0, report.written)


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
    removed = es_backend.apply(index, [], [f"archive.article.{victim}"])
    assert removed.removed == 1
    after = es_backend.search_articles(es.match_query([], filters={"park": [park]}), [])
    assert after.count == count - 1
