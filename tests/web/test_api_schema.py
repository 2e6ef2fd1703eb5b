"""/api/schema/ is a valid OpenAPI 3.1 document, and what every endpoint really returns
validates against it; /api/ documents every endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from archive.api_guide import example_article, example_urls
from archive.openapi import document


def json_of(response) -> object:
    """The JSON body of a response, streamed (the figure downloads) or not."""
    if response.streaming:
        return json.loads(b"".join(response.streaming_content))
    return response.json()


@pytest.fixture
def spec(client, db) -> dict[str, Any]:
    response = client.get("/api/schema/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in doc["paths"].items() for method, op in ops.items()]


def response_schema(doc: dict[str, Any], op: dict[str, Any], status: int) -> dict[str, Any]:
    content = op["responses"][str(status)]["content"]["application/json"]
    # $refs point into the document's components: validate against a root that holds them.
    return {**content["schema"], "components": doc["components"]}


def validate(doc: dict[str, Any], op: dict[str, Any], status: int, instance: Any) -> None:
    OAS31Validator(response_schema(doc, op, status)).validate(instance)


def test_the_document_is_valid_openapi(spec) -> None:
    assert spec["openapi"].startswith("3.1")
    validate_spec(spec)
    assert spec["servers"] == [{"url": "http://testserver/"}]


def test_every_real_response_validates(client, spec) -> None:
    article = example_article()
    checked = 0
    for path, method, op in operations(spec):
        urls = example_urls(op, article)
        assert urls, f"{method} {path} has no example request"
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            validate(spec, op, 200, json_of(response))
            checked += 1
    assert checked >= 6


def test_every_documented_example_validates(spec) -> None:
    for _path, _method, op in operations(spec):
        for status, response in op["responses"].items():
            content = response.get("content", {}).get("application/json", {})
            if "example" in content:
                validate(spec, op, int(status), content["example"])


def test_the_article_json_carries_issue_and_citation(client, spec) -> None:
    article = example_article()
    op = spec["paths"]["/api/articles/{id}/"]["get"]
    for ref in (article.pk, article.public_id):
        data = client.get(f"/api/articles/{ref}/").json()
        validate(spec, op, 200, data)
        assert data["public_id"] == article.public_id
        assert data["citation"]["gbt7714"].count("[N]") == 1
        assert data["citation"]["bibtex_url"] == (
            f"http://testserver/articles/{article.public_id}/cite.bib"
        )


def test_a_response_with_an_undocumented_field_fails(spec) -> None:
    """The shapes are closed: an endpoint that grows a field must document it."""
    op = spec["paths"]["/api/articles/{id}/"]["get"]
    example = op["responses"]["200"]["content"]["application/json"]["example"]
    with pytest.raises(ValidationError, match="Additional properties"):
        validate(spec, op, 200, {**example, "surprise": 1})


def test_the_search_filters_of_the_schema_are_the_api_s(client, spec) -> None:
    op = spec["paths"]["/api/search/"]["get"]
    data = client.get("/api/search/", {"q": "高新区"}).json()
    documented = {p["name"] for p in op["parameters"]}
    assert set(data["facets"]) <= documented


def test_the_guide_documents_every_endpoint_with_examples(get) -> None:
    _, doc = get("/api/")
    text = doc.find("main").text
    for path, method, op in operations(document()):
        section = doc.by_id(op["operationId"])
        assert f"{method.upper()} {path}" in section.find("h2").text
        links = [a.attrs["href"] for a in section.find("p", cls="examples").find_all("a")]
        assert links == example_urls(op, example_article())
    assert "/feeds/latest/" in text and "/api/schema/" in text


def test_the_guide_and_schema_answer_without_articles(client, db) -> None:
    from archive.models import Page

    Page.objects.all().delete()
    assert client.get("/api/").status_code == 200
    assert client.get("/api/schema/").status_code == 200
