"""Readers see corrections: a figure and a title corrected in admin are marked 已更正,
with the date and what the page printed, on every public face that shows them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.test import Client
from django.utils.timezone import localdate

from archive.models import Article, Correction, Figure
from tests import test_admin
from tests.admin_forms import form_data
from tests.test_admin import COPY_NAME, change_url

pytestmark = pytest.mark.django_db

page_copy = test_admin.page_copy
admin_client_logged_in = test_admin.admin_client_logged_in


@pytest.fixture
def corrected(page_copy: Path, admin_client_logged_in: Client) -> tuple[Article, Figure, dict]:
    """An article of the copy with its title and one money figure's value corrected in
    the admin form as a browser submits it."""
    client = admin_client_logged_in
    article = max(
        Article.objects.filter(page__source=COPY_NAME),
        key=lambda a: a.figures.filter(deleted=False).count(),
    )
    figure = article.figures.filter(deleted=False, unit__endswith="元").first()
    before = {"title": article.title, "value": figure.value, "printed": figure.value_text}
    data = form_data(client.get(change_url(article)).content.decode(), "article_form")
    total = int(data["figures-TOTAL_FORMS"][0])
    row = next(i for i in range(total) if data[f"figures-{i}-id"] == [str(figure.pk)])
    data["title"] = [article.title + "(更正)"]
    data[f"figures-{row}-value"] = [str(figure.value + 0.2)]
    response = client.post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    figure.refresh_from_db()
    return article, figure, before


def test_the_article_page_marks_the_corrected_title_and_figure(
    corrected: tuple[Article, Figure, dict],
) -> None:
    article, figure, before = corrected
    html = Client().get(article.get_absolute_url()).content.decode()
    after_h1 = html[html.index("</h1>") :][:300]
    assert "标题已更正" in after_h1
    item = html[html.index(f'id="f-{figure.pk}"') :]
    item = item[: item.index("</li>\n    <li") if "</li>\n    <li" in item else None]
    assert "已更正" in item
    assert f"原为<q class=\"original\">{before['printed']}</q>" in item
    assert localdate().strftime("%Y-%m-%d") in item
    # The original title is there for readers to compare, in the correction note.
    assert before["title"] in html and "更正记录" in html


def test_the_park_page_and_the_explorer_mark_the_corrected_figure(
    corrected: tuple[Article, Figure, dict],
) -> None:
    article, figure, before = corrected
    park = article.park
    link = f"{article.get_absolute_url()}#f-{figure.pk}"
    for url in (park.get_absolute_url(), f"/figures/?park={park.slug}&label={figure.label}"):
        html = Client().get(url).content.decode()
        table = html[html.index('<table class="figures"') :]
        assert link in table, url
        row = table[: table.index(link)]
        row = row[row.rindex("<tr>") :]
        assert "已更正" in row and before["printed"] in row, url
    untouched = Client().get("/figures/?park=" + park.slug).content.decode()
    assert untouched.count("<summary>已更正</summary>") == 1


def test_the_csv_and_the_article_json_carry_the_correction(
    corrected: tuple[Article, Figure, dict], admin_client_logged_in: Client
) -> None:
    article, figure, before = corrected
    response = Client().get(f"/figures/?format=csv&park={article.park.slug}")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in rows if r["id"] == str(figure.pk))
    assert row["corrected_fields"].split() == ["normalized_value", "value"]
    assert row["corrected_at"] == localdate().isoformat()
    assert f"数值：{before['printed']}" in row["corrected_from"]
    assert all(r["corrected_fields"] == "" for r in rows if r["id"] != str(figure.pk))

    data = json.loads(Client().get(f"/api/articles/{article.pk}/").content)
    assert data["corrected_fields"] == ["title"]
    assert data["corrections"][0]["original"] == before["title"]
    item = next(f for f in data["figures"] if f["id"] == figure.pk)
    assert item["value"] == pytest.approx(before["value"] + 0.2)
    assert {c["field"]: c["original"] for c in item["corrections"]}["value"] == before["printed"]
    fields = [(h["field"], h["figure_id"]) for h in data["correction_history"]]
    assert ("title", None) in fields and ("value", figure.pk) in fields
    username = admin_client_logged_in.user.username
    assert username not in json.dumps(data, ensure_ascii=False)
    assert all("user" not in h for h in data["correction_history"])
    assert Correction.objects.filter(article=article, user__username=username).exists()
