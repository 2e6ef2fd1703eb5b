"""Admin corrections: real admin views driven like a browser, then a re-ingest.

Each test ingests its own copy of a seed page (under another file name) into a search
index of its own, so it changes no article or index document other tests rely on.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from haystack.query import SearchQuerySet

from archive.models import Article, Correction, Figure, Page, Park
from tests.admin_forms import form_data
from tests.conftest import SEEDS, index_at

pytestmark = pytest.mark.django_db

SEED = SEEDS / "002_559b40d3858c5e08.txt"
COPY_NAME = "admin_case_002.txt"


def ingest(path: Path) -> None:
    call_command("ingest", str(path), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture
def page_copy(tmp_path: Path, django_capture_on_commit_callbacks):
    """A copy of a seed page ingested under its own name, indexed in an index of the
    test's own (the shared one keeps exactly the seeds)."""
    path = tmp_path / COPY_NAME
    path.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    with index_at(tmp_path / "index"):
        with django_capture_on_commit_callbacks(execute=True):
            ingest(path)
        yield path


@pytest.fixture
def admin_client_logged_in() -> Client:
    user = User.objects.create_superuser("editor", "editor@example.org", "pw")
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def change_url(article: Article) -> str:
    return f"/admin/archive/article/{article.pk}/change/"


