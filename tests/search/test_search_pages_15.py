"""The search page's help, length cap and zone gaps, and the query carried to an article."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.models import Article, Park
from archive.search.query import MAX_INPUT_CHARS
from tests.web.html import parse as parse_html

pytestmark = pytest.mark.django_db

MARKS = re.compile(r"<mark>(.*?)</mark>", re.S)


def page(client, url: str, params: dict | None = None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200, url
    return response.content.decode()


def marked(html: str) -> list[str]:
    return [unescape(m) for m in MARKS.findall(html)]


def test_results_link_to_the_article_with_the_query(client) -> None:
    html = page(client, "/search/", {"q": "國家高新區"})
    links = re.findall(r'<h3 class="title"><a href="([^"]+)"', html)
    assert links
    for link in links:
        parts = urlsplit(unescape(link))
        assert re.fullmatch(r"/articles/[a-z0-9]+/", parts.path)
        assert parse_qs(parts.query)["q"] == ["國家高新區"]


def test_browsing_links_carry_no_query(client) -> None:
    html = page(client, "/search/", {"park": "西安高新区"})
    assert re.findall(r'<h3 class="title"><a href="/articles/[a-z0-9]+/"', html)


def test_the_article_page_marks_the_query_as_printed(client) -> None:
    article = Article.objects.public().filter(body__contains="国家高新区").first()
    want = article.body.count("国家高新区") + article.title.count("国家高新区")
    for q in ("国家高新区", "國家高新區", "國家高新区"):
        html = page(client, article.get_absolute_url(), {"q": q})
        assert marked(html).count("国家高新区") == want, q  # the printed text is marked
        assert f"{want} 处匹配" in html
        assert "回到搜索结果" in html
    plain = page(client, article.get_absolute_url())
    assert "<mark>" not in plain.split('id="source"')[0]


def test_figures_stay_linked_inside_marked_text(client) -> None:
    article = Article.objects.public().filter(body__contains="亿元").first()
    html = page(client, article.get_absolute_url(), {"q": "亿元"})
    body = html.split('class="article-body"')[1].split("</div>")[0]
    assert '<a class="fig"' in body and "<mark>亿元</mark>" in body


def test_a_hostile_query_is_escaped_on_the_article_page(client) -> None:
    article = Article.objects.public().first()
    for q in ('<script>x()</script>', '"><img src=x onerror=alert(1)>', "</mark><b>"):
        html = page(client, article.get_absolute_url(), {"q": q})
        assert "<script>x()" not in html and "<img src=x" not in html and "<b>" not in html
        parse_html(html)  # still well-formed


def test_the_help_panel_documents_every_operator(client) -> None:
    html = page(client, "/search/")
    panel = html.split('id="search-help"')[1].split("</details>")[0]
    assert "搜索帮助" in html
    for syntax in ("标题:", "title:", "作者:", "author:", "园区:", "park:", "2019..2021",
                   "date:2020-05..2020-06", "总投资&gt;=10亿元", "高新技术企业&gt;500家",
                   "动力电池 总投资&gt;=10亿元", "國家高新區", "复工，疫情"):
        assert syntax in panel, syntax
    assert "<script" not in panel and "style=" not in panel


def test_every_search_box_caps_the_query_length(client) -> None:
    for url, box in (("/search/", "search-q"), ("/parks/", "site-q"), ("/figures/", "site-q"),
                     ("/", "home-q")):
        html = page(client, url)
        tag = re.search(rf'<input id="{box}"[^>]*>', html).group(0)
        assert f'maxlength="{MAX_INPUT_CHARS}"' in tag, (url, box)
    assert f"最多 {MAX_INPUT_CHARS} 个字" in page(client, "/search/")


def test_a_long_query_is_cut_with_a_message_on_the_page(client) -> None:
    html = page(client, "/search/", {"q": "高新区" * 400})
    assert f"查询太长，只按前 {MAX_INPUT_CHARS} 个字符搜索" in html


@pytest.mark.parametrize("q", ["光谷", "张江", "東湖高新區", "光谷 动力电池"])
def test_an_uncovered_zone_is_named_with_nearest_queries_that_find_something(
    client, api, q
) -> None:
    body = api(q=q)
    assert body["count"] == 0
    (gap,) = body["zone_gaps"]
    covered = Park.objects.filter(articles__body__gt="").distinct().count()
    assert gap["message"] == f"本档案暂无{gap['park']}的报道；共收录 {covered} 个园区的报道"
    assert gap["nearest"]
    for nearest in gap["nearest"]:
        assert api(q=nearest["q"])["count"] == nearest["count"] > 0
    html = page(client, "/search/", {"q": q})
    assert gap["message"] in html and 'class="nearest"' in html


def test_the_zone_of_a_same_province_comes_first(api) -> None:
    gap = api(q="光谷")["zone_gaps"][0]
    assert gap["park"] == "东湖高新区"
    hubei = set(
        Park.objects.filter(province="湖北省", articles__body__gt="").values_list("name", flat=True)
    )
    assert hubei and gap["nearest"][0]["q"] in hubei


def test_a_covered_zone_has_no_gap(api) -> None:
    assert api(q="宁波高新区 不存在的词语组合")["zone_gaps"] == []


@pytest.mark.parametrize("q, queries", [("招商引姿", 0), ("宁波高新区 不存在的词语组合", 2)])
def test_zone_gaps_count_the_archives_zones_only_for_a_zone_without_articles(
        q, queries, django_assert_num_queries) -> None:
    """Counting every article's zone reads the whole archive: a typo naming no zone asks
    the database nothing, a covered zone its row and one EXISTS (the full count is for a
    real gap)."""
    from archive.search import dictionary, suggest
    from archive.search.query import parse

    dictionary.load_database_parks()
    suggest._zone_named("宁波高新区")  # the zone dictionary loaded outside the count
    with django_assert_num_queries(queries):
        assert suggest.zone_gaps(parse(q), {}) == []
