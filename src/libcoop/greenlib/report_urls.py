"""Routes of the green-library reports (included by ``greenlib/urls.py``, namespace greenlib)."""

from django.urls import URLPattern, path

from libcoop.greenlib import report_views

urlpatterns: list[URLPattern] = [
    path("greenlib/reports/", report_views.report_index, name="reports"),
    path("greenlib/reports/<str:code>/<year:year>/", report_views.report_page, name="report"),
    path("greenlib/reports/<str:code>/<year:year>.pdf", report_views.report_pdf, name="report_pdf"),
    path(
        "greenlib/reports/<str:code>/<year:year>.docx",
        report_views.report_docx,
        name="report_docx",
    ),
]
