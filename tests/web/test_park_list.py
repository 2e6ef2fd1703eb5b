"""`/parks/`: every zone by province, with article counts, filterable by name."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.urls import reverse

from archive.models import Article, Park
from tests.web.html import squash

URL = reverse("archive:parks")

pytestmark = pytest.mark.django_db


def covered_parks() -> set[str]:
    public = Article.objects.public()
    about_or_mentioned = Q(articles__in=public) | Q(mentioned_in__in=public)
    return set(Park.objects.filter(about_or_mentioned).values_list("name", flat=True))


def listed(doc) -> dict[str, object]:
    """Zone name → its list item."""
    return {item.find("a").text: item for item in doc.iter() if item.has("data-key")}


def test_it_lists_every_zone_of_the_registry(get) -> None:
    _, doc = get(URL)
    assert set(listed(doc)) == set(Park.objects.values_list("name", flat=True))


def test_it_groups_zones_by_province(get) -> None:
    _, doc = get(URL)
    for section in doc.find_all("section", cls="province"):
        province = section.find("h2").children[0].strip()
        names = {li.find("a").text for li in section.find_all("li")}
        assert names == set(Park.objects.filter(province=province).values_list("name", flat=True))


def test_it_counts_articles_and_quiets_zones_without_any(get) -> None:
    _, doc = get(URL)
    covered = covered_parks()
    for name, item in listed(doc).items():
        if name in covered:
            assert "covered" in item.classes, name
        else:
            assert "quiet" in item.classes and "暂无" in item.text, name
    park = Park.objects.get(name=next(iter(covered)))
    about = park.articles.public().count()
    if about:
        assert f"{about} 篇" in listed(doc)[park.name].text


def test_it_filters_by_name_in_the_url(get) -> None:
    park = Park.objects.exclude(aliases="").order_by("name").first()
    alias = park.alias_list[0]
    _, doc = get(URL, q=alias)
    visible = [name for name, item in listed(doc).items() if not item.has("hidden")]
    assert park.name in visible
    assert all(
        alias.lower() in item.attrs["data-key"]
        for item in listed(doc).values()
        if not item.has("hidden")
    )
    assert doc.find("input", id="park-q").attrs["value"] == alias
    assert doc.find("p", cls="empty").has("hidden")


def test_it_filters_by_slug_too(get) -> None:
    park = Park.objects.filter(articles__isnull=False).first()
    _, doc = get(URL, q=park.slug.upper())
    assert not listed(doc)[park.name].has("hidden")


def test_it_says_so_when_no_zone_matches(get) -> None:
    _, doc = get(URL, q="不存在的园区名")
    assert all(item.has("hidden") for item in listed(doc).values())
    empty = doc.find("p", cls="empty")
    assert not empty.has("hidden")
    assert "不存在的园区名" in empty.text
    assert all(section.has("hidden") for section in doc.find_all("section", cls="province"))


def test_it_narrows_to_one_province(get) -> None:
    province = Park.objects.filter(articles__isnull=False).first().province
    _, doc = get(URL, province=province)
    assert set(listed(doc)) == set(
        Park.objects.filter(province=province).values_list("name", flat=True)
    )
    assert province in squash(doc.find("h1").text)
    crumbs = [squash(li.text) for li in doc.find("nav", cls="crumbs").find_all("li")]
    assert crumbs == ["首页", "园区", province]


def test_it_answers_an_unknown_province_with_an_empty_list(get) -> None:
    _, doc = get(URL, province="火星省")
    assert not listed(doc)
    assert "火星省" in doc.find("main").text
