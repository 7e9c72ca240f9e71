from django.urls import path

from libcoop.ops import views

app_name = "ops"

urlpatterns = [
    path("ops/", views.ops_page, name="index"),
    path("ops/schedules/<id:pk>/run/", views.run_now, name="run_now"),
]
