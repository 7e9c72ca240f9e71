from django.urls import path

from libcoop.catalog import attention, import_report, views

app_name = "catalog"

urlpatterns = [
    path("catalog/", views.search_page, name="search"),
    path("catalog/clusters/<id:pk>/", views.cluster_page, name="cluster"),
    path("catalog/clusters/<id:pk>/editions/", views.editions_page, name="editions"),
    path("catalog/records/<id:pk>/", views.record_page, name="record"),
    path("catalog/records/<id:pk>/split/", views.split, name="split"),
    path("catalog/records/<id:pk>/move/", views.move, name="move"),
    path("catalog/records/<id:pk>/merge/", views.merge, name="merge"),
    path("catalog/import/", views.import_page, name="import"),
    path("catalog/imports/<id:pk>/", views.import_job, name="import_job"),
    path(
        "catalog/imports/<id:pk>/problems.csv",
        import_report.problems_csv,
        name="import_problems_csv",
    ),
    path("catalog/imports/<id:pk>/records/", import_report.job_records, name="import_job_records"),
    path("catalog/attention/", attention.attention_page, name="attention"),
]
