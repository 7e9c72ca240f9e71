from django.urls import path

from libcoop.outreach import views

app_name = "outreach"

urlpatterns = [
    path("outreach/", views.programme_list, name="programmes"),
    path("outreach/mine/", views.mine, name="mine"),
    path("outreach/programmes/new/", views.programme_create, name="programme_create"),
    path("outreach/programmes/<str:code>/", views.programme_detail, name="programme"),
    path("outreach/programmes/<str:code>/edit/", views.programme_edit, name="programme_edit"),
    path("outreach/activities/new/", views.activity_create, name="activity_create"),
    path("outreach/activities/<id:pk>/", views.activity_detail, name="activity"),
    path("outreach/activities/<id:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("outreach/activities/<id:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("outreach/activities/<id:pk>/photos/new/", views.photo_add, name="photo_add"),
    path("outreach/activities/<id:pk>/follow-up/", views.follow_up_add, name="follow_up_add"),
    path("outreach/photos/<id:pk>/", views.photo_file, name="photo_file"),
]
