"""``/oai`` (OAI-PMH 2.0), ``/sru`` (SRU 1.2 / 2.0; the digital collection at
``/sru/repository``) and ``/iso18626`` (ISO 18626 ILL)."""

from django.urls import path

from libcoop.interop.iso18626.views import iso18626_endpoint
from libcoop.interop.oai.views import oai_endpoint
from libcoop.interop.sru.views import sru_endpoint

app_name = "interop"

urlpatterns = [
    path("oai", oai_endpoint, name="oai"),
    path("sru", sru_endpoint, name="sru"),
    path("sru/repository", sru_endpoint, {"database": "repository"}, name="sru_repository"),
    path("iso18626", iso18626_endpoint, name="iso18626"),
]
