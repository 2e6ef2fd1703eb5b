"""Search page and JSON API (to be written)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse


def search_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("search", content_type="text/plain")


def search_api(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"count": 0, "results": [], "facets": {}})
