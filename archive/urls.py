from django.urls import path

from archive import views
from archive.search import views as search_views

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search_page, name="search"),
    path("api/search/", search_views.search_api, name="search_api"),
    path("parks/", views.park_list, name="parks"),
    path("parks/<slug:slug>/", views.park_detail, name="park"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("figures/", views.figure_explorer, name="figures"),
    path("api/articles/<int:pk>/", views.article_api, name="article_api"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("readyz", views.readyz, name="readyz"),
]
