"""An empty index (a fresh install, or after `clear_index`) is a valid, empty archive."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from archive.models import Article
from archive.search import writer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("q", ["高新区", "", "宁波 企业", "动力电尺"])
def test_a_fresh_index_answers_with_no_results(client, api, scratch_index, q: str) -> None:
    found = api(q=q)
    assert found["count"] == 0 and found["results"] == []
    page = client.get("/search/", {"q": q})
    assert page.status_code == 200


def test_a_cleared_index_answers_with_no_results(client, api, scratch_index) -> None:
    ids = list(Article.objects.public().values_list("pk", flat=True)[:5])
    writer.sync_articles(ids, strict=True)
    assert api(q="")["count"] == len(ids)
    call_command("clear_index", interactive=False, verbosity=0)
    assert api(q="")["count"] == 0
    assert api(q="高新区", park="宁波高新区")["count"] == 0
    assert client.get("/search/", {"q": "高新区"}).status_code == 200
