"""Pages and JSON endpoints of the archive."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from archive.models import Article, Figure, Page, Park
from archive.serializers import article_json, articles_for_export


def home(request: HttpRequest) -> HttpResponse:
    public = Article.objects.public()
    context = {
        "counts": {
            "pages": Page.objects.count(),
            "articles": public.count(),
            "parks": Park.objects.filter(articles__isnull=False).distinct().count(),
            "figures": Figure.objects.filter(deleted=False).count(),
        },
        "latest": public.select_related("park", "page").order_by("-page__issue_date", "-pk")[:10],
        "top_parks": Park.objects.annotate(n=Count("articles", filter=Q(articles__body__gt="")))
        .filter(n__gt=0)
        .order_by("-n", "name")[:12],
    }
    return render(request, "archive/home.html", context)


def park_list(request: HttpRequest) -> HttpResponse:
    parks = Park.objects.annotate(n=Count("articles")).order_by("province", "name")
    return render(request, "archive/park_list.html", {"parks": parks})


def park_detail(request: HttpRequest, slug: str) -> HttpResponse:
    park = get_object_or_404(Park, slug=slug)
    articles = park.articles.public().select_related("page")
    return render(request, "archive/park_detail.html", {"park": park, "articles": articles})


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.public().select_related("page", "park").prefetch_related("parks"), pk=pk
    )
    figures = article.figures.filter(deleted=False).select_related("park")
    return render(request, "archive/article_detail.html", {"article": article, "figures": figures})


def article_api(request: HttpRequest, pk: int) -> JsonResponse:
    article = get_object_or_404(articles_for_export().filter(body__gt=""), pk=pk)
    return JsonResponse(article_json(article), json_dumps_params={"ensure_ascii": False})


def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database and the search index both answer, else 503 saying which not."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        problems.append(f"database: {type(error).__name__}")
    try:
        from haystack.query import SearchQuerySet

        SearchQuerySet().filter(content="高新区").count()
    except Exception as error:
        problems.append(f"search index: {type(error).__name__}")
    if problems:
        return HttpResponse("; ".join(problems), status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
