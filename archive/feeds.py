"""Atom feeds: the newest articles, each zone's articles, and any search.

Articles enter a feed when they enter the archive (newest ingested first): a reader
following a zone wants what is new here, whatever the issue date. An entry's `published`
is its issue date when that date is printed or given, and `updated` is when the archive
last changed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from archive.citations import SITE_NAME
from archive.models import Article, Park
from archive.search import engine
from archive.search.backend import SearchUnavailable
from archive.search.params import MAX_PER_PAGE, read_params

ITEMS = 30
SUMMARY_CHARS = 200


def feed_articles() -> QuerySet[Article]:
    return Article.objects.public().select_related("page__newspaper", "park")


class ArticleFeed(Feed):
    """What every archive feed says about an article."""

    feed_type = Atom1Feed
    author_name = SITE_NAME

    def item_title(self, item: Article) -> str:
        return item.title or "（无标题片段）"

    def item_description(self, item: Article) -> str:
        body = " ".join(item.body.split("\n"))
        return body[:SUMMARY_CHARS] + ("……" if len(body) > SUMMARY_CHARS else "")

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Article) -> str:
        # A tag URI on the public id: the entry keeps its id if the site moves host.
        return f"tag:parknews,2026:article:{item.public_id}"

    item_guid_is_permalink = False

    def item_author_name(self, item: Article) -> str | None:
        return "、".join(str(a) for a in item.authors) or None

    def item_pubdate(self, item: Article) -> dt.datetime:
        page = item.page
        if page.issue_date and not page.issue_date_estimated:
            return timezone.make_aware(dt.datetime.combine(page.issue_date, dt.time()))
        return item.created_at

    def item_updateddate(self, item: Article) -> dt.datetime:
        return item.updated_at

    def item_categories(self, item: Article) -> list[str]:
        return [item.park.name] if item.park else []


class LatestFeed(ArticleFeed):
    title = f"{SITE_NAME}：最新文章"
    subtitle = "新收入档案的国家高新区报道"

    def link(self) -> str:
        return reverse("archive:home")

    def items(self) -> QuerySet[Article]:
        return feed_articles().order_by("-created_at", "-pk")[:ITEMS]


class ParkFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Park:
        return get_object_or_404(Park, slug=slug)

    def title(self, obj: Park) -> str:
        return f"{SITE_NAME}：{obj.name}"

    def subtitle(self, obj: Park) -> str:
        return f"以{obj.name}为主的新报道"

    def link(self, obj: Park) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Park) -> QuerySet[Article]:
        return feed_articles().filter(park=obj).order_by("-created_at", "-pk")[:ITEMS]


class SearchFeed(ArticleFeed):
    """The feed of a search URL: `/search/feed/?…` takes what `/search/?…` takes, and
    lists its newest matches by issue date."""

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().__call__(request, *args, **kwargs)
        except SearchUnavailable:
            return HttpResponse("搜索暂时不可用", status=503, content_type="text/plain")

    def get_object(self, request: HttpRequest) -> dict[str, Any]:
        params, _notes = read_params(request.GET)
        params = replace(params, sort="newest", page=1, per_page=MAX_PER_PAGE)
        return {"params": params, "query": request.GET.urlencode()}

    def title(self, obj: dict[str, Any]) -> str:
        params = obj["params"]
        what = params.q or "、".join(str(v) for vs in params.filters.values() for v in vs)
        return f"{SITE_NAME}：搜索“{what or '全部文章'}”"

    def link(self, obj: dict[str, Any]) -> str:
        query = obj["query"]
        return reverse("archive:search") + (f"?{query}" if query else "")

    def items(self, obj: dict[str, Any]) -> list[Article]:
        outcome = engine.search(obj["params"], with_facets=False, with_highlight=False)
        return [hit.article for hit in outcome.hits][:ITEMS]
