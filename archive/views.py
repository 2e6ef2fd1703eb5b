"""Pages and JSON endpoints of the archive.

Every page takes its filters from the query string only, so any view a reader sees can be
shared as a link. Figures marked deleted and articles without a body never show.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.paginator import InvalidPage, Paginator
from django.core.paginator import Page as PaginatorPage
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe
from pypinyin import lazy_pinyin

from archive.models import Article, Figure, Page, Park
from archive.search.highlight import find_spans
from archive.search.params import MAX_Q_CHARS
from archive.search.query import parse
from archive.search.similar import similar_articles
from archive.serializers import article_json, articles_for_export, number
from archive.templatetags.archive_charts import Chart, build_chart, pick_chart_unit
from archive.templatetags.archive_format import readable_text, upper_in_base
from archive.templatetags.archive_text import figure_marks

logger = logging.getLogger(__name__)

ARTICLES_PER_PAGE = 20
FIGURES_PER_PAGE = 50
PARK_FIGURES = 60
PARK_MENTIONS = 20
# Newest issue first; undated pages last; a page's articles in reading order.
NEWEST_FIRST = (F("page__issue_date").desc(nulls_last=True), "-page_id", "ordinal")


def paginate(request: HttpRequest, items: QuerySet | list, per_page: int) -> PaginatorPage:
    """The page of items ?page= asks for; 404 for a page that is not there."""
    # Orphans: a last page of an eighth of a page or less folds into the one before it.
    paginator = Paginator(items, per_page, orphans=max(1, per_page // 8))
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(f"没有这一页：{error}") from None


def public_articles() -> QuerySet[Article]:
    return Article.objects.public().select_related("page", "park")


def public_figures() -> QuerySet[Figure]:
    """Figures readers see, with the zone they count for and the year they belong to.

    zone_id: the figure's own zone, else its article's. year_of: the year the figure
    names, else the year of the issue that printed it.
    """
    return (
        Figure.objects.public()
        .select_related("article__page", "article__park", "park")
        # Lists of figures never show the article text or the page text: leave them in the DB.
        .defer("article__body", "article__spans", "article__page__raw_text")
        .annotate(
            zone_id=Coalesce("park_id", "article__park_id"),
            year_of=Coalesce("year", ExtractYear("article__page__issue_date")),
        )
    )


def in_zone(park: Park) -> Q:
    return Q(park=park) | Q(park__isnull=True, article__park=park)


def in_province(province: str) -> Q:
    return Q(park__province=province) | Q(park__isnull=True, article__park__province=province)


FIGURE_SORTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "-date": (
        "最新报道在前",
        (
            F("article__page__issue_date").desc(nulls_last=True),
            "-article__page_id",
            "article__ordinal",
            "position",
        ),
    ),
    "date": (
        "最早报道在前",
        (
            F("article__page__issue_date").asc(nulls_last=True),
            "article__page_id",
            "article__ordinal",
            "position",
        ),
    ),
    "-value": ("数值从大到小", ("-normalized_value", "pk")),
    "value": ("数值从小到大", ("normalized_value", "pk")),
    "label": ("按指标", ("label", "-normalized_value", "pk")),
}
DEFAULT_FIGURE_SORT = "-date"


def sort_figures(figures: QuerySet[Figure], sort: str | None) -> QuerySet[Figure]:
    return figures.order_by(*FIGURE_SORTS.get(sort or "", FIGURE_SORTS[DEFAULT_FIGURE_SORT])[1])


def figure_chart(figures: QuerySet[Figure], detail: str, bars: int) -> Chart | None:
    """A bar chart of the largest figures of the selection in its chart unit."""
    counts = dict(
        figures.order_by()
        .values_list("base_unit")
        .annotate(n=Count("pk"))
        .values_list("base_unit", "n")
    )
    unit = pick_chart_unit(counts)
    if unit is None:
        return None
    top = figures.filter(base_unit=unit).order_by("-normalized_value", "pk")[:bars]
    return build_chart(list(top), unit, counts[unit], sum(counts.values()), detail=detail)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The search box, what the archive holds, the latest articles and the parks most covered."""
    public = Article.objects.public()
    covered = Count("articles", filter=~Q(articles__body=""), distinct=True)
    context = {
        "counts": {
            "pages": Page.objects.count(),
            "articles": public.count(),
            "parks": Park.objects.filter(Q(articles__in=public) | Q(mentioned_in__in=public))
            .distinct()
            .count(),
            "registry": Park.objects.filter(in_registry=True).count(),
            "figures": public_figures().count(),
        },
        "latest": public_articles().order_by(*NEWEST_FIRST)[:8],
        "top_parks": Park.objects.annotate(n=covered).filter(n__gt=0).order_by("-n", "name")[:10],
        "provinces": Park.objects.exclude(province="")
        .values("province")
        .annotate(parks=Count("pk", distinct=True), articles=covered)
        .order_by(),
    }
    context["provinces"] = sorted(context["provinces"], key=lambda p: province_order(p["province"]))
    return render(request, "archive/home.html", context)


