from django.urls import path, register_converter

from archive import api_guide, browse, feeds, views
from archive.permalinks import PublicIdConverter
from archive.search import views as search_views

app_name = "archive"
register_converter(PublicIdConverter, "pid")

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search_page, name="search"),
    path("search/feed/", feeds.SearchFeed(), name="search_feed"),
    path("api/search/", search_views.search_api, name="search_api"),
    path("parks/", views.park_list, name="parks"),
    path("parks/<slug:slug>/", views.park_detail, name="park"),
    path("parks/<slug:slug>/feed/", feeds.ParkFeed(), name="park_feed"),
    path("articles/<int:pk>/", views.article_by_pk, name="article"),
    path("articles/<pid:public_id>/", views.article_detail, name="article_permalink"),
    path("articles/<pid:public_id>/cite.<str:form>", views.article_cite, name="article_cite"),
    path("feeds/latest/", feeds.LatestFeed(), name="latest_feed"),
    path("issues/", browse.issues, name="issues"),
    path("issues/<int:year>/", browse.issues_year, name="issues_year"),
    path("issues/<int:year>/<int:month>/", browse.issues_month, name="issues_month"),
    path("issues/<int:year>/<int:month>/<int:day>/", browse.issues_day, name="issues_day"),
    path("papers/", browse.papers, name="papers"),
    path("papers/<slug:slug>/", browse.paper_detail, name="paper"),
    path("figures/", views.figure_explorer, name="figures"),
    path("figures/compare/", views.figure_compare, name="figure_compare"),
    path("api/", api_guide.guide, name="api"),
    path("api/schema/", api_guide.schema, name="api_schema"),
    path("api/articles/<int:pk>/", views.article_api, name="article_api"),
    path("api/articles/<pid:public_id>/", views.article_api, name="article_api_permalink"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("readyz", views.readyz, name="readyz"),
]
