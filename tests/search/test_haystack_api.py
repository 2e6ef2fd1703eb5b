"""haystack's own SearchQuerySet over this backend: match-all, counts, whole facet values,
substring content filters and highlighting (the traps of the stock Whoosh backend)."""

from __future__ import annotations

import pytest
from haystack.inputs import Exact
from haystack.query import SearchQuerySet

from archive.models import Article
from tests.search.conftest import expected

pytestmark = pytest.mark.django_db


def pks(sqs) -> set[int]:
    return {int(result.pk) for result in sqs}


def test_all_and_count_see_every_article() -> None:
    public = Article.objects.public().count()
    assert SearchQuerySet().all().count() == public
    assert SearchQuerySet().count() == public
    assert len(pks(SearchQuerySet().all())) == public


def test_facet_browsing_with_an_empty_query_keeps_values_whole() -> None:
    counts = SearchQuerySet().facet("park").facet("year").facet("authors").facet_counts()
    parks = dict(counts["fields"]["park"])
    assert parks["天津滨海高新区"] == Article.objects.filter(park__name="天津滨海高新区").count()
    assert all(isinstance(year, int) for year, _ in counts["fields"]["year"])
    assert "李争粉" in dict(counts["fields"]["authors"])


def test_content_filters_are_substring_matches() -> None:
    assert pks(SearchQuerySet().filter(content="电池")) == expected(["电池"])
    assert pks(SearchQuerySet().filter(content="西安 项目")) == expected(["西安", "项目"])
    assert pks(SearchQuerySet().filter(content=Exact("亿元 西安"))) == expected(["亿元 西安"])
    assert pks(SearchQuerySet().exclude(content="高新区")) == expected(none_of=["高新区"])


def test_facet_fields_filter_on_whole_values() -> None:
    assert pks(SearchQuerySet().filter(park="天津滨海高新区")) == set(
        Article.objects.filter(park__name="天津滨海高新区").values_list("pk", flat=True)
    )
    assert SearchQuerySet().filter(park="天津").count() == 0
