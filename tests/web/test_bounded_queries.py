"""Bounded cost per request: the number of queries of /parks/ and of an article page does
not grow with the number of zones or with the articles on the article's page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Article, Page

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_park_directory_counts_articles_in_a_fixed_number_of_queries(client) -> None:
    sql = queries(client, "/parks/")
    # 176 registry zones: a query per zone would show here.
    assert len(sql) <= 6, sql


def test_an_article_page_asks_a_fixed_number_of_queries_and_reads_the_page_text_once(
    client,
) -> None:
    page = max(Page.objects.all(), key=lambda p: p.articles.count())
    article = Article.objects.public().filter(page=page).first()
    assert page.articles.count() >= 5
    sql = queries(client, article.get_absolute_url())
    # 6 today; a query per article of the page (8 here) would more than double it.
    assert len(sql) <= 10, sql
    assert sum('"raw_text"' in q for q in sql) == 1
