"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from haystack import connections

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def linker():
    """The park linker over the shipped registry (pure; no database)."""
    from archive.ingest.parks import ParkLinker, load_registry_csv
    from archive.registry import REGISTRY_CSV

    return ParkLinker(load_registry_csv(REGISTRY_CSV))


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the park registry (a migration) and the ingested seeds."""
    from django.conf import settings

    from archive.search.generations import remove_index

    remove_index(settings.SEARCH_INDEX_DIR)  # a link to a rebuilt generation, or a directory
    with django_db_blocker.unblock():
        call_command("ingest", str(SEEDS), verbosity=0)


@pytest.fixture
def page_dir(tmp_path: Path) -> Path:
    """An empty directory for page files a test writes."""
    directory = tmp_path / "pages"
    directory.mkdir()
    return directory


@contextmanager
def index_at(path: Path) -> Iterator[Path]:
    """Use the index at `path` instead of the shared one while inside."""
    from django.conf import settings

    conf = settings.HAYSTACK_CONNECTIONS["default"]
    shared = conf["PATH"]
    conf["PATH"] = str(path)
    connections.reload("default")
    # (The outbox is a table: what earlier tests queued was rolled back with them.)
    try:
        yield path
    finally:
        conf["PATH"] = shared
        connections.reload("default")
