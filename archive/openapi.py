"""The OpenAPI 3.1 document of the archive's JSON endpoints (served at /api/schema/).

One source for the machine-readable schema and the human guide at /api/: each operation
carries `x-examples` (requests the guide links to and the tests send, `{id}` and
`{public_id}` filled with a real article) and an example response. Shapes are closed
(`additionalProperties: false`): a field an endpoint starts returning must be documented
here, or tests/web/test_api_schema.py fails.
"""

from __future__ import annotations

import copy
from typing import Any

from archive.search.facets import FACETS
from archive.search.params import MAX_PER_PAGE, SORTS

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}


def _closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _string_list() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}}


STATUS = {
    "enum": ["reported", "target", "threshold"],
    "description": "reported (a result), target (a goal, plan or forecast) or threshold "
    "(a size class such as 投资5亿元以上项目).",
}

ISSUE_DATE = {
    "type": ["string", "null"],
    "pattern": r"^\d{4}(-\d{2}-\d{2})?$",
    "description": "YYYY-MM-DD, or YYYY alone when only the year was estimated from the text.",
}
ISSUE_DATE_FIELDS = {
    "issue_date": ISSUE_DATE,
    "issue_date_estimated": {"type": "boolean", "description": "The year is an estimate."},
    "issue_date_text": {"type": "string", "description": "As pages show it: 约2020年."},
}

NOTE = {
    "type": "object",
    "description": "A field staff corrected, with what the page printed.",
    "properties": {
        "field": {"type": "string"}, "label": {"type": "string"},
        "original": {"type": "string"}, "corrected_at": {"type": "string"},
    },
    "required": ["field", "label", "original", "corrected_at"],
    "additionalProperties": False,
}
HISTORY_ROW = {
    "type": "object",
    "description": "One staff change readers may see (no user names).",
    "properties": {
        "field": {"type": "string"}, "label": {"type": "string"},
        "figure_id": NULLABLE_INT, "old_value": {"type": "string"},
        "new_value": {"type": "string"}, "corrected_at": {"type": "string"},
        "reverts": NULLABLE_INT,
    },
    "required": ["field", "label", "figure_id", "old_value", "new_value", "corrected_at",
                 "reverts"],
    "additionalProperties": False,
}