def park_search_key(park: Park) -> str:
    """What typing in the directory's filter matches: names, aliases, place, slug."""
    places = [park.province, park.city]
    return " ".join([park.name, park.full_name, park.aliases, *places, park.slug]).lower()


def province_order(province: str) -> tuple[bool, list[str]]:
    """Provinces in pinyin order (as Chinese readers look them up); unknown last."""
    return (not province, lazy_pinyin(province))


@require_safe
def park_list(request: HttpRequest) -> HttpResponse:
    """Every zone by province, with article counts; ?q= filters by name, ?province= narrows.

    Zones that do not match ?q= are rendered hidden rather than left out, so the filter
    box can widen the list again without a round trip.
    """
    filters = ParkListFilters(request.GET).values()
    q, province = filters.get("q", ""), filters.get("province", "")
    parks = Park.objects.annotate(
        n_about=Count("articles", filter=~Q(articles__body=""), distinct=True),
        n_mentions=Count(
            "mentioned_in",
            filter=~Q(mentioned_in__body="") & ~Q(mentioned_in__park=F("pk")),
            distinct=True,
        ),
    ).order_by("province", "-n_about", "name")
    if province:
        parks = parks.filter(province=province)
    groups: dict[str, list[Park]] = {}
    for park in parks:
        park.search_key = park_search_key(park)
        park.matches = not q or q.lower() in park.search_key
        groups.setdefault(park.province, []).append(park)
    provinces = [
        {"province": name, "parks": members, "shown": sum(p.matches for p in members)}
        for name, members in sorted(groups.items(), key=lambda item: province_order(item[0]))
    ]
    shown = [p for group in provinces for p in group["parks"] if p.matches]
    context = {
        "provinces": provinces,
        "q": q,
        "province": province,
        "total": sum(len(group["parks"]) for group in provinces),
        "shown": len(shown),
        "covered": sum(1 for p in shown if p.n_about or p.n_mentions),
    }
    return render(request, "archive/park_list.html", context)


@require_safe
def park_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One zone: its facts, articles (newest first), figures (table and chart), mentions."""
    park = get_object_or_404(Park, slug=slug)
    articles = paginate(
        request,
        park.articles.public().select_related("page").order_by(*NEWEST_FIRST),
        ARTICLES_PER_PAGE,
    )
    figures = public_figures().filter(in_zone(park))
    mentions = public_articles().filter(parks=park).exclude(park=park).order_by(*NEWEST_FIRST)
    sort = request.GET.get("sort") if request.GET.get("sort") in FIGURE_SORTS else None
    context = {
        "park": park,
        "articles": articles,
        # A park page shows the first of many; the explorer and search have the rest.
        "mentions": mentions[:PARK_MENTIONS],
        "mention_count": mentions.count(),
        "figures": sort_figures(figures, sort)[:PARK_FIGURES],
        "figure_count": figures.count(),
        "sort": sort or DEFAULT_FIGURE_SORT,
        "chart": figure_chart(figures, detail="date", bars=12),
    }
    return render(request, "archive/park_detail.html", context)


@require_safe
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One article, its figures marked in the text, and the page text it was cut from."""
    article = get_object_or_404(
        Article.objects.public().select_related("page", "park").prefetch_related("parks"), pk=pk
    )
    figures = list(
        article.figures.filter(deleted=False).select_related("park").order_by("position")
    )
    mentioned = [p for p in article.parks.all() if p.pk != article.park_id]
    q, needles, matches = search_marks(request, article)
    context = {
        "q": q,
        "needles": needles,
        "match_count": matches,
        "article": article,
        "figures": figures,
        "marked": {figure.pk for _, _, figure in figure_marks(article.body, figures)},
        "mentioned": mentioned,
        "page_articles": list(article.page.articles.only("pk", "ordinal", "title", "spans")),
        "same_page": public_articles().filter(page=article.page).exclude(pk=article.pk),
        "similar": similar_to(article),
    }
    return render(request, "archive/article_detail.html", context)


