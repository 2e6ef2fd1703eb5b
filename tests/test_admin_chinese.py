"""The admin an editor uses is Chinese throughout: a walk over its pages that fails on any
English word in the visible text (text, tab titles, tooltips, placeholders, buttons).

What the pages show of the archive's own data (an OCR'd page's 'GWh', a file name, a
park's pinyin slug) is not the admin's wording: every Latin word stored in the database
is allowed, and file names, URLs and hashes are taken out before looking. Nothing else is
allowed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from archive.models import Article, Correction, Figure, Page, Park
from tests import test_admin
from tests.admin_forms import form_data
from tests.test_admin import COPY_NAME, change_url

pytestmark = pytest.mark.django_db

page_copy = test_admin.page_copy

WORD = re.compile(r"[A-Za-z]{2,}")
# Not words of the interface: where a page shows a file, a link or a checksum.
NOT_WORDING = [
    re.compile(r"https?://\S+"),
    re.compile(r"\S+\.(?:txt|json|csv)\b"),
    re.compile(r"(?<![\w/])/[\w\-./?=&%#]*"),  # a path shown as a link's text
    re.compile(r"\b[0-9a-f]{40,64}\b"),
]
# Attributes whose text a person reads (tooltips, placeholders, buttons, images).
READ_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")


class VisibleText(HTMLParser):
    """The text of a page a person can read: text nodes outside script and style, the
    tab title, and the attributes that show as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name in READ_ATTRIBUTES:
            if a.get(name):
                self.parts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button", "reset"):
            self.parts.append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


# The stored text pages print or name (not codes such as a field's name in 修改记录, a
# choice's value or the list of corrected fields: those must never show untranslated).
DATA_FIELDS = {
    Article: ["kicker", "title", "subtitle", "section", "body", "authors", "captions", "credits"],
    Figure: ["label", "value_text", "unit", "base_unit", "qualifier", "quote"],
    Page: ["source", "raw_text", "encoding"],
    Park: ["name", "full_name", "slug", "aliases", "province", "city"],
}


def data_words() -> set[str]:
    """Every Latin word the archive's stored text holds (what a page may show as data)."""
    words: set[str] = set()
    for model, fields in DATA_FIELDS.items():
        for row in model.objects.values_list(*fields):
            for value in row:
                words.update(WORD.findall(str(value)))
    return words


def english_in(html: str, allowed: set[str]) -> list[str]:
    reader = VisibleText()
    reader.feed(html)
    found = []
    for part in reader.parts:
        text = part
        for pattern in NOT_WORDING:
            text = pattern.sub(" ", text)
        for word in WORD.findall(text):
            if word not in allowed:
                found.append(f"{word!r} in {part.strip()[:80]!r}")
    return found


@pytest.fixture
def editor(page_copy: Path) -> Client:
    """A superuser with a Chinese name (a user's name is data, not wording) who has
    corrected a title, a figure and a page date, so the audit pages have rows."""
    user = User.objects.create_superuser("编辑甲", "editor@example.org", "pw")
    client = Client()
    client.force_login(user)
    article = max(
        Article.objects.filter(page__source=COPY_NAME),
        key=lambda a: a.figures.filter(deleted=False).count(),
    )
    data = form_data(client.get(change_url(article)).content.decode(), "article_form")
    data["title"] = [data["title"][0] + "(校)"]
    data["figures-0-label"] = ["人工指标"]
    data["figures-0-value"] = ["12345"]
    data["figures-1-DELETE"] = ["on"]
    data["review_state"] = ["reviewed"]
    data["captions"] = ["人工补的图片说明"]
    assert client.post(change_url(article), data).status_code == 302
    page = article.page
    url = f"/admin/archive/page/{page.pk}/change/"
    data = form_data(client.get(url).content.decode(), "page_form")
    data["issue_date"] = ["2020-05-06"]
    assert client.post(url, data).status_code == 302
    client.article = article
    return client


def editor_pages(article: Article) -> list[str]:
    figure = article.figures.filter(deleted=False).first()
    correction = Correction.objects.filter(article=article).first()
    return [
        "/admin/",
        "/admin/archive/",
        "/admin/archive/article/",
        "/admin/archive/article/?queue=needs_review",
        "/admin/archive/article/?q=%E9%AB%98%E6%96%B0",
        "/admin/archive/article/?has_figures=yes&truncated=end",
        change_url(article),
        f"/admin/archive/article/{article.pk}/history/",
        f"/admin/archive/article/{article.pk}/delete/",
        "/admin/archive/article/add/",
        "/admin/archive/figure/",
        "/admin/archive/figure/?corrected=yes",
        f"/admin/archive/figure/{figure.pk}/change/",
        f"/admin/archive/figure/{figure.pk}/delete/",
        "/admin/archive/figure/add/",
        "/admin/archive/page/",
        f"/admin/archive/page/{article.page_id}/change/",
        "/admin/archive/page/add/",
        f"/admin/archive/page/{article.page_id}/delete/",
        "/admin/archive/park/",
        "/admin/archive/park/?in_registry__exact=0",
        f"/admin/archive/park/{article.park_id}/change/",
        "/admin/archive/park/add/",
        "/admin/archive/correction/",
        "/admin/archive/correction/?reverted=no",
        f"/admin/archive/correction/{correction.pk}/change/",
        f"/admin/archive/correction/{correction.pk}/revert/",
        "/admin/archive/correction/add/",
        "/admin/password_change/",
    ]


def test_no_english_word_in_the_admin_pages_an_editor_uses(editor: Client) -> None:
    allowed = data_words()
    problems = {}
    statuses = {}
    for url in editor_pages(editor.article):
        response = editor.get(url)
        statuses[url] = response.status_code
        found = english_in(response.content.decode(), allowed)
        if found:
            problems[url] = found
    # Pages and audit rows are not added by hand: those two answer 403, in Chinese too.
    assert {u: s for u, s in statuses.items() if s != 200} == {
        "/admin/archive/page/add/": 403,
        "/admin/archive/correction/add/": 403,
    }
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())


def test_a_corrector_sees_a_chinese_admin_too(editor: Client) -> None:
    corrector = User.objects.create_user("校对乙", password="pw", is_staff=True)
    corrector.groups.add(Group.objects.get(name="corrector"))
    client = Client()
    client.force_login(corrector)
    allowed = data_words()
    article = editor.article
    for url in ["/admin/", "/admin/archive/article/", change_url(article),
                "/admin/archive/correction/", "/admin/archive/figure/add/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_in(response.content.decode(), allowed) == [], url


def test_the_walk_would_see_english_if_there_were_any(editor: Client) -> None:
    """The checker itself: English in text, a tooltip and a button is caught."""
    html = '<p>保存</p><a title="Show all">全部</a><input type="submit" value="Save"><p>Page</p>'
    found = english_in(html, data_words())
    assert [f.split(" ")[0] for f in found] == ["'Show'", "'all'", "'Save'", "'Page'"]
