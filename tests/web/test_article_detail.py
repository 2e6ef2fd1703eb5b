"""`/articles/<id>/`: the article, its figures inline and listed, and the page it came from."""

from __future__ import annotations

import pytest
from django.db.models import Count

from archive.models import Article, Figure, Page, Park
from archive.templatetags.archive_text import figure_extent
from tests.web.html import squash

pytestmark = pytest.mark.django_db


def article_with(**filters) -> Article:
    return Article.objects.public().filter(**filters).order_by("pk").first()


def test_it_shows_kicker_title_authors_park_and_date(get) -> None:
    article = (
        article_with(kicker__gt="", authors__len__gt=0)
        if False
        else next(
            a for a in Article.objects.public().order_by("pk") if a.kicker and a.authors and a.park
        )
    )
    _, doc = get(article.get_absolute_url())
    head = doc.find("header", cls="article-head")
    assert head.find("p", cls="kicker").text == article.kicker
    assert head.find("h1").text == article.title
    assert [s.text for s in head.find("p", cls="byline").find_all("span")] == article.authors
    assert head.find("a", cls="main").attrs["href"] == article.park.get_absolute_url()
    page = article.page
    expected = (
        f"约{page.issue_date.year}年" if page.issue_date_estimated else f"{page.issue_date.year}年"
    )
    assert expected in squash(head.text)
    crumbs = [squash(li.text) for li in doc.find("nav", cls="crumbs").find_all("li")]
    assert crumbs[:3] == ["首页", "园区", article.park.name]


def test_it_shows_a_subtitle(get) -> None:
    article = article_with(subtitle__gt="")
    _, doc = get(article.get_absolute_url())
    assert article.subtitle in doc.find("p", cls="subtitle").text


def test_it_links_every_zone_the_article_mentions(get) -> None:
    article = next(a for a in Article.objects.public().annotate(n=Count("parks")).filter(n__gt=1))
    _, doc = get(article.get_absolute_url())
    hrefs = {a.attrs["href"] for a in doc.find("dd", cls="park-links").find_all("a")}
    assert hrefs == {p.get_absolute_url() for p in article.parks.all()} | {
        article.park.get_absolute_url()
    }


def test_it_shows_the_clean_body_with_figures_marked_inline(get) -> None:
    article = Article.objects.public().annotate(n=Count("figures")).order_by("-n").first()
    _, doc = get(article.get_absolute_url())
    body = doc.find("div", cls="article-body")
    assert squash(body.text) == squash(article.body)
    assert len(body.find_all("p")) == len(
        [line for line in article.body.split("\n") if line.strip()]
    )
    marks = body.find_all("a", cls="fig")
    figures = list(article.figures.filter(deleted=False))
    assert len(marks) == len({figure_extent(article.body, f) for f in figures} - {None})
    for mark in marks:
        figure = Figure.objects.get(pk=int(mark.attrs["id"].removeprefix("m-")))
        assert mark.text.startswith(figure.value_text)
        assert mark.attrs["href"] == f"#f-{figure.pk}"


def test_it_lists_its_figures_with_their_quotes(get) -> None:
    article = Article.objects.public().annotate(n=Count("figures")).order_by("-n").first()
    _, doc = get(article.get_absolute_url())
    figures = article.figures.filter(deleted=False)
    for figure in figures:
        item = doc.by_id(f"f-{figure.pk}")
        assert item.find("blockquote").text == figure.quote
        assert figure.label in item.text
    assert len(doc.find("ol", cls="figure-list").find_all("li")) == figures.count()


def test_it_leaves_deleted_figures_out(get) -> None:
    figure = Figure.objects.filter(article__body__gt="").first()
    Figure.objects.filter(pk=figure.pk).update(deleted=True)
    _, doc = get(figure.article.get_absolute_url())
    assert not doc.find_all(id=f"f-{figure.pk}")
    assert not doc.find_all(id=f"m-{figure.pk}")


def test_it_keeps_image_credits_and_captions_apart(get) -> None:
    article = next(a for a in Article.objects.public() if a.captions)
    _, doc = get(article.get_absolute_url())
    pictures = doc.find("aside", cls="pictures")
    for caption in article.captions:
        assert caption in pictures.text
        assert caption not in doc.find("div", cls="article-body").text
    for credit in article.credits:
        assert credit in pictures.text


def test_it_marks_the_article_spans_in_the_page_text(get) -> None:
    article = article_with(has_fragment=True) or article_with()
    _, doc = get(article.get_absolute_url())
    text = doc.find("pre", cls="page-text")
    assert text.text == article.page.raw_text
    marked = "".join(m.text for m in text.find_all("mark"))
    assert marked == "".join(article.page.raw_text[s:e] for s, e in sorted(article.spans))
    others = text.find_all("span", cls="other")
    assert others and all(o.attrs["title"].startswith("第") for o in others)


def test_it_shows_an_estimated_issue_date_as_an_estimate(get) -> None:
    page = Page.objects.filter(issue_date_estimated=True).first()
    article = page.articles.public().first()
    _, doc = get(article.get_absolute_url())
    assert f"约{page.issue_date.year}年" in doc.find("dl", cls="facts").text
    assert not doc.find("dl", cls="facts").find_all("time")