def search_marks(request: HttpRequest, article: Article) -> tuple[str, list[str], int]:
    """The search a reader came from (`?q=`, as the result links carry it): the query,
    the needles to mark in the article and how many places they mark."""
    q = str(request.GET.get("q", ""))[:MAX_Q_CHARS]
    parsed = parse(q)
    needles = [] if parsed.unsearchable else parsed.needles()
    texts = (article.kicker, article.title, article.subtitle, article.body)
    matches = sum(len(find_spans(text, needles)) for text in texts if text) if needles else 0
    return q.strip(), needles, matches


def similar_to(article: Article) -> list[Article]:
    """Similar articles from the search engineer's module; none when it fails.

    The list is an extra: an article page must still render when the index is down.
    """
    try:
        return list(similar_articles(article, limit=5))
    except Exception:
        logger.exception("similar_articles failed for article %s", article.pk)
        return []


@require_safe
def article_api(request: HttpRequest, pk: int) -> JsonResponse:
    article = get_object_or_404(articles_for_export().filter(body__gt=""), pk=pk)
    return JsonResponse(article_json(article), json_dumps_params={"ensure_ascii": False})


class QueryFilters(forms.Form):
    """A page's query string; invalid values (a NUL byte, too long, not a number) are
    dropped, not fatal."""

    def values(self) -> dict[str, Any]:
        """The valid, non-empty filters."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: value for key, value in data.items() if value not in (None, "")}


class ParkListFilters(QueryFilters):
    q = forms.CharField(required=False, max_length=64)
    province = forms.CharField(required=False, max_length=32)


class FigureFilters(QueryFilters):
    """The figure explorer's query string."""

    park = forms.SlugField(required=False, max_length=64)
    province = forms.CharField(required=False, max_length=32)
    label = forms.CharField(required=False, max_length=64)
    unit = forms.CharField(required=False, max_length=16)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    sort = forms.ChoiceField(
        required=False, choices=[(key, name) for key, (name, _) in FIGURE_SORTS.items()]
    )
    format = forms.ChoiceField(required=False, choices=[("csv", "CSV"), ("json", "JSON")])


def filter_figures(figures: QuerySet[Figure], filters: dict[str, Any]) -> QuerySet[Figure]:
    if slug := filters.get("park"):
        park = Park.objects.filter(slug=slug).first()
        figures = figures.filter(in_zone(park)) if park else figures.none()
    if province := filters.get("province"):
        figures = figures.filter(in_province(province))
    if label := filters.get("label"):
        # Contains, not equals: 投资 should find 总投资 and 投资额 too.
        figures = figures.filter(label__icontains=label)
    if unit := filters.get("unit"):
        figures = figures.filter(base_unit=unit)
    if (year := filters.get("year")) is not None:
        figures = figures.filter(year_of=year)
    return figures


