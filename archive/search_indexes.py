"""The article search index (django-haystack).

`text` (grams) holds everything a query may match — kicker, title, subtitle, each author,
each park named and the body — as separate segments, so a phrase never spans two of them.
`headline` repeats kicker, title and subtitle to boost matches there; `words` is the jieba
view of the same text, for ranking and similar articles. The rest are whole-value facet
and sort fields. Field names are used by `archive/search/compile.py` and `facets.py`.
"""

from __future__ import annotations

from django.db.models import Prefetch
from haystack import fields, indexes

from archive.models import Article, Figure
from archive.search.analysis import BARRIER
from archive.search.fields import GramField, WordField
from archive.search.figure_kinds import kinds_of

HEADLINE_BOOST = 3.0


def _keyword(value: str) -> str:
    # Multi-valued fields are stored comma-separated: keep a comma inside a value.
    return value.replace(",", "，").strip()


def park_names(article: Article) -> list[str]:
    """Every name of every zone the article is about or mentions: short and full names and
    aliases, so a search for 天津高新区 or 杨凌农业高新技术产业示范区 finds the zone's
    articles whichever name the page used."""
    parks = list(article.parks.all())
    if article.park and article.park not in parks:
        parks.insert(0, article.park)
    names = [n for p in parks for n in (p.name, p.full_name, *p.alias_list) if n]
    return list(dict.fromkeys(names))


def searchable_parts(article: Article) -> list[str]:
    """The texts a query is matched against, each on its own."""
    return [
        article.kicker,
        article.title,
        article.subtitle,
        *[str(a) for a in article.authors or []],
        *park_names(article),
        article.body,
    ]


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = GramField(document=True, stored=False)
    headline = GramField(stored=False, boost=HEADLINE_BOOST)
    words = WordField(stored=False)
    park = fields.FacetCharField()
    parks = fields.FacetMultiValueField()
    province = fields.FacetCharField()
    year = fields.FacetIntegerField()
    issue_date = indexes.DateField(null=True)
    authors = fields.FacetMultiValueField()
    figure_kinds = fields.FacetMultiValueField()

    def get_model(self) -> type[Article]:
        return Article

    def index_queryset(self, using=None):
        # Only what prepare_* reads: a rebuild loads ten figures per article.
        figures = Figure.objects.only("article_id", "base_unit", "label", "deleted", "status")
        return (
            Article.objects.public()
            .select_related("park", "page")
            # One copy of a page's text per article made a big page cost its size squared.
            .defer("page__raw_text")
            .prefetch_related("parks", Prefetch("figures", queryset=figures))
        )

    def prepare_text(self, obj: Article) -> str:
        return BARRIER.join(part for part in searchable_parts(obj) if part)

    def prepare_headline(self, obj: Article) -> str:
        return BARRIER.join(part for part in (obj.kicker, obj.title, obj.subtitle) if part)

    def prepare_words(self, obj: Article) -> str:
        return self.prepare_text(obj)

    def prepare_park(self, obj: Article) -> str | None:
        return _keyword(obj.park.name) if obj.park else None

    def prepare_parks(self, obj: Article) -> list[str]:
        return sorted({_keyword(p.name) for p in obj.parks.all()})

    def prepare_province(self, obj: Article) -> str | None:
        return _keyword(obj.park.province) if obj.park and obj.park.province else None

    def prepare_year(self, obj: Article) -> int | None:
        return obj.page.issue_date.year if obj.page.issue_date else None

    def prepare_issue_date(self, obj: Article):
        return obj.page.issue_date

    def prepare_authors(self, obj: Article) -> list[str]:
        return sorted({_keyword(str(a)) for a in obj.authors or [] if str(a).strip()})

    def prepare_figure_kinds(self, obj: Article) -> list[str]:
        # A size threshold (投资5亿元以上项目) states no investment: it gives the article no kind.
        live = (f for f in obj.figures.all() if not f.deleted and f.status != "threshold")
        return kinds_of((f.base_unit, f.label) for f in live)
