"""Figures as data: our own sentences in tests/data/figures/in/ against out/*.json, and
checks that hold on every figure of the seed pages and the dev pages.

The in/ sentences are written for these tests in the style of economic news; none is
taken from the seeds or the dev pages. The dev pages are read from ../shared at run time
(never copied here); their expectations name only the page, the printed form and the
status (tests/data/figures/dev_expectations.json).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from archive.ingest.figure_kinds import STATUSES, TARGET, THRESHOLD
from archive.ingest.figures import extract_figures
from archive.ingest.pipeline import process_page
from archive.ingest.types import ArticleDraft
from tests.conftest import SEEDS, SHARED

DATA = Path(__file__).resolve().parents[1] / "data" / "figures"
CASES = sorted((DATA / "in").glob("*.txt"))
DEV_PAGES = SHARED / "dev" / "pages"
# Words that make what follows them in their clause a target or forecast (issue 12).
TARGET_WORDS = ("力争", "预计", "计划", "有望", "目标是", "目标为", "达产后")
CLAUSE_BREAK = re.compile(r"[，,；;。！？!?：:\n]")


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_it_reads_the_figures_of_each_case(case: Path) -> None:
    expected = json.loads((DATA / "out" / f"{case.stem}.json").read_text(encoding="utf-8"))
    text = case.read_text(encoding="utf-8")
    got = [
        {field: getattr(figure, field) for field in want}
        for figure, want in zip(extract_figures(text), expected, strict=False)
    ]
    assert len(extract_figures(text)) == len(expected), extract_figures(text)
    for have, want in zip(got, expected, strict=True):
        for field, value in want.items():
            if isinstance(value, float | int) and not isinstance(value, bool):
                assert have[field] == pytest.approx(value, rel=1e-9), (field, have, want)
            else:
                assert have[field] == value, (field, have, want)


def test_every_case_has_its_expectation() -> None:
    assert CASES
    assert {p.stem for p in CASES} == {p.stem for p in (DATA / "out").glob("*.json")}


def _articles(pages: list[Path], linker) -> list[tuple[str, ArticleDraft]]:
    return [
        (page.name, draft)
        for page in pages
        for draft in process_page(page.read_text(encoding="utf-8"), linker)
    ]


@pytest.fixture(scope="module")
def seed_articles(linker) -> list[tuple[str, ArticleDraft]]:
    return _articles(sorted(SEEDS.glob("*.txt")), linker)


@pytest.fixture(scope="module")
def dev_articles(linker) -> list[tuple[str, ArticleDraft]]:
    if not DEV_PAGES.is_dir():
        pytest.skip(f"no dev pages at {DEV_PAGES} (copyrighted test data, not in the repo)")
    return _articles(sorted(DEV_PAGES.glob("*.txt")), linker)


def _check_printed_forms(articles: list[tuple[str, ArticleDraft]]) -> int:
    count = 0
    for page, draft in articles:
        for figure in draft.figures:
            count += 1
            where = (page, draft.title, figure)
            assert figure.printed and figure.printed in figure.quote, where
            # value + qualifier + unit, wherever the qualifier stands (超2亿元, 10万多吨).
            assert figure.qualifier in figure.printed, where
            bare = figure.printed.replace(figure.qualifier, "", 1)
            assert figure.value_text + figure.unit in bare, where
            assert figure.status in STATUSES, where
            # The printed form is the body's own characters at the figure's place.
            at = draft.body.find(figure.printed, max(0, figure.start - len(figure.printed)))
            assert at != -1 and at <= figure.start < at + len(figure.printed), where
    return count


def _check_once_each(articles: list[tuple[str, ArticleDraft]]) -> None:
    for page, draft in articles:
        facts = Counter(
            (f.label, f.value, f.value_max, f.unit, f.year) for f in draft.figures if f.label
        )
        assert not [fact for fact, n in facts.items() if n > 1], (page, draft.title)


def _clause_before(figure) -> str:
    head = figure.quote[: figure.quote.find(figure.printed)]
    return CLAUSE_BREAK.split(head)[-1]


def test_every_seed_figure_is_printed_in_its_quote(seed_articles) -> None:
    assert _check_printed_forms(seed_articles) > 200


def test_every_seed_fact_is_counted_once(seed_articles) -> None:
    _check_once_each(seed_articles)


def test_seed_figures_after_a_target_word_in_their_clause_are_targets(seed_articles) -> None:
    cued = [
        (page, f)
        for page, draft in seed_articles
        for f in draft.figures
        if any(word in _clause_before(f) for word in TARGET_WORDS)
    ]
    assert len(cued) >= 15
    assert [(p, f.printed, f.quote) for p, f in cued if f.status != TARGET] == []


def test_a_size_class_in_the_seeds_is_a_threshold_not_an_investment(seed_articles) -> None:
    thresholds = [f for _, d in seed_articles for f in d.figures if f.status == THRESHOLD]
    assert thresholds
    for figure in thresholds:
        after = figure.quote[figure.quote.find(figure.printed) + len(figure.printed) :]
        assert figure.printed.endswith(("以上", "以下")) or figure.printed.startswith("超")
        assert after.lstrip("的").startswith(("项目", "企业", "重点项目", "重大项目"))


def test_every_dev_figure_is_printed_in_its_quote(dev_articles) -> None:
    assert _check_printed_forms(dev_articles) > 100


def test_every_dev_fact_is_counted_once(dev_articles) -> None:
    _check_once_each(dev_articles)


def test_dev_figures_after_a_target_word_in_their_clause_are_targets(dev_articles) -> None:
    wrong = [
        (page, f.printed)
        for page, draft in dev_articles
        for f in draft.figures
        if any(word in _clause_before(f) for word in TARGET_WORDS) and f.status != TARGET
    ]
    assert wrong == []


def test_the_dev_sample_reads_as_expected(dev_articles) -> None:
    expected = json.loads((DATA / "dev_expectations.json").read_text(encoding="utf-8"))
    found = Counter(
        (page, figure.printed, figure.status)
        for page, draft in dev_articles
        for figure in draft.figures
    )
    missing = [
        e for e in expected["figures"] if not found[(e["page"], e["printed"], e["status"])]
    ]
    assert len(expected["figures"]) >= 20
    assert missing == []
