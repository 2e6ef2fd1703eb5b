"""Fixtures for the page tests: the seeds are in the session database (tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.web.html import Node, parse


@pytest.fixture
def get(client, db):
    """GET a path; returns (response, parsed document) and checks the status."""

    def fetch(path: str, status: int = 200, **params) -> tuple:
        response = client.get(path, params)
        assert response.status_code == status, (path, params, response.status_code)
        doc: Node | None = None
        if response.get("Content-Type", "").startswith("text/html"):
            doc = parse(response.content)
        return response, doc

    return fetch
