"""Every admin change to a page, article or figure is in 修改记录, deletions included, and
any correction can be undone from its row (a 撤销 button or the changelist action)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from archive.models import Article, Correction, Figure, Page
from tests import test_admin
from tests.admin_forms import form_data
from tests.test_admin import COPY_NAME, change_url

pytestmark = pytest.mark.django_db

page_copy = test_admin.page_copy
admin_client_logged_in = test_admin.admin_client_logged_in


def post_form(client: Client, url: str, form_id: str, edit=None) -> None:
    data = form_data(client.get(url).content.decode(), form_id)
    if edit:
        edit(data)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def copy_article() -> Article:
    return max(
        Article.objects.filter(page__source=COPY_NAME),
        key=lambda a: a.figures.filter(deleted=False).count(),
    )


def test_a_page_issue_date_change_is_audited_and_an_unchanged_save_is_not(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    client = admin_client_logged_in
    page = Page.objects.get(source=COPY_NAME)
    url = f"/admin/archive/page/{page.pk}/change/"
    post_form(client, url, "page_form")
    assert not Correction.objects.filter(page=page).exists()

    def redate(data: dict) -> None:
        data["issue_date"] = ["2019-03-04"]
        data.pop("issue_date_estimated", None)

    post_form(client, url, "page_form", redate)
    rows = {r.field: r for r in Correction.objects.filter(page=page, article__isnull=True)}
    assert rows["issue_date"].new_value == "2019-03-04"
    assert rows["issue_date"].user == client.user
    assert "2019-03-04" in client.get(url).content.decode()
    listing = client.get("/admin/archive/correction/?field=issue_date").content.decode()
    assert COPY_NAME in listing and "出版日期" in listing

    # A person's date outlives a re-ingest that brings a date of its own.
    page_copy.write_text(page_copy.read_text(encoding="utf-8") + "\n\n补记一段。\n")
    call_command("ingest", str(page_copy), "--date", "2021-01-01", stdout=io.StringIO())
    page.refresh_from_db()
    assert page.issue_date.isoformat() == "2019-03-04" and "补记一段" in page.raw_text


def test_deleting_an_article_or_a_page_leaves_a_row_saying_what_was_deleted(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    client = admin_client_logged_in
    article = copy_article()
    title = article.title
    response = client.post(f"/admin/archive/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    row = Correction.objects.get(field="deleted", figure__isnull=True, subject__contains=title)
    assert row.article is None and row.user == client.user and title in row.old_value

    page = Page.objects.get(source=COPY_NAME)
    response = client.post(f"/admin/archive/page/{page.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Page.objects.filter(source=COPY_NAME).exists()
    row = Correction.objects.get(field="deleted", subject__contains=COPY_NAME)
    assert row.page is None and COPY_NAME in row.old_value
    assert "删除" in client.get("/admin/archive/correction/").content.decode()


def test_the_revert_button_puts_a_title_back_and_gives_it_back_to_extraction(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    client = admin_client_logged_in
    article = copy_article()
    original = article.title
    post_form(
        client, change_url(article), "article_form",
        lambda d: d.update(title=[original + "(误改)"]),
    )
    row = Correction.objects.get(article=article, field="title")
    form_html = client.get(change_url(article)).content.decode()
    revert_url = f"/admin/archive/correction/{row.pk}/revert/"
    assert revert_url in form_html
    confirm = client.get(revert_url)
    assert confirm.status_code == 200 and "撤销这条修改" in confirm.content.decode()
    assert Article.objects.get(pk=article.pk).title == original + "(误改)"

    response = client.post(revert_url)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == original
    assert article.corrected_fields == []
    undo = Correction.objects.get(reverts=row)
    assert (undo.field, undo.old_value, undo.new_value) == ("title", original + "(误改)", original)
    assert "已更正" not in Client().get(article.get_absolute_url()).content.decode()
    # Once is enough: a second revert is refused and changes nothing.
    client.post(revert_url)
    assert Correction.objects.filter(reverts=row).count() == 1


def test_the_revert_action_undoes_a_figure_value_and_a_figure_deletion(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    client = admin_client_logged_in
    article = copy_article()
    figures = list(article.figures.filter(deleted=False, unit__endswith="元"))
    revalued = figures[0]
    removed = next(f for f in article.figures.filter(deleted=False) if f.pk != revalued.pk)

    def edit(data: dict) -> None:
        total = int(data["figures-TOTAL_FORMS"][0])
        rows = {data[f"figures-{i}-id"][0]: i for i in range(total)}
        data[f"figures-{rows[str(revalued.pk)]}-value"] = [str(revalued.value * 2)]
        data[f"figures-{rows[str(removed.pk)]}-DELETE"] = ["on"]

    post_form(client, change_url(article), "article_form", edit)
    assert Figure.objects.get(pk=removed.pk).deleted
    chosen = Correction.objects.filter(
        figure__in=[revalued, removed], field__in=["value", "deleted"]
    )
    assert chosen.count() == 2
    response = client.post(
        "/admin/archive/correction/",
        {"action": "revert_selected", "_selected_action": [r.pk for r in chosen]},
    )
    assert response.status_code == 302

    back = Figure.objects.get(pk=revalued.pk)
    assert (back.value, back.normalized_value) == (revalued.value, revalued.normalized_value)
    assert back.corrected_fields == []
    assert not Figure.objects.get(pk=removed.pk).deleted
    assert Correction.objects.filter(reverts__in=chosen).count() >= 2


def test_a_corrector_can_revert_but_not_edit_the_audit_trail() -> None:
    from django.contrib.auth.models import Group, User

    corrector = User.objects.create_user("corrector2", password="pw", is_staff=True)
    corrector.groups.add(Group.objects.get(name="corrector"))
    client = Client()
    client.force_login(corrector)
    article = Article.objects.first()
    row = Correction.objects.create(article=article, page=article.page, field="title",
                                    old_value=article.title, new_value="临时标题")
    Article.objects.filter(pk=article.pk).update(title="临时标题", corrected_fields=["title"])
    assert client.get(f"/admin/archive/correction/{row.pk}/change/").status_code == 200
    assert client.post(f"/admin/archive/correction/{row.pk}/revert/").status_code == 302
    assert Article.objects.get(pk=article.pk).title == row.old_value
    assert client.post(f"/admin/archive/correction/{row.pk}/delete/").status_code == 403


def test_an_article_and_a_figure_added_by_hand_are_audited_and_survive_a_re_ingest(
    page_copy: Path, admin_client_logged_in: Client, django_capture_on_commit_callbacks
) -> None:
    client = admin_client_logged_in
    page = Page.objects.get(source=COPY_NAME)

    def article_fields(data: dict) -> None:
        data.update(
            page=[str(page.pk)], ordinal=["90"], title=["人工补录的文章"],
            body=["第一段，总投资3亿元。\r\n第二段。"], captions=["图一\r\n\r\n图二\r\n"],
        )

    post_form(client, "/admin/archive/article/add/", "article_form", article_fields)
    article = Article.objects.get(page=page, title="人工补录的文章")
    assert article.body == "第一段，总投资3亿元。\n第二段。"
    assert article.captions == ["图一", "图二"]
    assert Correction.objects.filter(article=article, field="added").count() == 1

    def figure_fields(data: dict) -> None:
        data.update(
            article=[str(article.pk)], label=["总投资"], value=["3"], unit=["亿元"],
            quote=["第一段，总投资3亿元。"], qualifier=["约"],
        )

    post_form(client, "/admin/archive/figure/add/", "figure_form", figure_fields)
    figure = Figure.objects.get(article=article)
    assert (figure.normalized_value, figure.base_unit, figure.qualifier) == (3e8, "元", "约")
    assert figure.origin == Figure.Origin.HUMAN
    assert Correction.objects.filter(figure=figure, field="added").count() == 1
    # Placed on its number in the body, so the article page links it there.
    assert article.body[figure.position :].startswith("3亿元")
    html = Client().get(article.get_absolute_url()).content.decode()
    assert f'href="#m-{figure.pk}"' in html
    assert "这篇文章由编辑人工补录" in html
    item = html[html.index(f'id="f-{figure.pk}"') :][:800]
    assert "编辑补录" in item and "<summary>已更正</summary>" not in item

    page_copy.write_text(page_copy.read_text(encoding="utf-8") + "\n\n又补一段。\n")
    with django_capture_on_commit_callbacks(execute=True):
        test_admin.ingest(page_copy)
    kept = Article.objects.get(pk=article.pk)
    assert (kept.title, kept.body) == ("人工补录的文章", "第一段，总投资3亿元。\n第二段。")
    assert Figure.objects.filter(pk=figure.pk, deleted=False).exists()


def test_the_article_list_shows_why_an_article_needs_review(
    admin_client_logged_in: Client,
) -> None:
    unsure = Article.objects.filter(park__isnull=True).first() or Article.objects.filter(
        ends_mid_sentence=True
    ).first()
    assert unsure is not None
    html = admin_client_logged_in.get("/admin/archive/article/?queue=needs_review").content
    html = html.decode()
    assert "复核原因" in html
    form = admin_client_logged_in.get(change_url(unsure)).content.decode()
    reason = "未识别园区" if unsure.park_id is None else "首尾不完整"
    assert reason in form[form.index("field-reasons") :][:600]


@pytest.mark.parametrize("model", ["figure", "park", "page"])
def test_saving_a_figure_park_or_page_form_unchanged_records_nothing(
    page_copy: Path, admin_client_logged_in: Client, model: str
) -> None:
    article = copy_article()
    pk = {
        "figure": article.figures.filter(deleted=False).exclude(quote="").first().pk,
        "park": article.park_id,
        "page": article.page_id,
    }[model]
    model_class = {"figure": Figure, "park": article.park.__class__, "page": Page}[model]
    before = model_class.objects.filter(pk=pk).values().get()
    before.pop("updated_at", None)
    post_form(admin_client_logged_in, f"/admin/archive/{model}/{pk}/change/", f"{model}_form")
    after = model_class.objects.filter(pk=pk).values().get()
    after.pop("updated_at", None)
    assert after == before
    assert not Correction.objects.filter(user=admin_client_logged_in.user).exists()


def test_merging_parks_is_audited_on_every_article_it_moves(
    page_copy: Path, admin_client_logged_in: Client
) -> None:
    article = copy_article()
    target = article.park
    duplicate = target.__class__.objects.create(
        name="重复的园区", slug="dup-park", in_registry=False
    )
    Article.objects.filter(pk=article.pk).update(park=duplicate)
    response = admin_client_logged_in.post(
        "/admin/archive/park/",
        {"action": "merge_into", "_selected_action": [duplicate.pk], "into": target.pk},
    )
    assert response.status_code == 302
    row = Correction.objects.get(article=article, field="merge")
    assert (row.old_value, row.new_value) == ("重复的园区", target.name)
    assert row.user == admin_client_logged_in.user
