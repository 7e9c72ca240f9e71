"""The collection's pages under /repository/ (namespace ``repository``). Search and browse
(``search_views``), statistics and citations (``open_urls``) add their own routes."""

from django.urls import URLPattern, path

from libcoop.repository import search_views, views

app_name = "repository"

urlpatterns: list[URLPattern] = [
    path("repository/", views.collection, name="collection"),
    path("repository/search/", search_views.search_page, name="search"),
    path("repository/browse/", search_views.browse_page, name="browse"),
    path("repository/deposit/", views.deposit, name="deposit"),
    path("repository/library/", views.library_items, name="library_items"),
    path("repository/review/", views.review_queue, name="review_queue"),
    path("repository/<id:pk>/", views.item_detail, name="item"),
    path("repository/<id:pk>/edit/", views.item_edit, name="item_edit"),
    path("repository/<id:pk>/access/", views.item_access, name="item_access"),
    path("repository/<id:pk>/files/", views.file_add, name="file_add"),
    path("repository/<id:pk>/files/<id:file_pk>/", views.file_download, name="file"),
    path(
        "repository/<id:pk>/files/<id:file_pk>/thumbnail/",
        views.thumbnail,
        name="thumbnail",
    ),
    path(
        "repository/<id:pk>/files/<id:file_pk>/remove/",
        views.file_remove,
        name="file_remove",
    ),
    path("repository/<id:pk>/do/<slug:action>/", views.item_action, name="item_action"),
]
