"""A reader's way through the archive in Debian's chromium, at desktop and phone widths.

home → the most covered park → its newest article (and the page text it came from) → the
figure explorer, filtered → a CSV download. The site runs as it does in production:
gunicorn with DEBUG off and whitenoise serving the collected static files, on a fresh
data directory with the seed pages ingested. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
PREPARE = """
import sys
import django
from django.core.management import call_command
django.setup()
call_command("migrate", interactive=False, verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
call_command("ingest", sys.argv[1], verbosity=0)
"""
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    """gunicorn serving a fresh data directory with the seeds ingested; yields its URL."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = {
        **os.environ,
        "PARKNEWS_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "parknews.settings",
        "DEBUG": "False",
    }
    # One process for the three commands: each Django start loads jieba's dictionary.
    subprocess.run([sys.executable, "-c", PREPARE, str(SEEDS)], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = (data_dir / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "parknews.wsgi"],
        cwd=ROOT,
        env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/", process)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (bin/test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_it_takes_a_reader_from_home_to_a_csv(site: str, browser, viewport: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"script: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))

    def shot(step: int, name: str) -> None:
        page.screenshot(path=ARTIFACTS / f"{viewport}-{step}-{name}.png", full_page=True)

    try:
        # Home: the search box first, the stylesheet served by whitenoise.
        page.goto(f"{site}/")
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        search = page.locator("main form[role=search] input[name=q]")
        assert search.is_visible()
        mark = page.locator(".brand-mark")
        assert mark.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(166, 27, 41)"
        shot(1, "home")

        # → the park with most coverage.
        top = page.locator("ol.rank a").first
        park_name = top.inner_text()
        top.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == park_name
        assert "/parks/" in page.url
        assert page.locator("#figures table.figures tbody tr").count() > 0
        assert page.locator("#figures figure.chart svg.bar").count() > 0
        shot(2, "park")

        # → its newest article, figures marked in the text, the page text on request.
        first = page.locator("#articles li.article-item h3 a").first
        title = first.inner_text()
        first.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == title
        marks = page.locator(".article-body a.fig")
        if marks.count():
            marks.first.click()
            assert page.url.split("#")[1].startswith("f-")
            assert page.locator("li:target").is_visible()
        page.locator("details#source summary").click()
        assert page.locator("pre.page-text mark").first.is_visible()
        page.evaluate("window.scrollTo(0, 0)")
        shot(3, "article")

        # → the figure explorer from the header; choosing a unit applies it at once.
        page.locator("header.site nav a", has_text="数据").click()
        page.wait_for_load_state()
        total = page.locator(".result-line strong").inner_text()
        with page.expect_navigation():
            page.locator("#f-unit").select_option("元")
        assert "unit=%E5%85%83" in page.url and "park=" not in page.url
        money = page.locator(".result-line strong").inner_text()
        assert int(money) < int(total)
        cells = page.locator("table.figures td.num").all_inner_texts()
        assert cells and all(c.endswith(("亿元", "万元", "元", "以上")) for c in cells)
        shot(4, "figures")

        # → a CSV of just that selection.
        with page.expect_download() as event:
            page.locator("a[data-download=csv]").click()
        download = event.value
        target = ARTIFACTS / f"{viewport}-figures.csv"
        download.save_as(target)
        content = target.read_bytes()
        assert content.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert len(rows) == int(money)
        assert {r["base_unit"] for r in rows} == {"元"}

        # The park directory filters as one types, and keeps the filter in the URL.
        page.goto(f"{site}/parks/")
        page.locator("#park-q").fill(park_name[:2])
        visible = page.locator("[data-key]:visible")
        assert 0 < visible.count() < page.locator("[data-key]").count()
        assert "q=" in page.url
        shot(5, "parks")

        assert not problems, problems

        # A wrong link gets the 404 page in the site's style.
        response = page.goto(f"{site}/parks/no-such-zone/")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "找不到这个页面"
        shot(6, "404")
    finally:
        context.close()
