"""The article search index (django-haystack)."""

from __future__ import annotations

from haystack import indexes

from archive.models import Article
from archive.search.analysis import ChineseAnalyzer


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True, analyzer=ChineseAnalyzer())
    title = indexes.CharField(model_attr="title", analyzer=ChineseAnalyzer(), boost=2.0)
    park = indexes.CharField(null=True, faceted=True)

    def get_model(self) -> type[Article]:
        return Article

    def index_queryset(self, using=None):
        return Article.objects.public().select_related("park", "page")

    def prepare_park(self, obj: Article) -> str | None:
        return obj.park.name if obj.park else None
