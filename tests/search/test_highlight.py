"""Highlighting marks exactly the matches, maps them back to the printed text, escapes
everything else — in the page, the API and haystack's SearchQuerySet.highlight()."""

from __future__ import annotations

import re
from html import unescape

import pytest
from haystack.query import SearchQuerySet

from archive.models import Article, Page, Park
from archive.search.analysis import fold_needle
from archive.search.highlight import highlight, snippet
from archive.search.query import parse
from archive.search.writer import sync_articles

MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def test_html_in_the_text_is_escaped_and_matches_marked() -> None:
    assert highlight("<b>高新区</b>", ["高新区"]) == "&lt;b&gt;<mark>高新区</mark>&lt;/b&gt;"
    assert highlight("<script>alert(1)</script>", ["script"]) == (
        "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
    )


def test_marks_land_on_the_printed_characters() -> None:
    assert highlight("全国最大ＩＤＣ机房", ["idc"]) == "全国最大<mark>ＩＤＣ</mark>机房"
    assert highlight("总投资71.69亿元\n西安", ["亿元 西安"]) == "总投资71.69<mark>亿元\n西安</mark>"


def test_overlapping_matches_make_one_mark() -> None:
    assert highlight("动力电池项目", ["动力电池", "电池项"]) == "<mark>动力电池项</mark>目"


def test_a_snippet_is_a_window_around_the_matches() -> None:
    text = "开头。" + "无关的文字，" * 40 + "这里有动力电池项目。" + "后面的文字，" * 40
    cut = snippet(text, ["动力电池"], size=60)
    assert "<mark>动力电池</mark>" in cut
    assert cut.startswith("…") and cut.endswith("…")
    assert len(unescape(MARK.sub(r"\1", cut))) <= 62
    assert snippet(text, ["没有的词"], size=20).startswith("开头")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "q", ["动力电池", "西安 项目", "71.69", "IDC", '"亿元 西安"', "新区 OR 集群"]
)
def test_every_hit_marks_what_was_searched_and_nothing_else(api, q: str) -> None:
    needles = set(parse(q).needles())
    results = api(q=q, per_page=50)["results"]
    assert results
    for result in results:
        marked = MARK.findall(result["highlight"]) + MARK.findall(result["title_highlight"])
        assert marked, result["title"]
        for text in marked:
            folded = fold_needle(unescape(text))
            assert any(n in folded for n in needles), (q, text)
        article = Article.objects.get(pk=result["id"])
        plain = unescape(MARK.sub(r"\1", result["title_highlight"]))
        assert plain == article.title


@pytest.mark.django_db
def test_excluded_words_are_not_marked(api) -> None:
    for result in api(q="项目 -西安")["results"]:
        assert all("西安" not in m for m in MARK.findall(result["highlight"]))


@pytest.mark.django_db
def test_haystack_highlight_uses_the_same_analysis() -> None:
    results = list(SearchQuerySet().filter(content="动力电池").highlight())
    assert results
    for result in results:
        assert "<mark>动力电池</mark>" in result.highlighted["text"][0]


@pytest.mark.django_db
def test_a_page_with_a_script_tag_never_runs_it(client, scratch_index) -> None:
    page = Page.objects.create(source="evil.txt", content_hash="x", raw_text="x")
    park = Park.objects.get(name="宁波高新区")
    article = Article.objects.create(
        page=page,
        ordinal=1,
        title="<script>alert('t')</script>恶意标题",
        body="正文<script>alert('b')</script>包含<img src=x onerror=alert(1)>恶意内容",
        authors=["<b>作者</b>"],
        park=park,
    )
    sync_articles([article.pk], strict=True)
    html = client.get("/search/", {"q": "恶意"}).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>作者" not in html
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;<mark>恶意</mark>标题" in html
    assert "&lt;img src=x onerror=alert(1)&gt;<mark>恶意</mark>内容" in html
    result = client.get("/api/search/", {"q": "script"}).json()["results"][0]
    assert "<script>" not in result["highlight"]
    assert "&lt;<mark>script</mark>&gt;" in result["highlight"]
