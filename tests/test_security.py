"""Headers, read-only API, hidden errors and the database-down page, through real requests."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from archive.models import Article

pytestmark = pytest.mark.django_db

PAGES = [
    "/", "/parks/", "/figures/", "/figures/compare/", "/search/?q=高新区", "/issues/", "/papers/",
    "/api/",
]


@pytest.fixture
def article() -> Article:
    return Article.objects.public().first()


def public_urls(article: Article) -> list[str]:
    return [*PAGES, article.get_absolute_url(), f"/parks/{article.park.slug}/"]


def test_every_page_sends_the_security_headers(client: Client, article: Article) -> None:
    for url in public_urls(article):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy, url
        assert "frame-ancestors 'none'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_pages_carry_no_inline_script_or_style_the_policy_would_block(
    client: Client, article: Article
) -> None:
    for url in public_urls(article):
        html = client.get(url).content.decode()
        assert "<style" not in html, url
        assert " style=" not in html, url
        for tag in html.split("<script")[1:]:
            assert tag.lstrip().startswith("src=") or " src=" in tag.split(">")[0], url


def test_hsts_is_sent_only_behind_tls(article: Article) -> None:
    assert "Strict-Transport-Security" not in Client().get("/", secure=True)
    with override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_api_is_read_only(client: Client, article: Article) -> None:
    for url in [f"/api/articles/{article.pk}/", "/api/search/?q=高新区"]:
        for method in (client.post, client.put, client.delete):
            assert method(url).status_code in (403, 405), (method, url)
        assert client.get(url).status_code == 200


def test_a_post_without_a_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_an_error_shows_no_traceback_or_secret(settings) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with mock.patch("archive.views.public_articles", side_effect=RuntimeError(settings.SECRET_KEY)):
        response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Traceback" not in body and settings.SECRET_KEY not in body
    assert "服务器出错了" in body


def test_an_unreachable_database_gives_a_clear_503(settings) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    down = OperationalError('connection failed: connection to server at "127.0.0.1" refused')
    with mock.patch("archive.views.public_articles", side_effect=down):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "数据库暂时无法连接" in response.content.decode()
