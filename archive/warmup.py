"""What every worker would otherwise build on its first request, built once in gunicorn's
master before it forks (preload_app) and shared by the workers copy-on-write.

A fresh worker used to compile the templates, populate the URL resolver and import the
search indexes while it answered its first search: ~30 ms of CPU, paid by every worker at
once after a start or a restart, when eight visitors arrive together on two cores. The
index is not opened here: a worker must open its own files (a file offset shared across a
fork is shared by all). The zones' names from the database are left to each worker's first
search too: they need the database, which may not be migrated yet when gunicorn starts.
"""

from __future__ import annotations

import gc
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import get_resolver
from haystack import connections as search_connections

from archive.search.analysis import ensure_jieba


def site_templates() -> list[str]:
    """The names of the site's own templates (templates/), as `get_template` takes them."""
    names = []
    for directory in (Path(d) for t in settings.TEMPLATES for d in t.get("DIRS", [])):
        names += sorted(str(p.relative_to(directory)) for p in directory.rglob("*.html"))
    return names


def warm_up() -> None:
    ensure_jieba()
    get_resolver().reverse_dict  # noqa: B018 - populates the resolver's lookup tables
    search_connections["default"].get_unified_index().build()  # imports the search indexes
    for name in site_templates():
        try:
            get_template(name)  # the cached loader keeps what it compiles
        except TemplateDoesNotExist:
            continue
    # Nothing opened here may be shared with the workers.
    connections.close_all()
    # The objects made so far live as long as the process: left out of the collector's
    # walks, which would otherwise write to (and so copy) every page they sit on in each
    # worker.
    gc.collect()
    gc.freeze()