def test_every_kind_of_correction_survives_a_re_ingest_of_a_revised_page(
    page_copy: Path, admin_client_logged_in: Client, django_capture_on_commit_callbacks
) -> None:
    client = admin_client_logged_in
    article = Article.objects.get(page__source=COPY_NAME, title__startswith="德阳高新区")
    figures = list(article.figures.order_by("position"))
    relabelled, removed = figures[0], figures[1]
    other_park = Park.objects.get(name="成都高新区")

    response = client.get(change_url(article))
    assert response.status_code == 200
    data = form_data(response.content.decode(), "article_form")
    data["title"] = ["德阳高新区蓄势新动能(校订)"]
    data["authors"] = ["梅忠 冉放 校对员"]
    data["body"] = [data["body"][0].replace("德阳高新区按照", "德阳高新区严格按照")]
    data["park"] = [str(other_park.pk)]
    prefix = "figures"
    rows = {data[f"{prefix}-{i}-id"][0]: i for i in range(int(data[f"{prefix}-TOTAL_FORMS"][0]))}
    data[f"{prefix}-{rows[str(relabelled.pk)]}-label"] = ["人工指标名"]
    data[f"{prefix}-{rows[str(removed.pk)]}-DELETE"] = ["on"]
    new = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(new + 1)]
    data.update({
        f"{prefix}-{new}-label": ["人工添加的数据"], f"{prefix}-{new}-value": ["7"],
        f"{prefix}-{new}-unit": ["亿元"], f"{prefix}-{new}-quote": ["人工补录"],
        f"{prefix}-{new}-article": [str(article.pk)],
    })
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:2000]

    revised = page_copy.read_text(encoding="utf-8").replace("复工率达96%", "复工率达98%")
    page_copy.write_text(revised + "\n\n新增一段文字用于检验。\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        ingest(page_copy)

    article.refresh_from_db()
    assert article.title == "德阳高新区蓄势新动能(校订)"
    assert article.authors == ["梅忠", "冉放", "校对员"]
    assert "德阳高新区严格按照" in article.body
    assert article.park == other_park
    live = article.figures.filter(deleted=False)
    assert live.get(pk=relabelled.pk).label == "人工指标名"
    assert not live.filter(pk=removed.pk).exists()
    assert not live.filter(extraction_key=removed.extraction_key).exists()
    added = live.get(label="人工添加的数据")
    assert added.origin == Figure.Origin.HUMAN and added.normalized_value == 7e8

    fields = set(Correction.objects.filter(article=article).values_list("field", flat=True))
    assert {"title", "authors", "body", "park", "label", "deleted", "added"} <= fields
    assert Correction.objects.filter(article=article, user=client.user).count() >= 7
    history = client.get(change_url(article)).content.decode()
    assert "修改记录" in history and "德阳高新区蓄势新动能(校订)" in history

    hits = SearchQuerySet().models(Article).filter(content="校订")
    assert article.pk in {int(hit.pk) for hit in hits}


def test_a_deleted_figure_stays_deleted_after_re_ingest(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    figure = Figure.objects.filter(article__page__source=COPY_NAME).first()
    response = admin_client_logged_in.post(
        f"/admin/archive/figure/{figure.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    page_copy.write_text(page_copy.read_text(encoding="utf-8") + "\n\n再补一段。\n")
    ingest(page_copy)
    again = Figure.objects.filter(
        article__page__source=COPY_NAME, extraction_key=figure.extraction_key
    )
    assert [f.deleted for f in again] == [True]


def test_merging_a_duplicate_park_moves_its_articles_and_keeps_its_name(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    duplicate = Park.objects.create(name="德阳市高新区", slug="deyang-dup", in_registry=False)
    target = Park.objects.get(name="德阳高新区")
    article = Article.objects.get(page__source=COPY_NAME, park=target)
    article.park = duplicate
    article.save()
    response = admin_client_logged_in.post(
        "/admin/archive/park/",
        {"action": "merge_into", "_selected_action": [duplicate.pk], "into": target.pk},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.park == target
    assert "德阳市高新区" in Park.objects.get(pk=target.pk).alias_list
    assert not Park.objects.filter(pk=duplicate.pk).exists()


def test_the_review_queue_lists_unsure_articles_and_an_action_clears_them(
    admin_client_logged_in: Client,
) -> None:
    unsure = Article.objects.filter(review_state="needs_review")
    assert unsure.exists()
    response = admin_client_logged_in.get("/admin/archive/article/?queue=needs_review")
    assert response.status_code == 200
    assert response.context["cl"].result_count == unsure.count()
    truncated = Article.objects.filter(ends_mid_sentence=True).first()
    response = admin_client_logged_in.get("/admin/archive/article/?queue=mid_sentence")
    assert truncated in list(response.context["cl"].queryset)
    ids = list(unsure.values_list("pk", flat=True))
    response = admin_client_logged_in.post(
        "/admin/archive/article/", {"action": "mark_as_reviewed", "_selected_action": ids}
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk__in=ids).exclude(review_state="reviewed").exists()


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/archive/article/", "/admin/archive/page/1/change/"]
)
def test_anonymous_and_non_staff_users_are_sent_to_the_login_page(url: str) -> None:
    assert Client().get(url).status_code == 302
    reader = User.objects.create_user("reader", password="pw")
    client = Client()
    client.force_login(reader)
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_corrector_can_fix_articles_but_not_delete_pages_or_manage_users() -> None:
    corrector = User.objects.create_user("corrector", password="pw", is_staff=True)
    corrector.groups.add(Group.objects.get(name="corrector"))
    client = Client()
    client.force_login(corrector)
    article = Article.objects.first()
    page = Page.objects.first()
    assert client.get(change_url(article)).status_code == 200
    assert client.get(f"/admin/archive/park/{article.park_id}/change/").status_code == 200
    assert client.get(f"/admin/archive/page/{page.pk}/delete/").status_code == 403
    assert client.post(f"/admin/archive/page/{page.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Page.objects.filter(pk=page.pk).exists()
    assert client.get("/admin/auth/user/").status_code == 403


def test_the_admin_lists_escape_html_in_titles(admin_client_logged_in: Client) -> None:
    article = Article.objects.first()
    Article.objects.filter(pk=article.pk).update(title="<script>alert(1)</script>")
    html = admin_client_logged_in.get("/admin/archive/article/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_corrected_value_keeps_its_printed_form_and_status_after_re_ingest(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    figure = Figure.objects.filter(
        article__page__source=COPY_NAME, unit="亿元", status="reported"
    ).first()
    url = f"/admin/archive/figure/{figure.pk}/change/"
    data = form_data(admin_client_logged_in.get(url).content.decode(), "figure_form")
    assert data["status"] == [figure.status] and data["printed"] == [figure.printed]
    data["value"] = ["9.9"]
    data["printed"] = ["约9.9亿元"]
    data["status"] = ["target"]
    response = admin_client_logged_in.post(url, {k: v[0] for k, v in data.items()})
    assert response.status_code == 302, response.content.decode()[:2000]

    page_copy.write_text(page_copy.read_text(encoding="utf-8") + "\n\n再补一段。\n")
    ingest(page_copy)

    figure.refresh_from_db()
    assert (figure.value, figure.printed, figure.status) == (9.9, "约9.9亿元", "target")
    assert {"value", "printed", "status"} <= set(figure.corrected_fields)


@pytest.mark.parametrize(
    ("url", "texts"),
    [
        ("/admin/archive/article/", ['"archive_page"."raw_text"']),
        ("/admin/archive/figure/", ['"archive_article"."body"']),
        ("/admin/archive/correction/", ['"archive_page"."raw_text"', '"archive_article"."body"']),
    ],
)
def test_admin_lists_do_not_read_the_texts_they_join_for_a_name(
    admin_client_logged_in: Client, url: str, texts: list[str]
) -> None:
    """Issue 17: a list of 100 articles of one big page must not read the page's text 100
    times; a figure or correction row names its article without reading the body."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Correction.objects.create(
        article=Article.objects.first(), field="title", old_value="a", new_value="b",
        user=admin_client_logged_in.user,
    )
    with CaptureQueriesContext(connection) as queries:
        response = admin_client_logged_in.get(url)
    assert response.status_code == 200
    joined = [q["sql"] for q in queries if "JOIN" in q["sql"]]
    assert joined, "the list joins nothing: the test no longer covers the join"
    for text in texts:
        assert not [sql for sql in joined if text in sql], text
