"""Routes of the collection's statistics and citation downloads (namespace ``repository_open``;
included by ``libcoop/urls.py`` beside the item pages' own URLconf)."""

from django.urls import URLPattern, path

from libcoop.repository import citation_views, stats_views

app_name = "repository_open"

urlpatterns: list[URLPattern] = [
    path("repository/stats/", stats_views.stats_page, name="stats"),
    path("repository/<id:pk>/cite.bib", citation_views.bibtex, name="bibtex"),
    path("repository/<id:pk>/cite.ris", citation_views.ris, name="ris"),
]
