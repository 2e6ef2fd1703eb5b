"""/api/ (a guide to every JSON endpoint, with examples) and /api/schema/ (OpenAPI 3.1).

The guide is drawn from the OpenAPI document itself, so the two cannot disagree; its
example links name a real article of the archive.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from archive import openapi
from archive.models import Article


def example_urls(operation: dict[str, Any], article: Article | None) -> list[str]:
    """The operation's example requests, with {id}/{public_id} of a real article."""
    urls = []
    for url in operation.get("x-examples", []):
        if "{" in url:
            if article is None:
                continue
            url = url.replace("{id}", str(article.pk)).replace("{public_id}", article.public_id)
        urls.append(url)
    return urls


def example_article() -> Article | None:
    return Article.objects.public().order_by("pk").only("pk", "public_id").first()


@require_safe
def schema(request: HttpRequest) -> JsonResponse:
    server = request.build_absolute_uri("/")
    return JsonResponse(
        openapi.document(server), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )


@require_safe
def guide(request: HttpRequest) -> HttpResponse:
    doc = openapi.document(request.build_absolute_uri("/"))
    article = example_article()
    endpoints = []
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            responses = []
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json", {})
                schema_ref = content.get("schema", {}).get("$ref", "")
                example = content.get("example")
                responses.append({
                    "status": status,
                    "description": response.get("description", ""),
                    "schema": schema_ref.rsplit("/", 1)[-1],
                    "example": json.dumps(example, ensure_ascii=False, indent=1)
                    if example is not None else "",
                })  # fmt: skip
            endpoints.append({
                "method": method.upper(),
                "path": path,
                "anchor": operation["operationId"],
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "parameters": operation.get("parameters", []),
                "examples": example_urls(operation, article),
                "responses": responses,
            })  # fmt: skip
    context = {"endpoints": endpoints, "schemas": doc["components"]["schemas"]}
    return render(request, "archive/api_guide.html", context)