def test_it_lists_similar_articles(get, monkeypatch) -> None:
    article, *others = Article.objects.public().order_by("pk")[:4]
    monkeypatch.setattr("archive.views.similar_articles", lambda a, limit=5: others)
    _, doc = get(article.get_absolute_url())
    section = doc.by_id("similar-h")
    assert section.text == "相似文章"
    hrefs = {
        a.attrs["href"]
        for a in doc.iter()
        if a.tag == "a" and a.attrs.get("href") in {o.get_absolute_url() for o in others}
    }
    assert hrefs == {o.get_absolute_url() for o in others}


def test_it_still_renders_when_similar_articles_fail(get, monkeypatch) -> None:
    def broken(article, limit=5):
        raise RuntimeError("index down")

    monkeypatch.setattr("archive.views.similar_articles", broken)
    article = Article.objects.public().first()
    _, doc = get(article.get_absolute_url())
    assert not doc.find_all(id="similar-h")


def test_it_escapes_article_text(get) -> None:
    page = Page.objects.create(
        source="evil.txt", raw_text="<script>alert(1)</script>正文", content_hash="e"
    )
    park = Park.objects.first()
    article = Article.objects.create(
        page=page,
        ordinal=1,
        title="<b>标题</b>",
        kicker="<i>",
        body="<script>alert(1)</script>正文",
        authors=["<img src=x>"],
        captions=["<u>"],
        credits=["<s>"],
        spans=[[0, 25]],
        park=park,
    )
    Figure.objects.create(
        article=article,
        label="<em>",
        value=1,
        value_text="1",
        unit="元",
        normalized_value=1,
        base_unit="元",
        quote="<script>",
        position=0,
    )
    response, doc = get(article.get_absolute_url())
    html = response.content.decode()
    for raw in ("<script>alert", "<b>标题", "<img src=x>", "<u>", "<s>", "<em>", "<i>"):
        assert raw not in html
    assert doc.find("h1").text == "<b>标题</b>"
    assert "<script>alert(1)</script>" in doc.find("div", cls="article-body").text


@pytest.mark.parametrize("pk", [999999, 0])
def test_it_answers_404_for_an_unknown_id(get, pk) -> None:
    get(f"/articles/{pk}/", status=404)


def test_it_answers_404_for_an_article_without_a_body(get) -> None:
    page = Page.objects.create(source="empty.txt", raw_text="x", content_hash="x")
    article = Article.objects.create(page=page, ordinal=1, title="只有标题", body="")
    get(article.get_absolute_url(), status=404)


def test_it_lists_every_figure_as_printed_with_its_status(get) -> None:
    figure = Figure.objects.get(printed="10万多吨")
    _, doc = get(figure.article.get_absolute_url())
    for f in figure.article.figures.filter(deleted=False):
        item = doc.by_id(f"f-{f.pk}")
        assert item.find("span", cls="figure-value").text == f.printed
        assert f.printed in f.quote
        assert item.find("span", cls="status").text == f.get_status_display()
    item = doc.by_id(f"f-{figure.pk}")
    assert item.find("span", cls="status").text == "目标/预计"
    # The converted value appears only labelled as such.
    assert "换算：10万吨" in squash(item.text)
    mark = doc.by_id(f"m-{figure.pk}")
    assert mark.text == "10万多吨"


def test_a_page_of_many_articles_lists_the_nearest_twenty_and_links_the_day(get) -> None:
    """An article page's 同版文章 is bounded: of a page of 40 articles, the 20 nearest in
    print order, in print order, and a line giving the total with a link to the day."""
    import datetime as dt

    from archive.views import SAME_PAGE_SHOWN

    lines = [f"第{n}篇文章的正文。" for n in range(1, 41)]
    page = Page.objects.create(
        source="many.txt", raw_text="\n".join(lines), content_hash="many",
        issue_date=dt.date(2021, 5, 4),
    )
    articles, start = [], 0
    for n, line in enumerate(lines, start=1):
        articles.append(Article.objects.create(
            page=page, ordinal=n, title=f"第{n}篇", body=line, spans=[[start, start + len(line)]]
        ))
        start += len(line) + 1
    for index, expected in [(0, range(2, 22)), (19, range(10, 31)), (39, range(20, 40))]:
        _, doc = get(articles[index].get_absolute_url())
        section = next(
            s for s in doc.find_all("section") if s.attrs.get("aria-labelledby") == "page-h"
        )
        titles = [a.text for a in section.find("ol").find_all("a") if a.text.startswith("第")]
        want = [f"第{n}篇" for n in expected if n != index + 1]
        assert titles == want[:SAME_PAGE_SHOWN]
        more = section.find("p", cls="same-page-more")
        assert "本版另有39篇文章" in squash(more.text) and "相邻的20篇" in squash(more.text)
        assert more.find("a").attrs["href"] == "/issues/2021/5/4/"


def test_a_page_with_an_estimated_date_does_not_link_a_day_it_is_not_on(get) -> None:
    """/issues/Y/M/D/ lists pages printed or given that day; a page whose date is only
    estimated (约2020年) is not there, so its articles link no day."""
    import datetime as dt

    page = Page.objects.create(
        source="estimated.txt", raw_text="\n".join("x" * 30), content_hash="estimated",
        issue_date=dt.date(2020, 1, 1), issue_date_estimated=True,
    )
    articles = [
        Article.objects.create(page=page, ordinal=n, title=f"第{n}篇", body="x", spans=[[0, 1]])
        for n in range(1, 31)
    ]
    _, doc = get(articles[0].get_absolute_url())
    more = doc.find("p", cls="same-page-more")
    assert "本版另有29篇文章" in squash(more.text)
    assert not more.find_all("a")
    get("/issues/2020/1/1/", status=404)
