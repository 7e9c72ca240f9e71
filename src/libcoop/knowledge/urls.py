from django.urls import path

from libcoop.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("knowledge/", views.article_list, name="articles"),
    path("knowledge/new/", views.article_create, name="article_create"),
    path("knowledge/<id:pk>/", views.article_detail, name="article"),
    path("knowledge/<id:pk>/edit/", views.article_edit, name="article_edit"),
    path(
        "knowledge/<id:pk>/publish/",
        views.article_status,
        {"action": "publish"},
        name="article_publish",
    ),
    path(
        "knowledge/<id:pk>/withdraw/",
        views.article_status,
        {"action": "withdraw"},
        name="article_withdraw",
    ),
    path("knowledge/<id:pk>/files/", views.attachment_add, name="attachment_add"),
    path(
        "knowledge/<id:pk>/files/<id:file_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "knowledge/<id:pk>/files/<id:file_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("knowledge/<id:pk>/comments/", views.comment_add, name="comment_add"),
    path("knowledge/comments/<id:pk>/remove/", views.comment_remove, name="comment_remove"),
]
