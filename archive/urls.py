from django.urls import path

from archive import views

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("parks/", views.park_list, name="parks"),
    path("parks/<slug:slug>/", views.park_detail, name="park"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("api/articles/<int:pk>/", views.article_api, name="article_api"),
    path("healthz", views.healthz, name="healthz"),
]