SCHEMAS: dict[str, Any] = {
    "Figure": _closed({
        "label": {"type": "string", "description": "What is counted (指标), as printed."},
        "value": {"type": "number", "description": "The value in the unit as printed."},
        "unit": {"type": "string"},
        "normalized_value": {"type": "number", "description": "Value in base units (元 …)."},
        "base_unit": {"type": "string"},
        "park": NULLABLE_STRING,
        "year": NULLABLE_INT,
        "quote": {"type": "string", "description": "The sentence the figure was read from."},
        "printed": {"type": "string", "description": "Value, qualifier and unit as printed."},
        "value_text": {"type": "string", "description": "The number as printed."},
        "value_max": {"type": ["number", "null"], "description": "Upper end of a range."},
        "qualifier": {"type": "string", "description": "约, 余, 超 … as printed."},
        "status": STATUS,
        "id": {"type": "integer"},
        "corrected_fields": _string_list(),
        "corrections": {"type": "array", "items": NOTE},
    }),
    "Issue": _closed({
        "newspaper": {**NULLABLE_STRING, "description": "Newspaper title; null if unknown."},
        "newspaper_url": {**NULLABLE_STRING, "description": "The newspaper's page."},
        "date": ISSUE_DATE,
        "date_source": {
            "enum": ["printed", "given", "estimated", "unknown"],
            "description": "printed in a page header, given at ingest, or only the year "
            "estimated from the text (then date is the year alone, YYYY).",
        },
        "page_label": {"type": "string", "description": "版次 as printed or given; '' unknown."},
        "page_number": NULLABLE_INT,
    }),
    "Citation": _closed({
        "gbt7714": {"type": "string", "description": "GB/T 7714-2015, newspaper [N] form."},
        "apa": {"type": "string", "description": "APA 7."},
        "bibtex_url": {"type": "string"},
        "ris_url": {"type": "string"},
        "notes": {**_string_list(), "description": "What the citation lacks or estimates."},
    }),
    "Article": _closed({
        "id": {"type": "integer", "description": "Database id (changes across databases)."},
        "public_id": {"type": "string", "pattern": "^[a-z2-9]{10}$",
                      "description": "Stable id of the permalink."},
        "source": {"type": "string", "description": "The page's key (its file name)."},
        "ordinal": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "kicker": {"type": "string"},
        "dateline": {"type": "string", "description": "电头 as printed (本报讯 …); not body."},
        "subtitle": {"type": "string"},
        "authors": _string_list(),
        "park": NULLABLE_STRING,
        "parks": _string_list(),
        "body": {"type": "string"},
        "url": {"type": "string", "description": "The permalink path."},
        **ISSUE_DATE_FIELDS,
        "issue": _ref("Issue"),
        "citation": _ref("Citation"),
        "figures": {"type": "array", "items": _ref("Figure")},
        "corrected_fields": _string_list(),
        "corrections": {"type": "array", "items": NOTE},
        "correction_history": {"type": "array", "items": HISTORY_ROW},
    }),
    "SearchResult": _closed({
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "park": NULLABLE_STRING,
        "url": {"type": "string"},
        "highlight": {"type": "string", "description": "HTML: a snippet with <mark>."},
        "title_highlight": {"type": "string"},
        **ISSUE_DATE_FIELDS,
        "score": {"type": ["number", "null"]},
    }),
    "Search": _closed({
        "count": {"type": "integer", "minimum": 0},
        "results": {"type": "array", "items": _ref("SearchResult")},
        "facets": {
            "type": "object",
            "description": "Per filter parameter: [value, count] pairs, most first.",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "array",
                    "prefixItems": [{"type": ["string", "integer"]}, {"type": "integer"}],
                    "minItems": 2,
                    "maxItems": 2,
                },
            },
        },
        "page": {"type": "integer", "minimum": 1},
        "num_pages": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "sort": {"enum": list(SORTS)},
        "query": {"type": "string", "description": "The query as understood."},
        "notes": _string_list(),
        "suggestion": NULLABLE_STRING,
        "zone_gaps": {"type": "array", "description": "Zones the query names that the archive "
                      "has no article about, with the nearest queries that find something.",
                      "items": _closed({
            "park": {"type": "string"}, "message": {"type": "string"},
            "nearest": {"type": "array", "items": _closed({
                "q": {"type": "string"}, "count": {"type": "integer"}})},
        })},
        "parks": {"type": "array", "items": _closed({
            "name": {"type": "string"}, "url": {"type": "string"}, "filter": {"type": "string"},
        })},
    }),
    "SearchUnavailable": {
        "type": "object",
        "properties": {"error": {"type": "string"}, "count": {"const": 0}},
        "required": ["error"],
    },
    "FigureRow": _closed({
        "id": {"type": "integer"},
        "park": NULLABLE_STRING,
        "province": NULLABLE_STRING,
        "label": {"type": "string"},
        "printed": {"type": "string"},
        "status": STATUS,
        "qualifier": {"type": "string"},
        "value": {"type": "number"},
        "value_max": {"type": ["number", "null"]},
        "value_text": {"type": "string"},
        "unit": {"type": "string"},
        "normalized_value": {"type": "number"},
        "base_unit": {"type": "string"},
        "converted": {"type": "string", "description": "The value in a common unit (换算)."},
        "year": NULLABLE_INT,
        **ISSUE_DATE_FIELDS,
        "page": {"type": "string", "description": "The page's key."},
        "article_id": {"type": "integer"},
        "article_title": {"type": "string"},
        "article_url": {"type": "string"},
        "quote": {"type": "string"},
        "corrected_fields": {"type": "string", "description": "Space-separated field names."},
        "corrected_at": {"type": ["string", "null"]},
        "corrected_from": {"type": "string", "description": "What the page printed."},
    }),
    "Figures": _closed({
        "count": {"type": "integer", "minimum": 0},
        "filters": {"type": "object"},
        "figures": {"type": "array", "items": _ref("FigureRow")},
    }),
}

