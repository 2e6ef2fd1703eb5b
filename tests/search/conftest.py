"""Fixtures for the search tests.

Most tests read the shared index built from the session's ingested seeds. Tests that write
use `scratch_index`: an empty index of their own (the shared one stays as ingested, since
a test's database changes are rolled back but index writes would not be).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from archive.models import Article
from tests.conftest import index_at


@pytest.fixture
def api(client, db):
    """GET /api/search/ with params; returns the decoded JSON (status checked)."""

    def call(status: int = 200, **params) -> dict:
        response = client.get("/api/search/", params)
        assert response.status_code == status, (params, response.status_code)
        return json.loads(response.content)

    return call


@pytest.fixture
def found(api):
    """The set of article ids a query (and filters) returns, read through every page."""

    def ids(q: str = "", **filters) -> set[int]:
        first = api(q=q, per_page=50, **filters)
        result = {r["id"] for r in first["results"]}
        for page in range(2, first["num_pages"] + 1):
            result |= {r["id"] for r in api(q=q, per_page=50, page=page, **filters)["results"]}
        assert len(result) == first["count"], (q, filters)
        return result

    return ids


def norm(text: str) -> str:
    """The oracle's folding: NFKC, lower case, OpenCC's t2s for each character on its own,
    whitespace runs as one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_t2s_characters(text).split())


_T2S = None
_t2s_cache: dict[str, str] = {}


def _t2s_characters(text: str) -> str:
    """Each character converted on its own (the index folds characters, not phrases)."""
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    out = []
    for ch in text:
        to = _t2s_cache.get(ch)
        if to is None:
            converted = _T2S.convert(ch)
            to = _t2s_cache[ch] = converted if len(converted) == 1 else ch
        out.append(to)
    return "".join(out)


def searchable(article: Article) -> list[str]:
    parks = set(article.parks.all()) | ({article.park} if article.park else set())
    names = {n for p in parks for n in (p.name, p.full_name, *p.aliases.split("|")) if n}
    heads = [article.kicker, article.title, article.subtitle]
    parts = [*heads, *article.authors, *names, article.body]
    return [norm(p) for p in parts if p]


def corpus() -> dict[int, list[str]]:
    """Each public article's searchable texts, folded by the oracle."""
    articles = Article.objects.public().select_related("park").prefetch_related("parks")
    return {article.pk: searchable(article) for article in articles}


def expected(
    all_of: Iterable[str] = (),
    none_of: Iterable[str] = (),
    any_of: Iterable[Iterable[str]] = (),
    texts: dict[int, list[str]] | None = None,
) -> set[int]:
    """Truth from the database: articles whose fields contain every `all_of` string, none
    of `none_of`, and one of each `any_of` group (each string as a substring of a field)."""

    def has(parts: list[str], needle: str) -> bool:
        return any(norm(needle) in part for part in parts)

    result = set()
    for pk, parts in (texts if texts is not None else corpus()).items():
        if (
            all(has(parts, n) for n in all_of)
            and not any(has(parts, n) for n in none_of)
            and all(any(has(parts, n) for n in group) for group in any_of)
        ):
            result.add(pk)
    return result


@pytest.fixture
def scratch_index(tmp_path: Path) -> Iterator[Path]:
    """An empty index of this test's own, in place of the shared one."""
    with index_at(tmp_path / "whoosh_index") as path:
        yield path

