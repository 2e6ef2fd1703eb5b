"""Issue dates: the year a seed page's text reports, shown one way everywhere.

The seeds carry no date (no header, no sidecar), so their year is estimated from what
they report (issue 11): the pages, the search results, both JSON APIs and the CSV give the
same `约YYYY年`, and the machine outputs flag it as an estimate with the year alone.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from archive.models import Article, Page

pytestmark = pytest.mark.django_db

# What each seed page reports as past or present (targets such as 力争2025年 aside):
# 000 speaks of 新冠肺炎疫情 and 复工复产, 001 says 2021年是“十四五”规划开局之年,
# 003 says 截至2018年2月底.
SEED_YEARS = {"000_eec577c9bc695ea4.txt": 2020, "001_913c97220e047884.txt": 2021,
              "003_3b7b63bd7187fec8.txt": 2018}


@pytest.mark.parametrize(("source", "year"), SEED_YEARS.items())
def test_a_seed_page_is_dated_by_the_year_its_text_reports(source: str, year: int) -> None:
    page = Page.objects.get(source__endswith=source)
    assert page.issue_date_estimated and page.issue_date.year == year


def test_an_estimated_date_reads_the_same_everywhere(client) -> None:
    page = Page.objects.get(source__endswith="000_eec577c9bc695ea4.txt")
    article = Article.objects.public().filter(page=page).order_by("ordinal").first()
    shown = "约2020年"

    detail = client.get(article.get_absolute_url())
    assert shown in detail.content.decode()

    data = json.loads(client.get(f"/api/articles/{article.pk}/", follow=True).content)
    assert (data["issue_date"], data["issue_date_estimated"], data["issue_date_text"]) == (
        "2020", True, shown)
    assert data["issue"]["date"] == "2020" and data["issue"]["date_source"] == "estimated"

    results = json.loads(client.get("/api/search/", {"q": article.title}).content)["results"]
    hit = next(r for r in results if r["id"] == article.pk)
    assert (hit["issue_date"], hit["issue_date_estimated"], hit["issue_date_text"]) == (
        "2020", True, shown)

    page_html = client.get("/search/", {"q": article.title}).content.decode()
    assert shown in page_html and "2020-01-01" not in page_html

    download = client.get("/figures/", {"format": "csv", "park": "ningbo"})
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    mine = [r for r in rows if r["article_id"] == str(article.pk)]
    flags = {(r["issue_date"], r["issue_date_estimated"], r["issue_date_text"]) for r in mine}
    assert flags == {("2020", "True", shown)}