EXAMPLE_ARTICLE = {
    "id": 12,
    "public_id": "kq7m2xa9fd",
    "source": "000_example.txt",
    "ordinal": 1,
    "title": "某高新区提升发展能级",
    "kicker": "",
    "dateline": "本报讯",
    "subtitle": "",
    "authors": ["张三", "李四"],
    "park": "宁波高新区",
    "parks": ["宁波高新区"],
    "body": "第一段……\n第二段……",
    "url": "/articles/kq7m2xa9fd/",
    "issue_date": "2020-06-01",
    "issue_date_estimated": False,
    "issue_date_text": "2020年6月1日",
    "issue": {
        "newspaper": "中国高新技术产业导报",
        "newspaper_url": "https://example.org/papers/zhongguogaoxinjishuchanyedaobao/",
        "date": "2020-06-01",
        "date_source": "given",
        "page_label": "第3版",
        "page_number": 3,
    },
    "citation": {
        "gbt7714": "张三, 李四. 某高新区提升发展能级[N]. 中国高新技术产业导报, 2020-06-01(3).",
        "apa": "张三, & 李四. (2020, June 1). 某高新区提升发展能级. 中国高新技术产业导报, 3. "
        "https://example.org/articles/kq7m2xa9fd/",
        "bibtex_url": "https://example.org/articles/kq7m2xa9fd/cite.bib",
        "ris_url": "https://example.org/articles/kq7m2xa9fd/cite.ris",
        "notes": [],
    },
    "figures": [{
        "label": "高新技术企业", "value": 963, "unit": "家", "normalized_value": 963,
        "base_unit": "家", "park": "宁波高新区", "year": None, "quote": "已拥有高新技术企业963家",
        "printed": "963家", "value_text": "963", "value_max": None, "qualifier": "",
        "status": "reported", "id": 7, "corrected_fields": [], "corrections": [],
    }],
    "corrected_fields": [],
    "corrections": [],
    "correction_history": [],
}
EXAMPLE_SEARCH = {
    "count": 1,
    "results": [{
        "id": 12, "title": "某高新区提升发展能级", "park": "宁波高新区",
        "url": "/articles/kq7m2xa9fd/", "highlight": "……<mark>高新区</mark>……",
        "title_highlight": "某<mark>高新区</mark>提升发展能级", "issue_date": "2020-06-01",
        "issue_date_estimated": False, "issue_date_text": "2020年6月1日", "score": 3.2,
    }],
    "facets": {"park": [["宁波高新区", 1]], "year": [[2020, 1]]},
    "page": 1, "num_pages": 1, "per_page": 10, "sort": "relevance", "query": "高新区",
    "notes": [], "suggestion": None,
    "parks": [{"name": "宁波高新区", "url": "/parks/ningbo/", "filter": "park=宁波高新区"}],
    "zone_gaps": [],
}  # fmt: skip
EXAMPLE_FIGURES = {
    "count": 1,
    "filters": {"label": "企业"},
    "figures": [{
        "id": 7, "park": "宁波高新区", "province": "浙江省", "label": "高新技术企业",
        "printed": "963家", "status": "reported",
        "qualifier": "", "value": 963, "value_max": None, "value_text": "963", "unit": "家",
        "normalized_value": 963, "base_unit": "家", "converted": "963家", "year": None,
        "issue_date": "2020", "issue_date_estimated": True, "issue_date_text": "约2020年",
        "page": "000_eec5.txt",
        "article_id": 12,
        "article_title": "某高新区提升发展能级",
        "article_url": "https://example.org/articles/kq7m2xa9fd/",
        "quote": "已拥有高新技术企业963家",
        "corrected_fields": "", "corrected_at": None, "corrected_from": "",
    }],
}  # fmt: skip


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **extra}


