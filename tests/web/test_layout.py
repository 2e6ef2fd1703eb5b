"""What every page shares: language, header with search, breadcrumbs, the 404 and 500
pages in the same style, and nothing inline that a strict CSP would block."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from archive.models import Article, Park
from tests.web.html import parse

pytestmark = pytest.mark.django_db


def pages() -> list[str]:
    park = Park.objects.filter(articles__isnull=False).first()
    return [
        reverse("archive:parks"),
        park.get_absolute_url(),
        Article.objects.public().first().get_absolute_url(),
        reverse("archive:figures"),
    ]


def test_it_gives_every_page_the_same_frame(get) -> None:
    for path in ["/", *pages()]:
        _, doc = get(path)
        html = doc.find("html")
        assert html.attrs["lang"] == "zh-Hans", path
        assert doc.find("header", cls="site").find("a", cls="brand").attrs["href"] == "/"
        assert doc.find("main", id="main")
        assert doc.find("footer", cls="site")
        search = [
            f for f in doc.find_all("form", role="search") if f.attrs.get("action") == "/search/"
        ]
        assert search and search[0].find("input", name="q"), path


def test_it_puts_breadcrumbs_on_every_page_but_home(get) -> None:
    _, home = get("/")
    assert not home.find_all("nav", cls="crumbs")
    for path in pages():
        _, doc = get(path)
        crumbs = doc.find("nav", cls="crumbs").find_all("li")
        assert crumbs[0].find("a").attrs["href"] == "/"
        assert crumbs[-1].attrs.get("aria-current") == "page", path


def test_it_keeps_scripts_and_styles_out_of_the_html(get) -> None:
    for path in ["/", *pages(), "/no/such/page/"]:
        response = get(path, status=404 if path.startswith("/no/") else 200)[0]
        doc = parse(response.content)
        for node in doc.iter():
            assert "style" not in node.attrs, (path, node.tag)
            assert not any(a.startswith("on") for a in node.attrs), (path, node.tag)
            if node.tag == "script":
                assert node.attrs.get("src") and not node.text.strip(), path
        assert not doc.find_all("style")


def test_it_answers_unknown_paths_with_the_styled_404(get) -> None:
    _, doc = get("/no/such/page/", status=404)
    assert doc.find("html").attrs["lang"] == "zh-Hans"
    assert doc.find("h1").text == "找不到这个页面"
    assert doc.find("link", rel="stylesheet")
    assert doc.find("form", role="search").attrs["action"] == "/search/"


def test_it_has_a_500_page_that_needs_no_context() -> None:
    doc = parse(render_to_string("500.html"))
    assert doc.find("html").attrs["lang"] == "zh-Hans"
    assert doc.find("h1").text == "服务器出错了"
    assert doc.find("link", rel="stylesheet").attrs["href"] == "/static/parknews.css"
