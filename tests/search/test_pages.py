"""The search page and API as a reader meets them: paging, sorting, help when nothing is
found, any input at all, similar articles and the health check."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Article
from archive.search.similar import similar_articles
from tests.search.conftest import expected

pytestmark = pytest.mark.django_db


def test_the_page_lists_hits_with_title_park_date_and_snippet(client) -> None:
    html = client.get("/search/", {"q": "动力电池"}).content.decode()
    assert "找到 2 篇文章" in html
    item = re.search(r'<li class="article-item">(.*?)</li>', html, re.S)[1]
    assert "/articles/" in item and "<mark>动力电池</mark>" in item
    # The seeds' dates are estimated from their text: shown as the year, marked 约.
    assert "高新区" in item and re.search(r"约\d{4}年|\d{4}年\d{1,2}月\d{1,2}日", item)


def test_pages_cover_every_result_once(api) -> None:
    first = api(q="高新区")
    assert first["num_pages"] > 1
    seen: list[int] = []
    for page in range(1, first["num_pages"] + 1):
        seen += [r["id"] for r in api(q="高新区", page=page)["results"]]
    assert len(seen) == len(set(seen)) == first["count"] == len(expected(["高新区"]))


def test_a_page_past_the_end_shows_the_last_page(api) -> None:
    last = api(q="高新区", page=999)
    assert last["page"] == last["num_pages"] and last["results"]


def test_sorting_by_date_keeps_the_filters_and_orders_by_date(client, api) -> None:
    html = client.get("/search/", {"q": "项目", "province": "陕西省"}).content.decode()
    sort_link = re.search(r'<a href="([^"]+)"[^>]*>日期（新→旧）</a>', html)[1]
    params = parse_qs(urlsplit(unescape(sort_link)).query)
    assert params == {"q": ["项目"], "province": ["陕西省"], "sort": ["newest"]}
    newest = api(q="项目", sort="newest", per_page=50)["results"]
    dates = [r["issue_date"] for r in newest]
    assert dates == sorted(dates, reverse=True)
    oldest = [r["issue_date"] for r in api(q="项目", sort="oldest", per_page=50)["results"]]
    assert oldest == sorted(oldest)
    assert {r["id"] for r in newest} == expected(["项目"])


def test_nothing_found_suggests_a_split_a_spelling_or_a_park(client, api) -> None:
    run_together = api(q="西安高新区动力电池")
    assert run_together["count"] == 0 and run_together["suggestion"] == "西安高新区 动力电池"
    assert api(q="动力电尺")["suggestion"] == "动力电池"
    # An alias finds the zone's articles; one of a zone nothing covers points to the zone.
    assert api(q="天津高新区")["count"] == Article.objects.filter(
        Q(park__name="天津滨海高新区") | Q(parks__name="天津滨海高新区")
    ).distinct().count() > 0
    alias = api(q="光谷")
    assert alias["count"] == 0
    assert [p["name"] for p in alias["parks"]] == ["东湖高新区"]
    html = client.get("/search/", {"q": "光谷"}).content.decode()
    assert "没有找到" in html and 'href="/parks/' in html
    only_park = re.search(r'class="park-filter" href="([^"]+)"', html)[1]
    assert parse_qs(urlsplit(unescape(only_park)).query) == {"park": ["东湖高新区"]}
    html = client.get("/search/", {"q": "动力电尺"}).content.decode()
    assert "您是不是要找" in html and "q=%E5%8A%A8%E5%8A%9B%E7%94%B5%E6%B1%A0" in html


NASTY = [
    '"unbalanced',
    '""',
    "*",
    "**",
    "?",
    "-",
    "OR",
    "NOT",
    "AND OR NOT",
    "-高新区",
    "((((",
    ")",
    "\\",
    "高" * 10_000,
    "x " * 5_000,
    "\x00\x01\x02\x1b[31m",
    "\u200b\ufeff\u202e",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "text:高新区",
    "id:archive.article.1",
    "django_ct:*",
    "高新区~2",
    "[a TO z]",
    "{}^~:+",
    "🙂",
    "ℌ𝔢𝔩𝔩𝔬",
]


@pytest.mark.parametrize("q", NASTY, ids=range(len(NASTY)))
def test_any_input_gives_a_page_or_a_message_never_an_error(client, q: str) -> None:
    page = client.get("/search/", {"q": q})
    assert page.status_code == 200
    assert b"<script>alert" not in page.content
    api = client.get("/api/search/", {"q": q, "page": "x", "per_page": "-3", "year": "abc"})
    assert api.status_code == 200 and "count" in api.json()


def test_a_query_that_looks_like_index_syntax_is_just_text(api) -> None:
    assert api(q="text:高新区")["count"] == len(expected(["text:高新区"])) == 0
    assert api(q="id:archive.article.1")["count"] == 0


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=60))
def test_random_input_never_breaks_the_api(client, q: str) -> None:
    response = client.get("/api/search/", {"q": q})
    assert response.status_code == 200


def test_the_api_has_the_contract_shape(api) -> None:
    result = api(q="宁波")
    assert set(result) >= {"count", "results", "facets"}
    assert set(result["results"][0]) >= {"id", "title", "park", "url", "highlight"}
    assert result["facets"]["park"][0] == ["宁波高新区", result["facets"]["park"][0][1]]


def test_similar_articles_are_other_public_articles_about_the_same_things() -> None:
    article = Article.objects.get(title__startswith="西安高新区:以大产业")
    similar = similar_articles(article, limit=5)
    assert 0 < len(similar) <= 5
    assert article not in similar
    assert all(isinstance(a, Article) and a.body for a in similar)
    assert any(a.park and a.park.name == "西安高新区" for a in similar[:3])
    assert similar_articles(article, limit=0) == []


def test_healthz_says_ok_when_database_and_index_answer(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_the_page_has_nothing_inline_that_the_csp_blocks(client) -> None:
    html = client.get("/search/", {"q": "动力电池", "park": "西安高新区"}).content.decode()
    assert "<style" not in html and " style=" not in html
    assert "<script>" not in html and " onclick=" not in html


def test_only_safe_methods_are_answered(client) -> None:
    assert client.post("/search/", {"q": "x"}).status_code == 405
    assert client.head("/api/search/?q=x").status_code == 200
