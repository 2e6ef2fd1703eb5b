"""A page whose text carries markup: everything it puts on screen is escaped, everywhere."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from archive.models import Article, Figure, Park
from tests.conftest import index_at

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>x()</script>"
IMG = '<img src=x onerror="alert(2)">'
PAGE = f"""{PAYLOAD}宁波高新区提升发展能级

洪恒飞 秦羽

本报讯 近日,宁波高新区{PAYLOAD}总投资71.69亿元的项目开工,高新技术企业963家{IMG}。

=SUM(A1:A9)宁波高新区新增企业12家。
"""


@pytest.fixture
def hostile_article(tmp_path: Path, django_capture_on_commit_callbacks) -> Article:
    path = tmp_path / "hostile_page.txt"
    path.write_text(PAGE, encoding="utf-8")
    with index_at(tmp_path / "index"):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("ingest", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        article = Article.objects.get(page__source="hostile_page.txt")
        assert PAYLOAD in article.title and IMG in article.body  # stored as the page says
        Figure.objects.filter(article=article).update(quote=f"{PAYLOAD}{IMG}")
        yield article


def assert_escaped(html: str, where: str) -> None:
    assert PAYLOAD not in html, where
    assert IMG not in html, where


def test_markup_in_a_page_is_escaped_on_every_screen(hostile_article: Article) -> None:
    park = Park.objects.get(name="宁波高新区")
    client = Client()
    shown = "&lt;script&gt;x()&lt;/script&gt;"
    assert shown in client.get(hostile_article.get_absolute_url()).content.decode()
    assert shown in client.get("/search/?q=宁波高新区提升").content.decode()
    # The query carried to the article marks matches inside hostile text, escaped.
    marked = client.get(hostile_article.get_absolute_url(), {"q": "script 宁波"}).content.decode()
    assert "&lt;<mark>script</mark>&gt;" in marked and "<mark>宁波</mark>" in marked
    assert_escaped(marked, "article ?q=")
    asked = client.get(hostile_article.get_absolute_url(), {"q": PAYLOAD + IMG}).content.decode()
    assert_escaped(asked, "article ?q=payload")
    for url in ["/", hostile_article.get_absolute_url(), park.get_absolute_url(), "/figures/",
                "/figures/?park=宁波高新区", "/search/?q=宁波高新区", "/search/?q=alert"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)

    admin = User.objects.create_superuser("xss-admin", "", "pw")
    client.force_login(admin)
    for url in ["/admin/archive/article/", f"/admin/archive/article/{hostile_article.pk}/change/",
                "/admin/archive/figure/?q=script"]:
        html = client.get(url).content.decode()
        assert_escaped(html, url)
        assert shown in html or "&lt;script&gt;x()" in html, url


def test_the_csv_neutralises_formulas_and_keeps_text_as_text(hostile_article: Article) -> None:
    response = Client().get("/figures/?format=csv&park=ningbo")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.count("\n") > 1, "the hostile page's figures are in the download"
    for line in body.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "@")), line
