from django.urls import path

from libcoop.ill import stats_views, views

app_name = "ill"

urlpatterns = [
    path("ill/", views.home, name="home"),
    path("ill/requests/new/", views.new_request, name="new"),
    path("ill/requests/<id:pk>/", views.request_detail, name="request"),
    path("ill/requests/<id:pk>/act/<slug:action>/", views.request_act, name="request_act"),
    path("ill/requests/<id:pk>/lenders/", views.add_lender, name="add_lender"),
    path("ill/supplies/<id:pk>/", views.supply_detail, name="supply"),
    path("ill/supplies/<id:pk>/act/<slug:action>/", views.supply_act, name="supply_act"),
    path("ill/policy/", views.policy, name="policy"),
    path("ill/supplies/<id:pk>/scan/", views.attach_copy, name="attach_copy"),
    path("ill/copies/<str:token>/", views.copy_download, name="copy"),
    path("ill/pull-slips.pdf", views.pull_slips, name="pull_slips"),
    path("ill/stats/", stats_views.stats_page, name="stats"),
]
