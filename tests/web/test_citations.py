"""The 引用 box, the Highwire meta tags, the canonical link and the BibTeX/RIS downloads."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from archive.models import Article
from tests.conftest import SEEDS

SEED = SEEDS / "000_eec577c9bc695ea4.txt"
TITLE = "宁波高新区提升发展能级有高招"
PAPER = "中国高新技术产业导报"


@pytest.fixture
def cited(db) -> Article:
    call_command("ingest", str(SEED), paper=PAPER, date="2020-06-01", page_label="第3版",
                 stdout=io.StringIO())
    return Article.objects.get(page__source=SEED.name, title=TITLE)


@pytest.fixture
def uncited(db) -> Article:
    """A seed article as ingested: no newspaper, no page label, its year estimated."""
    return Article.objects.get(page__source=SEED.name, title=TITLE)


def test_it_cites_a_seed_article_in_the_gbt_7714_newspaper_form(get, cited) -> None:
    _, doc = get(cited.get_absolute_url())
    # GB/T 7714-2015 4.4 (报纸中的析出文献), written out by hand:
    expected = "洪恒飞, 秦羽, 江耘. 宁波高新区提升发展能级有高招[N]. 中国高新技术产业导报, 2020-06-01(3)."  # noqa: E501
    assert doc.by_id("cite-gbt").text == expected
    assert doc.find_all("p", cls="cite-warn") == []


def test_it_cites_in_apa(get, cited) -> None:
    _, doc = get(cited.get_absolute_url())
    assert doc.by_id("cite-apa").text == (
        "洪恒飞, 秦羽, & 江耘. (2020, June 1). 宁波高新区提升发展能级有高招. "
        f"中国高新技术产业导报, 3. http://testserver/articles/{cited.public_id}/"
    )
    assert doc.by_id("cite-apa").find("cite").text == PAPER


def test_it_flags_what_a_citation_lacks(get, uncited) -> None:
    year = uncited.page.issue_date.year
    _, doc = get(uncited.get_absolute_url())
    assert doc.by_id("cite-gbt").text == (
        f"洪恒飞, 秦羽, 江耘. 宁波高新区提升发展能级有高招[N]. [报纸名不详], [{year}]."
    )
    assert f"(ca. {year})" in doc.by_id("cite-apa").text
    warning = doc.find("p", cls="cite-warn").text
    assert "报纸名不详" in warning and f"据正文推断（约{year}年）" in warning
    assert "版次不详" in warning


def test_it_gives_more_than_three_authors_as_three_and_others(get, cited) -> None:
    cited.authors = ["甲一", "乙二", "丙三", "丁四"]
    cited.save()
    _, doc = get(cited.get_absolute_url())
    assert doc.by_id("cite-gbt").text.startswith("甲一, 乙二, 丙三, 等. 宁波高新区")
    assert doc.by_id("cite-apa").text.startswith("甲一, 乙二, 丙三, & 丁四. (2020")


def highwire(doc) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for meta in doc.find("head").find_all("meta"):
        name = meta.attrs.get("name", "")
        if name.startswith("citation_"):
            tags.setdefault(name, []).append(meta.attrs["content"])
    return tags


def test_the_highwire_tags_parse(get, cited) -> None:
    _, doc = get(cited.get_absolute_url())
    permalink = f"http://testserver/articles/{cited.public_id}/"
    assert highwire(doc) == {
        "citation_title": [TITLE],
        "citation_author": ["洪恒飞", "秦羽", "江耘"],
        "citation_publication_date": ["2020/06/01"],
        "citation_journal_title": [PAPER],
        "citation_firstpage": ["3"],
        "citation_language": ["zh"],
        "citation_fulltext_html_url": [permalink],
    }
    assert doc.find("link", rel="canonical").attrs["href"] == permalink


def test_an_estimated_date_is_only_a_year_in_the_tags(get, uncited) -> None:
    _, doc = get(uncited.get_absolute_url())
    tags = highwire(doc)
    assert tags["citation_publication_date"] == [str(uncited.page.issue_date.year)]
    assert "citation_journal_title" not in tags and "citation_firstpage" not in tags


def test_it_downloads_bibtex(client, cited) -> None:
    response = client.get(f"/articles/{cited.public_id}/cite.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert f"parknews-{cited.public_id}.bib" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith(f"@article{{parknews-{cited.public_id},\n")
    for line in (
        "  author = {洪恒飞 and 秦羽 and 江耘},",
        f"  title = {{{TITLE}}},",
        f"  journal = {{{PAPER}}},",
        "  entrysubtype = {newspaper},",
        "  date = {2020-06-01},",
        "  pages = {3},",
        f"  url = {{http://testserver/articles/{cited.public_id}/}},",
    ):
        assert line in text.splitlines(), line
    assert text.count("{") == text.count("}")


def test_bibtex_escapes_tex_specials(client, cited) -> None:
    cited.title = "100% 增长 & {新} 高_新"
    cited.save()
    text = client.get(f"/articles/{cited.public_id}/cite.bib").content.decode()
    assert r"  title = {100\% 增长 \& \{新\} 高\_新}," in text.splitlines()


def test_it_downloads_ris(client, uncited) -> None:
    response = client.get(f"/articles/{uncited.public_id}/cite.ris")
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    lines = response.content.decode().split("\r\n")
    assert lines[0] == "TY  - NEWS" and lines[-2] == "ER  - " and lines[-1] == ""
    assert [x for x in lines if x.startswith("AU")] == ["AU  - 洪恒飞", "AU  - 秦羽", "AU  - 江耘"]
    assert f"PY  - {uncited.page.issue_date.year}" in lines
    assert not any(x.startswith(("DA  -", "T2  -", "SP  -")) for x in lines)
    assert any(x.startswith("N1  - 报纸名不详") for x in lines)


def test_an_unknown_citation_format_is_404(client, uncited) -> None:
    assert client.get(f"/articles/{uncited.public_id}/cite.txt").status_code == 404
