"""The warm-up gunicorn's master runs before forking (archive/warmup.py): every site
template compiled once and the heap frozen."""

from __future__ import annotations

import gc

import pytest
from django.template import engines

from archive.warmup import site_templates, warm_up


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_warm_up_compiles_the_site_templates_and_freezes_the_heap(unfrozen) -> None:
    loader = engines["django"].engine.template_loaders[0]  # the cached loader
    loader.reset()
    warm_up()
    names = site_templates()
    assert "search/search.html" in names and "archive/article_detail.html" in names
    compiled = {template.origin.template_name for template in loader.get_template_cache.values()
                if hasattr(template, "origin")}
    assert set(names) <= compiled
    assert gc.get_freeze_count() > 0
