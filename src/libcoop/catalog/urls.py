from django.urls import path

from libcoop.catalog import views

app_name = "catalog"

urlpatterns = [
    path("catalog/", views.search_page, name="search"),
    path("catalog/clusters/<int:pk>/", views.cluster_page, name="cluster"),
    path("catalog/records/<int:pk>/", views.record_page, name="record"),
    path("catalog/records/<int:pk>/split/", views.split, name="split"),
    path("catalog/records/<int:pk>/merge/", views.merge, name="merge"),
    path("catalog/import/", views.import_page, name="import"),
    path("catalog/imports/<int:pk>/", views.import_job, name="import_job"),
]
