"""Search as Chinese readers type: traditional or mixed characters, Chinese punctuation.

Every query of issue 15 and its traditional form (OpenCC's own s2t, s2tw and s2hk
conversions, and a mix of both scripts) return the same articles and highlight the same
spans; words separated by Chinese or full-width punctuation equal the same words separated
by spaces. Over the ingested seeds, and over the seeds plus the development pages in
../shared/dev/pages when they are present.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import opencc
import pytest
from django.core.management import call_command

from archive.models import Article
from archive.search import writer
from tests.conftest import SHARED

pytestmark = pytest.mark.django_db

DEV_PAGES = SHARED / "dev" / "pages"
# The queries (words, a phrase, fields, ranges and figures).
QUERIES = [
    "国家高新区",
    "复工 疫情",
    "复工",
    "(复工)",
    '"产业集群"',
    "动力电池",
    "人才 OR 就业",
    "复工 -疫情",
    "总投资>=10亿元",
    "高新技术企业>500家",
    "动力电池 总投资>=10亿元",
    "2019..2021",
    "date:2020-05..2020-06",
    "标题:高新区",
    "作者:洪恒飞",
    "园区:宁波高新区",
    "光谷",
    "张江",
]
SEPARATORS = ["，", "、", "；", "：", "。", "！", "？", ",", ";", "（", "）", "【", "】", "…", "——"]
CONVERTERS = [opencc.OpenCC(name) for name in ("s2t", "s2tw", "s2hk")]


def traditional_forms(q: str) -> list[str]:
    forms = {c.convert(q) for c in CONVERTERS}
    full = CONVERTERS[0].convert(q)
    # Mixed: every other character traditional.
    forms.add("".join(t if i % 2 else s for i, (s, t) in enumerate(zip(q, full, strict=True))))
    return sorted(forms - {q}) or [q]


def check_traditional(found: Callable[..., set[int]], api: Callable[..., dict]) -> int:
    changed = 0
    for q in QUERIES:
        want = found(q)
        marks = highlights(api, q)
        for form in traditional_forms(q):
            changed += form != q
            assert found(form) == want, (q, form)
            assert highlights(api, form) == marks, (q, form)
    return changed


def highlights(api: Callable[..., dict], q: str) -> list[tuple[int, str, str]]:
    body = api(q=q, per_page=50)
    return [(r["id"], r["title_highlight"], r["highlight"]) for r in body["results"]]


def word_pairs(limit: int) -> list[tuple[str, str]]:
    """Pairs of words from article headlines (two or more characters, no punctuation)."""
    titles = Article.objects.public().exclude(title="").values_list("title", flat=True)
    words = []
    for title in titles:
        words += [w for w in (title[:2], title[-2:]) if w.isalnum()]
    words = sorted(set(words))
    return list(itertools.islice(itertools.combinations(words, 2), 0, None, 7))[:limit]


def check_punctuation(found: Callable[..., set[int]]) -> int:
    pairs = [("复工", "疫情"), ("动力电池", "项目"), *word_pairs(12)]
    nonempty = 0
    for (a, b), sep in itertools.product(pairs, SEPARATORS):
        want = found(f"{a} {b}")
        nonempty += bool(want)
        assert found(f"{a}{sep}{b}") == want, (a, sep, b)
    assert found("(复工)") == found("复工") == found("（复工）")
    return nonempty


def test_traditional_and_mixed_forms_equal_the_simplified_query(found, api) -> None:
    assert found("国家高新区")  # the seeds cover it
    assert check_traditional(found, api) > len(QUERIES)


def test_punctuation_separated_equals_space_separated(found) -> None:
    assert check_punctuation(found) > 0


def test_a_lone_bracket_finds_nothing_and_says_why(api, client) -> None:
    for q in ("(", "（", "，", "()"):
        body = api(q=q)
        assert body["count"] == 0 and body["results"] == [] and body["notes"], q
    page = client.get("/search/", {"q": "("}).content.decode()
    assert "没有可以搜索的文字" in page


@pytest.mark.skipif(not DEV_PAGES.is_dir(), reason="../shared/dev/pages not present")
def test_the_same_over_the_development_pages(
    found, api, scratch_index, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest", str(DEV_PAGES), verbosity=0)
    writer.sync_articles(list(Article.objects.public().values_list("pk", flat=True)), strict=True)
    seeds_only = Article.objects.public().filter(page__source__regex=r"^\d{3}_").count()
    assert Article.objects.public().count() > seeds_only
    assert check_traditional(found, api) > len(QUERIES)
    assert check_punctuation(found) > 0
