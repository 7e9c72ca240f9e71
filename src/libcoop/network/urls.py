from django.urls import path

from libcoop.network import patron_views, views

app_name = "network"

urlpatterns = [
    path("networks/", views.network_list, name="networks"),
    path("networks/<str:code>/", views.network_detail, name="network"),
    path("networks/<str:code>/edit/", views.network_edit, name="network_edit"),
    path("networks/<str:code>/memberships/", views.membership_add, name="membership_add"),
    path("memberships/<id:pk>/end/", views.membership_end, name="membership_end"),
    path("working-groups/<str:code>/seats/", views.seat_add, name="seat_add"),
    path("institutions/", views.institution_list, name="institutions"),
    path("institutions/<str:code>/", views.institution_detail, name="institution"),
    path("institutions/<str:code>/edit/", views.institution_edit, name="institution_edit"),
    path("institutions/<str:code>/patrons/", patron_views.patrons_page, name="patrons"),
]
