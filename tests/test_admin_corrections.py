"""Saving the admin's article form as a browser submits it changes only what the editor
changed: CRLF textareas, every widget's value, figure positions, and a later re-ingest.

Each test ingests its own copy of a seed page (see tests/test_admin.py's fixtures).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from archive.models import Article, Correction, Figure
from archive.templatetags.archive_text import figure_extent
from tests import test_admin
from tests.admin_forms import form_data
from tests.test_admin import COPY_NAME, change_url, ingest

pytestmark = pytest.mark.django_db

IN_TEXT = "在文中</a>"
# The seed-page copy and a logged-in superuser, as tests/test_admin.py makes them.
page_copy = test_admin.page_copy
admin_client_logged_in = test_admin.admin_client_logged_in


def the_article() -> Article:
    """The copy's article with the most figures (its marks are what a body edit risks)."""
    articles = Article.objects.filter(page__source=COPY_NAME)
    return max(articles, key=lambda a: a.figures.filter(deleted=False).count())


def snapshot(article: Article) -> dict:
    article.refresh_from_db()
    figures = [model_to_dict(f) for f in Figure.objects.filter(article=article).order_by("pk")]
    return {
        "article": model_to_dict(article),
        "parks": sorted(article.parks.values_list("pk", flat=True)),
        "figures": figures,
    }


def submit(client: Client, article: Article, edit=None, capture=None) -> dict[str, list[str]]:
    """GET the change form, read every widget's value as a browser would (CRLF in
    textareas), apply `edit`, POST it back; asserts the save succeeded."""
    response = client.get(change_url(article))
    assert response.status_code == 200
    data = form_data(response.content.decode(), "article_form")
    assert any("\r\n" in v for values in data.values() for v in values), "no multi-line text"
    if edit:
        edit(data)
    if capture is not None:
        with capture(execute=True):
            response = client.post(change_url(article), data)
    else:
        response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return data


def in_text_links(client: Client, article: Article) -> int:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode().count(IN_TEXT)


def test_an_unchanged_save_records_nothing_and_changes_no_byte(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    article = the_article()
    before = snapshot(article)
    body = article.body
    links = in_text_links(admin_client_logged_in, article)
    assert links >= 3 and "\n" in body

    submit(admin_client_logged_in, article)

    assert Correction.objects.filter(article=article).count() == 0
    assert snapshot(article) == before
    assert Article.objects.get(pk=article.pk).body.encode() == body.encode()
    assert in_text_links(admin_client_logged_in, article) == links


def test_a_title_change_records_only_the_title_and_a_re_ingest_still_updates_the_body(
    page_copy: Path, admin_client_logged_in: Client, django_capture_on_commit_callbacks
) -> None:
    client = admin_client_logged_in
    article = the_article()
    body = article.body
    links = in_text_links(client, article)

    def retitle(data: dict) -> None:
        data["title"] = [data["title"][0] + "(校订)"]

    submit(client, article, retitle, django_capture_on_commit_callbacks)

    rows = list(Correction.objects.filter(article=article))
    assert [(r.field, r.figure_id) for r in rows] == [("title", None)]
    article.refresh_from_db()
    assert article.corrected_fields == ["title"]
    assert article.body.encode() == body.encode()
    assert in_text_links(client, article) == links

    # The body was not corrected, so a revised page still improves it.
    first_paragraph = body.split("\n")[0]
    revised_paragraph = first_paragraph[:10] + "(修订稿)" + first_paragraph[10:]
    text = page_copy.read_text(encoding="utf-8")
    assert first_paragraph[:10] in text
    page_copy.write_text(text.replace(first_paragraph[:10], revised_paragraph[:16], 1))
    with django_capture_on_commit_callbacks(execute=True):
        ingest(page_copy)
    article.refresh_from_db()
    assert "(修订稿)" in article.body
    assert article.title.endswith("(校订)")


def test_a_body_edit_keeps_every_figure_on_its_number(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    client = admin_client_logged_in
    article = the_article()
    figures = list(article.figures.filter(deleted=False))
    marked = [f for f in figures if figure_extent(article.body, f)]
    links = in_text_links(client, article)
    assert len(marked) >= 3

    def insert_sentence(data: dict) -> None:
        body = data["body"][0]
        data["body"] = ["编者按：本文经人工校对。\r\n" + body.replace("\r\n", "\r\n\r\n", 1)]

    submit(client, article, insert_sentence)

    article.refresh_from_db()
    assert article.body.startswith("编者按：本文经人工校对。\n")
    assert "\r" not in article.body
    assert [r.field for r in Correction.objects.filter(article=article)] == ["body"]
    for figure in marked:
        figure.refresh_from_db()
        # The mark covers the printed form (超3亿元); the stored position is the number's.
        assert figure_extent(article.body, figure) is not None
        start = figure.position
        assert article.body[start : start + len(figure.value_text)] == figure.value_text
        # Not just any copy of the number: the one inside the figure's own sentence.
        assert figure.quote in article.body
        quote_at = article.body.find(figure.quote)
        assert quote_at <= start < quote_at + len(figure.quote)
    assert in_text_links(client, article) == links


def test_only_the_figure_field_changed_is_recorded_and_its_base_value_follows(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    client = admin_client_logged_in
    article = the_article()
    figure = article.figures.filter(deleted=False, unit__endswith="元").first()
    assert figure is not None
    rows = {}

    def revalue(data: dict) -> None:
        total = int(data["figures-TOTAL_FORMS"][0])
        rows.update({data[f"figures-{i}-id"][0]: i for i in range(total)})
        data[f"figures-{rows[str(figure.pk)]}-value"] = [str(figure.value + 1)]

    submit(client, article, revalue)

    changed = Figure.objects.get(pk=figure.pk)
    assert changed.value == figure.value + 1
    assert changed.normalized_value == pytest.approx(
        figure.normalized_value * (figure.value + 1) / figure.value
    )
    fields = sorted(Correction.objects.filter(article=article).values_list("field", flat=True))
    assert "value" in fields and "quote" not in fields and "body" not in fields
    assert set(fields) <= {"value", "normalized_value"}
    assert {"value", "normalized_value"} <= set(changed.corrected_fields)
    assert Article.objects.get(pk=article.pk).corrected_fields == []


def test_a_corrected_body_keeps_its_figure_marks_through_a_re_ingest(
    page_copy: Path, admin_client_logged_in: Client, django_capture_on_commit_callbacks
) -> None:
    client = admin_client_logged_in
    article = the_article()
    links = in_text_links(client, article)

    def insert_sentence(data: dict) -> None:
        data["body"] = ["编者按：本文经人工校对。\r\n" + data["body"][0]]

    submit(client, article, insert_sentence, django_capture_on_commit_callbacks)
    page_copy.write_text(page_copy.read_text(encoding="utf-8") + "\n\n再补一段。\n")
    with django_capture_on_commit_callbacks(execute=True):
        ingest(page_copy)

    article.refresh_from_db()
    assert article.body.startswith("编者按：本文经人工校对。\n")
    assert in_text_links(client, article) == links
