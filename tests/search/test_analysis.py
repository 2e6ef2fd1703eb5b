"""Analysis: folding, grams, jieba words with positions, and a real Whoosh index over them."""

from __future__ import annotations

import pytest
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from archive.search import analysis, dictionary
from archive.search.analysis import BARRIER, fold, grams, needle_grams, words


def test_fold_is_nfkc_lower_case_with_whitespace_collapsed_and_maps_back() -> None:
    text = "ＩＤＣ数据\n\n机房 Ｒ＆Ｄ"
    folded = fold(text)
    assert folded.text == "idc数据 机房 r&d"
    start = folded.text.index("机房")
    assert text[slice(*folded.span(start, start + 2))] == "机房"
    assert text[slice(*folded.span(0, 3))] == "ＩＤＣ"


def test_fold_turns_traditional_into_simplified_character_by_character() -> None:
    text = "本報訊 國家高新區，後來"
    folded = fold(text)
    assert folded.text == "本报讯 国家高新区,后来"
    assert fold("國家高新区").text == fold("国家高新区").text
    start = folded.text.index("国家高新区")
    assert text[slice(*folded.span(start, start + 5))] == "國家高新區"
    # Characters simplified text uses every day stay as they are.
    assert fold("什么 著名 乾隆").text == "什么 著名 干隆"


def test_fold_keeps_combining_marks_with_their_letter_and_bars_control_characters() -> None:
    assert fold("cafe\u0301").text == "café"
    assert fold("a\x00b\u200bc").text == f"a{BARRIER}b{BARRIER}c"


def test_grams_are_characters_and_pairs_at_ordinal_positions() -> None:
    terms = grams("高新区")
    assert [(t.text, t.position) for t in terms] == [
        ("高", 0), ("高新", 0), ("新", 1), ("新区", 1), ("区", 2),
    ]


def test_no_gram_crosses_a_barrier() -> None:
    texts = {t.text for t in grams(f"西安{BARRIER}高新")}
    assert "安高" not in texts and {"西安", "高新"} <= texts


def test_a_needle_is_its_character_or_its_overlapping_pairs() -> None:
    assert needle_grams("区") == ["区"]
    assert needle_grams("71.69") == ["71", "1.", ".6", "69"]


def test_words_are_jieba_search_mode_with_sub_words_at_the_parent_position() -> None:
    terms = words("动力电池生产规模")
    by_text = {t.text: t.position for t in terms}
    assert by_text["动力电池"] == by_text["动力"] == by_text["电池"] == 0
    assert by_text["生产"] == 1
    assert [t.position for t in terms] == sorted(t.position for t in terms)


@pytest.mark.parametrize(
    ("name", "parts"),
    [("天津滨海高新区", {"天津", "滨海", "高新区"}), ("杨凌农高区", {"杨凌", "农高区"})],
)
def test_park_names_are_whole_words_with_their_parts(name: str, parts: set[str]) -> None:
    dictionary.load_registry()
    found = {t.text for t in words(f"{name}打造产业集群")}
    assert name in found
    assert parts <= found


def test_park_words_add_stems_and_zone_words() -> None:
    assert dictionary.park_words(["杨凌农高区"]) == {"杨凌农高区", "杨凌", "农高区"}
    assert dictionary.park_words(["x"]) == set()


@pytest.fixture
def ram_index():
    schema = Schema(
        id=ID(stored=True, unique=True),
        text=TEXT(analyzer=analysis.GramAnalyzer(), phrase=True, multitoken_query="phrase"),
        words=TEXT(analyzer=analysis.WordAnalyzer(), phrase=True),
    )
    index = RamStorage().create_index(schema)
    writer = index.writer()
    docs = {
        "a": f"总投资71.69亿元 西安高新区{BARRIER}10个项目集中开工",
        "b": "动力电池项目落户高新区",
        "c": "高新 区",
    }
    for key, text in docs.items():
        writer.add_document(id=key, text=text, words=text)
    writer.commit()
    return index


def ids(index, query) -> set[str]:
    with index.searcher() as searcher:
        return {hit["id"] for hit in searcher.search(query, limit=None)}


def test_gram_phrases_find_exact_substrings_only(ram_index) -> None:
    def find(needle: str) -> set[str]:
        grams_ = needle_grams(analysis.fold_needle(needle))
        query = wq.Term("text", grams_[0]) if len(grams_) == 1 else wq.Phrase("text", grams_)
        return ids(ram_index, query)

    assert find("高新区") == {"a", "b"}
    assert find("新区") == {"a", "b"}
    assert find("71.69") == {"a"}
    assert find("亿元 西安") == {"a"}  # a phrase with a space
    assert find("高新 区") == {"c"}
    assert find("区10") == set()  # across the field barrier
    assert find("电池项目落户") == {"b"}


def test_whooshs_own_parser_gets_substring_phrases_from_the_gram_field(ram_index) -> None:
    parser = QueryParser("text", ram_index.schema)
    assert ids(ram_index, parser.parse("动力电池")) == {"b"}
    assert ids(ram_index, parser.parse('"亿元 西安"')) == {"a"}


def test_word_phrases_work_because_positions_are_ordinal(ram_index) -> None:
    parser = QueryParser("words", ram_index.schema)
    assert ids(ram_index, parser.parse('"动力电池 项目"')) == {"b"}
    assert ids(ram_index, parser.parse('"电池 项目"')) == {"b"}  # sub-word at its parent's place


def test_index_postings_are_the_analyzers_terms(seed_texts) -> None:
    """The bulk writer's per-document postings (whoosh_bulk) are exactly the terms and
    positions the token analyzers give (used for queries and key terms)."""
    from collections import defaultdict

    from archive.search.analysis import word_positions
    from archive.search.whoosh_adapter import PackedPositions
    from archive.search.whoosh_bulk import GramText, gram_positions

    blank = [" ", analysis.BARRIER, f" {analysis.BARRIER} "]  # no gram at all
    for text in [*seed_texts.values(), "ａＢ  c\x00d\u200be\n\n高新区", "", " x ", *blank]:
        grams = defaultdict(list)
        for term in analysis.grams(text):
            grams[term.text].append(term.position)
        assert dict(gram_positions(text)) == dict(grams)
        words = defaultdict(list)
        for term in analysis.words(text):
            words[term.text].append(term.position)
        assert dict(word_positions(text)) == dict(words)
    # And the values the gram field writes: its count, then its positions.
    field = GramText(analyzer=analysis.GramAnalyzer())
    for text in [*seed_texts.values(), *blank]:
        expected = {t: PackedPositions().encode(p) for t, p in gram_positions(text).items()}
        assert {t: v for t, _, v in field.term_values(text)} == expected
        postings: dict = {}
        assert field.add_to(postings, 7, text, 1.0) == len(analysis.grams(text))
        assert {t: p[0][2] for t, p in postings.items()} == expected
