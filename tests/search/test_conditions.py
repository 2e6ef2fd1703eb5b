"""Fields, date ranges and figure queries, each against an oracle over the ingested seeds.

The oracles read the rows with the ORM and decide in plain Python (figure values
recomputed from the printed value and unit with the ingest's unit table), independently
of `conditions.py`'s queries and of the index.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import date

import pytest
from django.core.management import call_command

from archive.ingest.figures import normalise_unit
from archive.models import Article, Figure
from archive.search import writer
from tests.conftest import SHARED
from tests.search.conftest import expected, norm

pytestmark = pytest.mark.django_db
DEV_PAGES = SHARED / "dev" / "pages"

OPS: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b and not math.isclose(a, b),
    ">=": lambda a, b: a > b or math.isclose(a, b),
    "<": lambda a, b: a < b and not math.isclose(a, b),
    "<=": lambda a, b: a < b or math.isclose(a, b),
    "=": math.isclose,
}


def public() -> list[Article]:
    return list(Article.objects.public().select_related("page", "park"))


def figure_oracle(label: str, op: str, number: float, unit: str) -> set[int]:
    threshold, base = normalise_unit(number, unit)
    out = set()
    for figure in Figure.objects.filter(deleted=False).select_related("article"):
        if not figure.article.body or norm(label) not in norm(figure.label):
            continue
        value, figure_base = normalise_unit(figure.value, figure.unit)
        if figure_base == base and OPS[op](value, threshold):
            out.add(figure.article_id)
    return out


def date_oracle(low: date | None, high: date | None) -> set[int]:
    return {
        a.pk for a in public()
        if a.page.issue_date
        and (low is None or a.page.issue_date >= low)
        and (high is None or a.page.issue_date <= high)
    }


def a_figure(label: str) -> Figure:
    return Figure.objects.public().filter(label=label).order_by("pk").first()


@pytest.mark.parametrize(
    ("q", "label", "op", "number", "unit"),
    [
        ("总投资>=10亿元", "总投资", ">=", 10, "亿元"),
        ("总投资>=100000万元", "总投资", ">=", 100000, "万元"),
        ("總投資≥10億元", "总投资", ">=", 10, "亿元"),
        ("总投资 > 10亿元", "总投资", ">", 10, "亿元"),
        ("总投资<5亿元", "总投资", "<", 5, "亿元"),
        ("总投资<=5亿元", "总投资", "<=", 5, "亿元"),
        ("高新技术企业>500家", "高新技术企业", ">", 500, "家"),
        ("高新技术企业<=500家", "高新技术企业", "<=", 500, "家"),
        ("企业>=100户", "企业", ">=", 100, "户"),
        ("占地>100亩", "占地", ">", 100, "亩"),
        ("增长>10%", "增长", ">", 10, "%"),
    ],
)
def test_figure_queries_equal_the_oracle(found, q, label, op, number, unit) -> None:
    assert found(q) == figure_oracle(label, op, number, unit), q


def test_the_issue_figure_queries_find_articles(found) -> None:
    assert found("总投资>=10亿元")
    assert found("总投资>=10亿元") == found("总投资>=100000万元") == found("总投资>=1000000000元")
    assert found("高新技术企业>500家") == figure_oracle("高新技术企业", ">", 500, "家") != set()


def test_equality_takes_a_figure_as_printed(found) -> None:
    figure = a_figure("总投资")
    q = f"总投资={figure.value:g}{figure.unit}"
    assert figure.article_id in found(q)
    assert found(q) == figure_oracle("总投资", "=", figure.value, figure.unit)


def test_a_figure_query_with_words_is_both(found) -> None:
    q = "动力电池 总投资>=10亿元"
    want = expected(["动力电池"]) & figure_oracle("总投资", ">=", 10, "亿元")
    assert found(q) == want


def test_a_negated_figure_query_excludes(found) -> None:
    every = {a.pk for a in public()}
    assert found("-总投资>=10亿元") == every - figure_oracle("总投资", ">=", 10, "亿元")


@pytest.mark.parametrize(
    ("q", "low", "high"),
    [
        ("2019..2021", date(2019, 1, 1), date(2021, 12, 31)),
        ("2019..", date(2019, 1, 1), None),
        ("..2018", None, date(2018, 12, 31)),
        ("date:2020", date(2020, 1, 1), date(2020, 12, 31)),
        ("年份:2017", date(2017, 1, 1), date(2017, 12, 31)),
        ("date:2019-12..2020-01", date(2019, 12, 1), date(2020, 1, 31)),
        ("date:2020-05..2020-06", date(2020, 5, 1), date(2020, 6, 30)),
        ("日期:2020-01-01", date(2020, 1, 1), date(2020, 1, 1)),
    ],
)
def test_date_ranges_equal_the_oracle(found, q, low, high) -> None:
    assert found(q) == date_oracle(low, high), q


def test_the_year_range_finds_articles_and_combines_with_words(found) -> None:
    assert found("2019..2021")
    assert found("高新区 2019..2021") == expected(["高新区"]) & date_oracle(
        date(2019, 1, 1), date(2021, 12, 31)
    )


def test_title_field_matches_the_headline_only(found) -> None:
    documents = {a.pk: a for a in public()}
    for word in ("高新区", "项目", "产业"):
        want = {
            pk for pk, a in documents.items()
            if any(norm(word) in norm(part) for part in (a.kicker, a.title, a.subtitle) if part)
        }
        assert want, word
        assert found(f"title:{word}") == found(f"标题：{word}") == want, word
        assert found(f"標題:{word}") == want, word
    # Words anywhere find more than in headlines.
    assert found("高新区") > found("title:高新区")


def test_author_field_matches_a_byline_name(found) -> None:
    articles = public()
    names = sorted({name for a in articles for name in a.authors})
    assert names
    for name in names[:8]:
        want = {a.pk for a in articles if any(name in author for author in a.authors)}
        assert found(f"author:{name}") == found(f"作者:{name}") == want, name


def test_park_field_matches_the_article_zone_by_any_of_its_names(found) -> None:
    articles = public()
    zones = {a.park for a in articles if a.park}
    assert zones
    for park in sorted(zones, key=lambda p: p.name)[:6]:
        want = {a.pk for a in articles if a.park == park}
        assert found(f"park:{park.name}") == found(f"园区:{park.full_name}") == want, park.name
        for alias in park.alias_list[:1]:
            assert found(f"园区:{alias}") >= want, alias


def test_conditions_combine_and_negate(found) -> None:
    articles = public()
    park = next(a.park for a in articles if a.park)
    in_park = {a.pk for a in articles if a.park == park}
    every = {a.pk for a in articles}
    assert found(f"-park:{park.name}") == every - in_park
    assert found(f"park:{park.name} 2017..2020") == in_park & date_oracle(
        date(2017, 1, 1), date(2020, 12, 31)
    )


def test_the_api_writes_conditions_back(api) -> None:
    body = api(q="动力电池  总投资 ≥ 10亿元 作者：洪恒飞")
    assert body["query"] == "动力电池 总投资>=10亿元 author:洪恒飞"




@pytest.mark.skipif(not DEV_PAGES.is_dir(), reason="../shared/dev/pages not present")
def test_every_operator_equals_the_oracle_over_the_development_pages(
    found, scratch_index, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest", str(DEV_PAGES), verbosity=0)
    writer.sync_articles(list(Article.objects.public().values_list("pk", flat=True)), strict=True)
    for op in (">", ">=", "<", "<=", "="):
        for figure in Figure.objects.public().exclude(label="").order_by("pk")[:40:8]:
            q = f"{figure.label}{op}{figure.value:g}{figure.unit}"
            assert found(q) == figure_oracle(figure.label, op, figure.value, figure.unit), q
    assert found("总投资>=10亿元") == figure_oracle("总投资", ">=", 10, "亿元")
    years = sorted({a.page.issue_date.year for a in public() if a.page.issue_date})
    for low, high in itertools.pairwise(years):
        assert found(f"{low}..{high}") == date_oracle(date(low, 1, 1), date(high, 12, 31))
    articles = public()
    for name in sorted({n for a in articles for n in a.authors})[:10]:
        want = {a.pk for a in articles if any(name in author for author in a.authors)}
        assert found(f"作者:{name}") == want, name
    for park in sorted({a.park for a in articles if a.park}, key=lambda p: p.name)[:10]:
        assert found(f"园区:{park.name}") == {a.pk for a in articles if a.park == park}
