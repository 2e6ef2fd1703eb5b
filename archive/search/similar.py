"""Articles similar to one article: its key jieba words, searched for in the others.

Key terms are chosen against the whole index (Whoosh's Bo1 model: words frequent in this
article and rare elsewhere — park names, companies, industries), so no stop list is
needed; single characters and numbers are left out as too weak to carry a topic.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from whoosh import query as wq
from whoosh.searching import Searcher

from archive.models import Article
from archive.search import elasticsearch_backend as es
from archive.search.backend import SearchUnavailable, get_backend
from archive.search.compile import ARTICLE_CT, WORDS

log = logging.getLogger(__name__)

KEY_TERMS = 12


def similar_articles(article: Article, limit: int = 5) -> list[Article]:
    """Up to `limit` public articles most like this one, best first (never raises for
    an index problem: articles about the same park stand in)."""
    if limit <= 0:
        return []
    try:
        ids = _similar_ids_anywhere(article, limit)
    except SearchUnavailable:
        log.warning("similar articles: index unavailable, using the same park")
        ids = []
    found = (
        Article.objects.public()
        .select_related("park", "page")
        .defer("page__raw_text")
        .in_bulk(ids)
    )
    result = [found[pk] for pk in ids if pk in found]
    if not result and article.park_id:
        result = list(
            Article.objects.public()
            .filter(park_id=article.park_id)
            .exclude(pk=article.pk)
            .select_related("park", "page")
            .defer("page__raw_text")
            .order_by("-page__issue_date", "-pk")[:limit]
        )
    return result[:limit]


def _similar_ids_anywhere(article: Article, limit: int) -> list[int]:
    cluster = es.active()
    if cluster is not None:
        return cluster.similar_ids(article.pk, _article_text(article), limit, KEY_TERMS)
    return get_backend().read(lambda s: _cached_similar_ids(s, article, limit))


def _article_text(article: Article) -> str:
    # The title twice: it says what the article is about.
    parts = (article.kicker, article.title, article.title, article.subtitle, article.body)
    return "\n".join(x for x in parts if x)


# (article, its last change, index generation, limit) → ids; the article page asks on
# every view, and the answer only changes with the article or the index.
_cache: OrderedDict[tuple, list[int]] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 1024


def _cached_similar_ids(searcher: Searcher, article: Article, limit: int) -> list[int]:
    key = (article.pk, article.updated_at, searcher.reader().generation(), limit)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    ids = _similar_ids(searcher, article, limit)
    with _cache_lock:
        _cache[key] = ids
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return ids


def _key_terms(searcher: Searcher, text: str) -> list[tuple[str, float]]:
    terms = searcher.key_terms_from_text(WORDS, text, numterms=KEY_TERMS * 3)
    keep = [(t, w) for t, w in terms if len(t) >= 2 and not any(ch.isdigit() for ch in t)]
    return keep[:KEY_TERMS]


def _similar_ids(searcher: Searcher, article: Article, limit: int) -> list[int]:
    terms = _key_terms(searcher, _article_text(article))
    if not terms:
        return []
    query = wq.Or([wq.Term(WORDS, t, boost=w) for t, w in terms])
    own = searcher.document_number(id=f"{ARTICLE_CT}.{article.pk}")
    mask = {own} if own is not None else None
    articles = wq.Term("django_ct", ARTICLE_CT)
    results = searcher.search(query, limit=limit + 1, mask=mask, filter=articles)
    return [int(hit["django_id"]) for hit in results if int(hit["django_id"]) != article.pk][:limit]
