from django.urls import path

from libcoop.events import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/network/<str:code>.ics", views.network_feed, name="network_feed"),
    path("events/outputs/<id:pk>/file/", views.output_file, name="output_file"),
    path("events/<id:pk>/", views.event_detail, name="event"),
    path("events/<id:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<id:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<id:pk>/attendance/", views.attendance, name="attendance"),
    path("events/<id:pk>/outputs/new/", views.output_add, name="output_add"),
]
