"""Page → articles, as data: tests/data/segment/in/<case>.txt against out/<case>.json.

Each case shows one layout rule: page text cut from the seed pages, or pages written here
in the same layout for what the seeds do not show (wire datelines, headlines that name no
zone, long kickers, a zone named only by its alias). The JSON lists the expected
articles; keys left out are not checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.ingest.pipeline import process_page

DATA = Path(__file__).parent.parent / "data" / "segment"
CASES = sorted((DATA / "in").glob("*.txt"))
EXACT_KEYS = (
    "title", "kicker", "subtitle", "section", "dateline", "authors", "park", "credits",
    "captions",
    "starts_mid_sentence", "ends_mid_sentence", "has_fragment",
)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_it_segments_the_page_as_expected(case: Path, linker) -> None:
    expected = json.loads((DATA / "out" / f"{case.stem}.json").read_text(encoding="utf-8"))
    articles = process_page(case.read_text(encoding="utf-8"), linker)
    assert [a.title for a in articles] == [e["title"] for e in expected]
    for article, want in zip(articles, expected, strict=True):
        for key in EXACT_KEYS:
            if key in want:
                assert getattr(article, key) == want[key], (article.title, key)
        if "paragraphs" in want:
            assert len(article.paragraphs) == want["paragraphs"], article.paragraphs
        if "body_start" in want:
            assert article.body.startswith(want["body_start"]), article.body[:40]
        if "body_end" in want:
            assert article.body.endswith(want["body_end"]), article.body[-40:]
        for fragment in want.get("body_contains", []):
            assert fragment in article.body
        for fragment in want.get("body_excludes", []):
            assert fragment not in article.body


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_it_points_every_span_back_into_the_page(case: Path, linker) -> None:
    page = case.read_text(encoding="utf-8")
    for article in process_page(page, linker):
        assert article.spans == sorted(article.spans)
        for start, end in article.spans:
            assert 0 <= start < end <= len(page)
            assert page[start:end].strip() == page[start:end]
        covered = "".join(page[s:e] for s, e in article.spans)
        assert article.title.split(" ")[0] in covered


def test_it_keeps_headlines_bylines_and_credits_out_of_the_body(linker, seed_texts) -> None:
    for text in seed_texts.values():
        for article in process_page(text, linker):
            assert "图片来源" not in article.body
            assert "本报讯" not in article.body
            assert "►" not in article.body and "▶" not in article.body
            if article.title:
                assert not article.body.startswith(article.title)
            for author in article.authors:
                assert not article.body.rstrip().endswith(author)


def test_it_never_loses_body_text(linker, seed_texts) -> None:
    """Every body paragraph of the page lands in exactly one article."""
    for name, text in seed_texts.items():
        bodies = "".join(a.body.replace("\n", "") for a in process_page(text, linker))
        for line in text.splitlines():
            line = line.strip()
            if len(line) > 60 and not line.startswith("本报讯"):
                assert line[10:50] in bodies, (name, line[:30])


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("高新区本报讯记者图片来源:。,“”\n 王李张0123456789►")
                                        + [chr(c) for c in range(0x4E00, 0x4E40)]),
               max_size=800))
def test_it_returns_well_formed_articles_for_any_text(text: str) -> None:
    from archive.ingest.parks import ParkLinker, load_registry_csv
    from archive.registry import REGISTRY_CSV

    linker = _LINKER.setdefault("linker", ParkLinker(load_registry_csv(REGISTRY_CSV)))
    for article in process_page(text, linker):
        assert article.ordinal >= 1
        for start, end in article.spans:
            assert 0 <= start < end <= len(text)
        assert all(p.strip() for p in article.paragraphs)


_LINKER: dict = {}


def test_it_handles_a_huge_page_without_blank_lines_in_linear_time(linker) -> None:
    line = "本报讯 近日,宁波高新区总投资71.69亿元的项目开工,高新技术企业963家。"
    page = "\n".join([line] * 5000)
    articles = process_page(page, linker)
    assert len(articles) == 1 and len(articles[0].figures) > 0


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=3000))
def test_it_survives_any_unicode_text(text: str) -> None:
    """Mojibake, control characters, only punctuation: any decoded text is a page."""
    from archive.ingest.parks import ParkLinker, load_registry_csv
    from archive.registry import REGISTRY_CSV

    linker = _LINKER.setdefault("linker", ParkLinker(load_registry_csv(REGISTRY_CSV)))
    for article in process_page(text, linker):
        for start, end in article.spans:
            assert 0 <= start < end <= len(text)


def test_it_reads_mojibake_and_punctuation_only_pages(linker) -> None:
    # How fast is bench/ingest_steps.py's business; here, that such pages end sanely.
    mojibake = "楂樻柊鍖烘柊闂汇€傛湰鎶ヨ" * 2000  # UTF-8 read as GBK
    punctuation = "。,、;:“”!?……——\n" * 5000
    for page in (mojibake, punctuation, "\n\n".join([mojibake] * 3)):
        for article in process_page(page, linker):
            assert article.park is None and not article.authors
