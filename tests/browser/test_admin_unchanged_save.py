"""An editor opens an article in the admin in Debian's chromium and saves it without
touching anything: nothing is recorded, the body is byte-identical, the article page keeps
its 在文中 links, and the form fits a 1,280 px window in Chinese."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest

from tests.browser.conftest import ADMIN_PASSWORD, ADMIN_USER
from tests.browser.test_journey import ARTIFACTS

pytestmark = pytest.mark.browser

WIDTH = 1280
# A Latin word in what the browser shows, script-made text included (collapse toggles,
# calendar and autocomplete widgets); the seeds' own Latin words are data, not wording.
WORD = re.compile(r"[A-Za-z]{2,}")


# Whether anything needs scrolling sideways: the page itself, or a box that scrolls
# inside it (Django puts the change list's table in one).
WIDE_BOXES = """() => [document.documentElement, ...document.querySelectorAll('body *')]
  .filter(e => e === document.documentElement
               || ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className}: ${e.scrollWidth}>${e.clientWidth}`)
"""


def article_json(site: str, article_id: str) -> dict:
    with urllib.request.urlopen(f"{site}/api/articles/{article_id}/", timeout=10) as response:
        return json.load(response)


def test_saving_an_article_unchanged_records_nothing_and_keeps_every_byte(
    site: str, browser
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{site}/admin/")
        page.fill("input[name=username]", ADMIN_USER)
        page.fill("input[name=password]", ADMIN_PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_load_state()

        # An article with figures and several paragraphs (a multi-line textarea).
        page.goto(f"{site}/admin/archive/article/?has_figures=yes&o=-7")
        page.locator("#result_list tbody tr th a").first.click()
        page.wait_for_load_state()
        article_id = re.search(r"/article/(\d+)/change/", page.url).group(1)
        before = article_json(site, article_id)
        assert "\n" in before["body"] and before["figures"]
        public = site + before["url"]
        reader = context.new_page()
        reader.goto(public)
        links_before = reader.locator("a", has_text="在文中").count()
        assert links_before > 0

        # The form fits the window: no horizontal scrolling.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=ARTIFACTS / "admin-unchanged-form.png", full_page=True)
        assert scroll_width <= WIDTH, f"the article form is {scroll_width}px wide"
        assert page.evaluate(WIDE_BOXES) == []

        # What the browser shows, script-made text included, is Chinese.
        seen = page.evaluate("document.body.innerText")
        # The article's own text and the name the test user logs in with are data.
        data = json.dumps(before, ensure_ascii=False) + ADMIN_USER.upper() + ADMIN_USER
        english = sorted({w for w in WORD.findall(seen) if w not in data})
        assert english == [], english

        page.click("input[name=_continue]")
        page.wait_for_load_state()
        assert page.locator(".messagelist .success").is_visible()

        after = article_json(site, article_id)
        assert after["body"].encode("utf-8") == before["body"].encode("utf-8")
        assert after == before
        assert after["correction_history"] == [] and after["corrected_fields"] == []
        assert page.locator("#corrections-group tr.has_original").count() == 0
        reader.goto(public)
        assert reader.locator("a", has_text="在文中").count() == links_before

        query = urllib.parse.urlencode({"q": before["title"]})
        page.goto(f"{site}/admin/archive/correction/?{query}")
        assert page.locator("#result_list tbody tr").count() == 0
        # The lists an editor works from fit the window too (the audit list with the
        # rows other tests left in it).
        for name in ("correction", "article", "figure", "page", "park"):
            page.goto(f"{site}/admin/archive/{name}/")
            page.screenshot(path=ARTIFACTS / f"admin-list-{name}.png", full_page=True)
            assert page.evaluate(WIDE_BOXES) == [], name
    finally:
        context.close()
