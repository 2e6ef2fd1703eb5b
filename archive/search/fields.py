"""haystack field types for the two analyses of `analysis.py`.

The backend (`backend.py`) maps them to Whoosh TEXT fields with the matching analyzer.
Facet fields are haystack's own FacetCharField / FacetIntegerField / FacetMultiValueField,
which the backend keeps whole (ID, NUMERIC, comma KEYWORD) instead of tokenising them.
"""

from __future__ import annotations

from haystack import indexes


class GramField(indexes.CharField):
    """Characters and character pairs: exact substring matching and phrases."""

    field_type = "grams"


class WordField(indexes.CharField):
    """jieba search-mode words: ranking, key terms, suggestions."""

    field_type = "words"