@require_safe
def figure_explorer(request: HttpRequest) -> HttpResponse:
    """Figures filtered by park, province, label, unit and year; sortable; downloadable."""
    form = FigureFilters(request.GET)
    filters = form.values()
    everything = public_figures()
    selection = sort_figures(filter_figures(everything, filters), filters.get("sort"))
    if filters.get("format") == "csv":
        return figures_csv(request, selection)
    if filters.get("format") == "json":
        return figures_json(request, selection, filters)
    units = dict(
        everything.order_by()
        .values_list("base_unit")
        .annotate(n=Count("pk"))
        .values_list("base_unit", "n")
    )
    context = {
        "form": form,
        "filters": filters,
        "figures": paginate(request, selection, FIGURES_PER_PAGE),
        "chart": figure_chart(selection, detail="park", bars=15),
        "mixed_units": filters.get("sort") in ("value", "-value")
        and selection.order_by().values("base_unit").distinct().count() > 1,
        "sorts": [(key, name) for key, (name, _) in FIGURE_SORTS.items()],
        "sort": filters.get("sort", DEFAULT_FIGURE_SORT),
        "park_choices": Park.objects.filter(
            pk__in=everything.order_by().values("zone_id")
        ).order_by("province", "name"),
        "province_choices": sorted(
            {
                p
                for p in Park.objects.filter(
                    pk__in=everything.order_by().values("zone_id")
                ).values_list("province", flat=True)
                if p
            }
        ),
        "unit_choices": sorted(units.items(), key=lambda item: (-item[1], item[0])),
        "year_choices": sorted(
            {y for y in everything.order_by().values_list("year_of", flat=True) if y},
            reverse=True,
        ),
        "label_choices": everything.order_by()
        .exclude(label="")
        .values("label")
        .annotate(n=Count("pk"))
        .order_by("-n", "label")[:60],
    }
    return render(request, "archive/figure_explorer.html", context)


EXPORT_FIELDS = [
    "id",
    "park",
    "province",
    "label",
    "qualifier",
    "value",
    "value_max",
    "value_text",
    "unit",
    "normalized_value",
    "base_unit",
    "readable",
    "year",
    "issue_date",
    "issue_date_estimated",
    "article_id",
    "article_title",
    "article_url",
    "quote",
]


def export_rows(request: HttpRequest, figures: QuerySet[Figure]) -> Iterator[dict[str, Any]]:
    """The selection as the CSV and JSON downloads give it.

    Read as plain values, not models: a download of the whole archive should not build
    five model instances (and load the page text) for every figure.
    """
    site = request.build_absolute_uri("/").removesuffix("/")
    rows = figures.annotate(
        zone_name=Coalesce("park__name", "article__park__name"),
        zone_province=Coalesce("park__province", "article__park__province"),
    ).values(
        "pk", "label", "qualifier", "value", "value_max", "value_text", "unit",
        "normalized_value", "base_unit", "year", "quote", "zone_name", "zone_province",
        "article_id", "article__title", "article__page__issue_date",
        "article__page__issue_date_estimated",
    )  # fmt: skip
    for row in rows.iterator(chunk_size=2000):
        upper = upper_in_base(row["value"], row["value_max"], row["normalized_value"])
        issue_date = row["article__page__issue_date"]
        yield {
            "id": row["pk"],
            "park": row["zone_name"],
            "province": row["zone_province"],
            "label": row["label"],
            "qualifier": row["qualifier"],
            "value": number(row["value"]),
            "value_max": number(row["value_max"]),
            "value_text": row["value_text"],
            "unit": row["unit"],
            "normalized_value": number(row["normalized_value"]),
            "base_unit": row["base_unit"],
            "readable": readable_text(
                row["normalized_value"], row["base_unit"], row["qualifier"], upper
            ),
            "year": row["year"],
            "issue_date": issue_date.isoformat() if issue_date else None,
            "issue_date_estimated": row["article__page__issue_date_estimated"],
            "article_id": row["article_id"],
            "article_title": row["article__title"],
            "article_url": site + reverse("archive:article", args=[row["article_id"]]),
            "quote": row["quote"],
        }


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @ …) gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if value is None:
        return ""
    return value


def figures_csv(request: HttpRequest, figures: QuerySet[Figure]) -> HttpResponse:
    buffer = io.StringIO()
    # The BOM makes Excel read the file as UTF-8 instead of the locale's code page.
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in export_rows(request, figures):
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="parknews-figures.csv"'
    return response


def figures_json(
    request: HttpRequest, figures: QuerySet[Figure], filters: dict[str, Any]
) -> JsonResponse:
    rows = list(export_rows(request, figures))
    filters = {k: v for k, v in filters.items() if k != "format"}
    response = JsonResponse(
        {"count": len(rows), "filters": filters, "figures": rows},
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    response["Content-Disposition"] = 'attachment; filename="parknews-figures.json"'
    return response


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database and the search index both answer, else 503 saying which not."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        problems.append(f"database: {type(error).__name__}")
    from archive.search.health import index_problem

    if problem := index_problem():
        problems.append(problem)
    if problems:
        return HttpResponse("; ".join(problems), status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