def _json(schema_name: str, description: str, example: Any = None) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": _ref(schema_name)}
    if example is not None:
        content["example"] = example
    return {"description": description, "content": {"application/json": content}}


SEARCH_PARAMETERS = [
    _query("q", "The query: words (AND), \"a phrase\", OR, -word.", {"type": "string"},
           example="高新区"),
    *[
        _query(f.param, f"Filter by {f.label} (repeatable; all must hold).",
               {"type": "array", "items": {"type": "integer" if f.numeric else "string"}},
               style="form", explode=True)
        for f in FACETS
    ],
    _query("sort", "relevance (default with a query), newest, oldest.", {"enum": list(SORTS)}),
    _query("page", "Page of results, from 1.", {"type": "integer", "minimum": 1}),
    _query("per_page", f"Results per page (1–{MAX_PER_PAGE}, default 10).",
           {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
]  # fmt: skip

PATHS: dict[str, Any] = {
    "/api/search/": {"get": {
        "operationId": "search",
        "summary": "Search articles",
        "description": "The full-text search of /search/, as JSON: the same parameters, "
        "the hits of one page, and facet counts for every filter.",
        "parameters": SEARCH_PARAMETERS,
        "x-examples": [
            "/api/search/?q=高新区&per_page=2", "/api/search/?park=宁波高新区&sort=newest"
        ],
        "responses": {
            "200": _json("Search", "One page of results.", EXAMPLE_SEARCH),
            "503": _json("SearchUnavailable", "The search index does not answer."),
        },
    }},
    "/api/articles/{id}/": {"get": {
        "operationId": "article",
        "summary": "One article",
        "description": "By public id (the id of its permalink /articles/{public_id}/, "
        "which survives re-ingest of a revised page, index rebuilds and database moves) "
        "or by database id (which changes when the archive moves to another database).",
        "parameters": [{
            "name": "id", "in": "path", "required": True,
            "schema": {"oneOf": [{"type": "string", "pattern": "^[a-z][a-z2-9]{9}$"},
                                 {"type": "integer"}]},
        }],
        "x-examples": ["/api/articles/{public_id}/", "/api/articles/{id}/"],
        "responses": {
            "200": _json("Article", "The article, as in the export, with its issue and "
                         "citation.", EXAMPLE_ARTICLE),
            "404": {"description": "No such public article."},
        },
    }},
    "/figures/": {"get": {
        "operationId": "figures",
        "summary": "Figures (with format=json)",
        "description": "The figure explorer's selection as a JSON download (format=csv "
        "gives CSV). Filters as on the page.",
        "parameters": [
            {"name": "format", "in": "query", "required": True,
             "schema": {"enum": ["json", "csv"]}},
            _query("park", "Zone slug.", {"type": "string"}),
            _query("province", "Province.", {"type": "string"}),
            _query("label", "Label contains.", {"type": "string"}),
            _query("unit", "Base unit (元, 家, %…).", {"type": "string"}),
            _query("year", "Year of the figure (or of its issue).", {"type": "integer"}),
            _query("sort", "-date, date, -value, value, label.", {"type": "string"}),
        ],
        "x-examples": ["/figures/?format=json&label=企业"],
        "responses": {"200": _json("Figures", "The selected figures.", EXAMPLE_FIGURES)},
    }},
    "/api/schema/": {"get": {
        "operationId": "schema",
        "summary": "This OpenAPI document",
        "x-examples": ["/api/schema/"],
        "responses": {"200": {"description": "OpenAPI 3.1.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }},
}


def document(server: str = "/") -> dict[str, Any]:
    """The OpenAPI document; server is the site's base URL."""
    return copy.deepcopy({
        "openapi": "3.1.0",
        "info": {
            "title": "高新区新闻档案 API",
            "version": "1",
            "description": "JSON endpoints of the archive. The guide is at /api/.",
        },
        "servers": [{"url": server}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    })
