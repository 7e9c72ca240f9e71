from importlib import import_module
from importlib.util import find_spec

from django.urls import URLPattern, URLResolver, path

from libcoop.greenlib import views

app_name = "greenlib"


def report_urlpatterns() -> list[URLPattern | URLResolver]:
    """Routes of the report pages, defined beside the reports in ``report_urls.py``."""
    if find_spec("libcoop.greenlib.report_urls") is None:
        return []
    return list(import_module("libcoop.greenlib.report_urls").urlpatterns)


urlpatterns: list[URLPattern | URLResolver] = [
    path("greenlib/", views.home, name="home"),
    path("greenlib/standards/", views.standard_list, name="standards"),
    path("greenlib/standards/<str:code>/", views.standard_detail, name="standard"),
    path("greenlib/assessments/new/", views.assessment_open, name="assessment_open"),
    path("greenlib/assessments/<id:pk>/", views.assessment_detail, name="assessment"),
    path(
        "greenlib/assessments/<id:pk>/criteria/<id:criterion_pk>/",
        views.response_edit,
        name="response_edit",
    ),
    path(
        "greenlib/assessments/<id:pk>/criteria/<id:criterion_pk>/links/",
        views.link_add,
        name="link_add",
    ),
    path(
        "greenlib/assessments/<id:pk>/criteria/<id:criterion_pk>/files/",
        views.file_add,
        name="file_add",
    ),
    path(
        "greenlib/assessments/<id:pk>/actions/<str:action>/",
        views.transition,
        name="transition",
    ),
    path("greenlib/links/<id:pk>/remove/", views.link_remove, name="link_remove"),
    path("greenlib/evidence/<id:pk>/file/", views.evidence_file, name="evidence_file"),
    path("greenlib/evidence/<id:pk>/remove/", views.file_remove, name="file_remove"),
    path("greenlib/responses/<id:pk>/score/", views.score, name="score"),
    path("greenlib/env/<str:code>/", views.env_latest, name="env_latest"),
    path("greenlib/env/<str:code>/<year:year>/", views.env_year, name="env"),
    path("greenlib/env/<str:code>/<year:year>/edit/", views.env_edit, name="env_edit"),
    path("greenlib/networks/<str:code>/dashboard/", views.dashboard, name="dashboard"),
    *report_urlpatterns(),
]
