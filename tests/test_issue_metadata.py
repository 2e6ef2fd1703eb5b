"""Issue metadata through `manage.py ingest`: options, a PAGE.json sidecar, a printed
header; shown on the article page, in the article JSON and in the export."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.models import Article, Newspaper, Page
from tests.conftest import SEEDS
from tests.web.html import parse

pytestmark = pytest.mark.django_db

SEED = SEEDS / "000_eec577c9bc695ea4.txt"
PAPER = "中国高新技术产业导报"


def ingest(*paths: Path | str, **options) -> str:
    out = io.StringIO()
    call_command("ingest", *[str(p) for p in paths], stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def assert_issue(page: Page, paper: str, date: str, source: str, label: str, number: int):
    assert page.newspaper.title == paper
    assert (str(page.issue_date), page.date_source, page.page_label, page.page_number) == (
        date, source, label, number
    )
    assert page.issue_date_estimated is (source == "estimated")


def test_it_takes_the_issue_from_the_options(page_dir: Path) -> None:
    (page_dir / "opt.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    ingest(page_dir / "opt.txt", paper=PAPER, date="2020-06-01", page_label="第3版")
    assert_issue(Page.objects.get(source="opt.txt"), PAPER, "2020-06-01", "given", "第3版", 3)
    assert Newspaper.objects.get(title=PAPER).slug == "zhongguogaoxinjishuchanyedaobao"


def test_it_takes_the_issue_from_a_sidecar(page_dir: Path) -> None:
    (page_dir / "side.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (page_dir / "side.json").write_text(
        json.dumps({"paper": PAPER, "date": "2020-06-01", "page_label": "第3版"}),
        encoding="utf-8",
    )
    ingest(page_dir)
    assert_issue(Page.objects.get(source="side.txt"), PAPER, "2020-06-01", "given", "第3版", 3)


def test_it_reads_a_printed_header_and_options_win_over_it(page_dir: Path) -> None:
    text = "\n\n2020年6月2日 星期二 高新区动态 4\n\n" + SEED.read_text(encoding="utf-8")
    (page_dir / "head.txt").write_text(text, encoding="utf-8")
    ingest(page_dir / "head.txt", paper=PAPER)
    assert_issue(Page.objects.get(source="head.txt"), PAPER, "2020-06-02", "printed", "4", 4)
    # Given later, a date and label replace the printed ones; a printed one never
    # replaces a given one.
    ingest(page_dir / "head.txt", date="2020-06-03", page_label="第5版")
    assert_issue(Page.objects.get(source="head.txt"), PAPER, "2020-06-03", "given", "第5版", 5)
    ingest(page_dir / "head.txt")
    assert_issue(Page.objects.get(source="head.txt"), PAPER, "2020-06-03", "given", "第5版", 5)


def test_an_unchanged_page_takes_the_metadata_it_is_given_later() -> None:
    page = Page.objects.get(source=SEED.name)
    assert page.newspaper is None and page.date_source == "estimated"
    out = ingest(SEED, paper=PAPER, date="2020-06-01", page_label="第3版")
    assert "1 pages (1 unchanged)" in out
    assert_issue(Page.objects.get(source=SEED.name), PAPER, "2020-06-01", "given", "第3版", 3)


def test_the_estimate_stays_marked_as_such() -> None:
    page = Page.objects.get(source="002_559b40d3858c5e08.txt")
    assert (page.date_source, page.issue_date_estimated) == ("estimated", True)
    assert page.newspaper is None


@pytest.mark.parametrize(
    ("options", "message"),
    [({"paper": "报" * 200}, "--paper"), ({"page_label": "版" * 40}, "--page-label")],
)
def test_it_refuses_bad_options(options: dict, message: str) -> None:
    before = list(Page.objects.values_list("pk", "newspaper_id", "page_label"))
    with pytest.raises(CommandError, match=message):
        ingest(SEED, **options)
    assert list(Page.objects.values_list("pk", "newspaper_id", "page_label")) == before


def test_a_bad_sidecar_is_reported_and_nothing_stored(page_dir: Path) -> None:
    (page_dir / "bad.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (page_dir / "bad.json").write_text('{"paper": ["not", "text"]}', encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing ingested"):
        call_command("ingest", str(page_dir), stdout=io.StringIO(), stderr=err)
    assert "bad.json: paper is not a string" in err.getvalue()
    assert not Page.objects.filter(source="bad.txt").exists()


def test_the_issue_shows_on_the_page_in_the_api_and_in_the_export(client) -> None:
    ingest(SEED, paper=PAPER, date="2020-06-01", page_label="第3版")
    article = Article.objects.get(page__source=SEED.name, title="宁波高新区提升发展能级有高招")
    doc = parse(client.get(article.get_absolute_url()).content)
    facts = doc.find("dl", cls="facts").text
    assert PAPER in facts and "第3版" in facts and "2020年6月1日" in facts
    issue = {
        "newspaper": PAPER,
        "newspaper_url": "http://testserver/papers/zhongguogaoxinjishuchanyedaobao/",
        "date": "2020-06-01",
        "date_source": "given",
        "page_label": "第3版",
        "page_number": 3,
    }
    data = client.get(f"/api/articles/{article.public_id}/").json()
    assert data["issue"] == issue
    assert data["citation"]["gbt7714"].endswith(f"{PAPER}, 2020-06-01(3).")
    out = io.StringIO()
    call_command("export_archive", stdout=out)
    exported = next(a for a in json.loads(out.getvalue())["articles"] if a["id"] == article.pk)
    paper_path = "/papers/zhongguogaoxinjishuchanyedaobao/"
    assert exported["issue"] == {**issue, "newspaper_url": paper_path}
    assert exported["public_id"] == article.public_id
    assert exported["citation"]["gbt7714"] == data["citation"]["gbt7714"]


def test_staff_see_newspapers_in_admin(admin_client) -> None:
    ingest(SEED, paper=PAPER)
    response = admin_client.get("/admin/archive/newspaper/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "报纸" in text and PAPER in text and "网址名" in text


def test_the_export_makes_citation_links_absolute_on_request() -> None:
    out = io.StringIO()
    call_command("export_archive", site_url="https://example.org/", stdout=out)
    article = json.loads(out.getvalue())["articles"][0]
    assert article["citation"]["bibtex_url"] == (
        f"https://example.org/articles/{article['public_id']}/cite.bib"
    )
    assert f"https://example.org/articles/{article['public_id']}/" in article["citation"]["apa"]
    with pytest.raises(CommandError, match="--site-url"):
        call_command("export_archive", site_url="example.org", stdout=io.StringIO())
