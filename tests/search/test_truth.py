"""Search finds every article that says the words and nothing else (seeds, over HTTP).

The expected set is computed from the database by plain substring tests
(`conftest.expected`), independently of the index and of the query parser.
"""

from __future__ import annotations

import random
import unicodedata

import pytest

from archive.models import Article
from archive.search.query import QUOTES, SEPARATORS
from tests.search.conftest import corpus, expected

pytestmark = pytest.mark.django_db

# (query, all_of, none_of, any_of, must find something)
CASES = [
    # single words
    ("投资", ["投资"], [], [], True),
    ("集群", ["集群"], [], [], True),
    ("区", ["区"], [], [], True),
    ("招商引资", ["招商引资"], [], [], True),
    # words jieba keeps inside longer tokens
    ("电池", ["电池"], [], [], True),  # in 动力电池
    ("新区", ["新区"], [], [], True),  # in 高新区
    ("农高", ["农高"], [], [], True),  # in 杨凌农高区
    ("新动", ["新动"], [], [], True),  # across 新 | 动能
    ("质量发", ["质量发"], [], [], True),
    # park names, parts and aliases
    ("杨凌农高区", ["杨凌农高区"], [], [], True),
    ("杨凌", ["杨凌"], [], [], True),
    ("天津滨海高新区", ["天津滨海高新区"], [], [], True),
    ("滨海高新区", ["滨海高新区"], [], [], True),
    ("厦门火炬高新区", ["厦门火炬高新区"], [], [], True),
    ("火炬", ["火炬"], [], [], True),
    ("天津高新区", ["天津高新区"], [], [], True),  # an alias: finds the zone's articles
    ("厦门高新区", ["厦门高新区"], [], [], True),  # alias of 厦门火炬高新区
    ("杨凌农业高新技术产业示范区", ["杨凌农业高新技术产业示范区"], [], [], True),
    ("光谷", ["光谷"], [], [], False),  # alias of a zone no seed article names
    # phrases
    ('"一区十园"', ["一区十园"], [], [], True),
    ('"亿元 西安"', ["亿元 西安"], [], [], True),
    ("“硬核”新政", ["“硬核”新政"], [], [], True),
    ('"(二期)"', ["(二期)"], [], [], True),
    # AND / OR / NOT
    ("西安 项目", ["西安", "项目"], [], [], True),
    ("高质量发展 营商环境", ["高质量发展", "营商环境"], [], [], True),
    ("动力电池 OR 光学膜", [], [], [["动力电池", "光学膜"]], True),
    ("西安 动力电池 OR 锂电池", ["西安"], [], [["动力电池", "锂电池"]], True),
    ("项目 -西安", ["项目"], ["西安"], [], True),
    ("投资 NOT 西安 NOT 宁波", ["投资"], ["西安", "宁波"], [], True),
    ("-疫情", [], ["疫情"], [], True),
    ("-高新区", [], ["高新区"], [], False),  # every article names a zone called 高新区
    ('双创 -"博士服务团"', ["双创"], ["博士服务团"], [], True),
    # figures and other non-CJK text
    ("71.69", ["71.69"], [], [], True),
    ("4165", ["4165"], [], [], True),
    ("5.6亿元", ["5.6亿元"], [], [], True),
    ("IDC", ["idc"], [], [], True),
    ("idc", ["idc"], [], [], True),
    ("ＩＤＣ", ["idc"], [], [], True),  # full-width
    ("5G", ["5g"], [], [], True),
    ("R&D", ["r&d"], [], [], True),
    ("K12", ["k12"], [], [], True),
    # authors
    ("李争粉", ["李争粉"], [], [], True),
    # nothing
    ("量子计算", ["量子计算"], [], [], False),
]


@pytest.mark.parametrize(
    ("q", "all_of", "none_of", "any_of", "nonempty"), CASES, ids=[c[0] for c in CASES]
)
def test_search_returns_exactly_the_articles_that_contain_the_words(
    found, q: str, all_of: list[str], none_of: list[str], any_of: list[list[str]], nonempty: bool
) -> None:
    truth = expected(all_of, none_of, any_of)
    assert bool(truth) == nonempty, "the case should test something"
    assert found(q) == truth


def test_every_article_is_found_by_any_piece_of_its_own_text(found) -> None:
    """Random substrings of the seeds (1–8 characters, spaces included) and pairs of
    them: the oracle and the search agree on every one."""
    rng = random.Random(20240603)
    documents = corpus()
    texts = [part for parts in documents.values() for part in parts]

    def piece(size: int) -> str:
        text = rng.choice(texts)
        start = rng.randrange(max(1, len(text) - size))
        return text[start : start + size].strip()

    def plain(word: str) -> bool:
        # Leave out what the syntax reads as an operator, quote, wildcard, separator
        # (punctuation, brackets), field colon or comparison.
        syntax = set('"*?|<>=≥≤') | set(QUOTES) | set(QUOTES.values()) | SEPARATORS
        return bool(word) and not (set(unicodedata.normalize("NFKC", word)) & syntax) and (
            word[0] not in "-+&" and word not in ("or", "and", "not")
        )

    queries = []
    for _ in range(70):
        text = piece(rng.randint(1, 8))
        if plain(text.replace(" ", "")):
            queries.append(([text], f'"{text}"' if " " in text else text))
    for _ in range(30):
        x, y = piece(2), piece(3)
        if plain(x) and plain(y) and " " not in x + y:
            queries.append(([x, y], f"{x} {y}"))
    assert len(queries) > 60
    for needles, q in queries:
        assert found(q) == expected(needles, texts=documents), q


def test_an_empty_query_and_a_lone_star_list_every_public_article(found) -> None:
    everything = set(Article.objects.public().values_list("pk", flat=True))
    assert found("") == everything
    assert found("*") == everything


def test_relevance_puts_headline_matches_before_body_matches(api) -> None:
    titles = [r["title"] for r in api(q="项目", per_page=50)["results"]]
    in_title = ["项目" in t for t in titles]
    assert any(in_title) and not all(in_title)
    assert in_title == sorted(in_title, reverse=True)
