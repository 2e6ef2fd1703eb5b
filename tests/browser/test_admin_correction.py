"""A member of staff corrects an article's title through the admin, in Debian's chromium,
and the reader's page and the search both show the correction."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from tests.browser.conftest import ADMIN_PASSWORD, ADMIN_USER
from tests.browser.test_journey import ARTIFACTS

pytestmark = pytest.mark.browser


def test_it_corrects_a_title_in_admin_and_the_site_shows_it(site: str, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{site}/admin/")
        page.fill("input[name=username]", ADMIN_USER)
        page.fill("input[name=password]", ADMIN_PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_load_state()

        page.goto(f"{site}/admin/archive/article/?q=%E5%BE%B7%E9%98%B3")  # ?q=德阳
        page.locator("#result_list tbody tr th a").first.click()
        page.wait_for_load_state()
        title = page.locator("input[name=title]")
        corrected = title.input_value() + "(校订稿)"
        title.fill(corrected)
        page.screenshot(path=ARTIFACTS / "admin-1-change-form.png", full_page=False)
        page.click("input[name=_continue]")
        page.wait_for_load_state()
        assert page.locator(".messagelist .success").is_visible()
        assert page.locator("input[name=title]").input_value() == corrected
        assert "校订稿" in page.locator("#corrections-group, .inline-group").last.inner_text()
        page.screenshot(path=ARTIFACTS / "admin-2-saved.png", full_page=True)

        article_url = page.locator(".field-public_link a").get_attribute("href")
        page.goto(site + article_url)
        assert page.locator("h1").inner_text() == corrected

        query = urllib.parse.quote("校订稿")
        with urllib.request.urlopen(f"{site}/api/search/?q={query}", timeout=10) as response:
            hits = json.load(response)["results"]
        assert [hit["url"] for hit in hits] == [article_url]
    finally:
        context.close()
