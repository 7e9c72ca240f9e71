"""``/oai`` (OAI-PMH 2.0) and ``/sru`` (SRU 1.2 / 2.0)."""

from django.urls import path

from libcoop.interop.oai.views import oai_endpoint
from libcoop.interop.sru.views import sru_endpoint

app_name = "interop"

urlpatterns = [
    path("oai", oai_endpoint, name="oai"),
    path("sru", sru_endpoint, name="sru"),
]
