"""``/oai``: the OAI-PMH 2.0 endpoint (§3.1.1 HTTP request format: GET, or POST with
``application/x-www-form-urlencoded`` arguments)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from libcoop.interop.oai import provider
from libcoop.interop.oai.xml import Context, response
from libcoop.repository import queries as collection


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def oai_endpoint(request: HttpRequest) -> HttpResponse:
    """Answer one OAI-PMH request; protocol errors are OAI-PMH error responses (§3.6), with
    HTTP status 200."""
    params = request.POST if request.method == "POST" else request.GET
    now = timezone.now()
    outcome = provider.handle({key: params.getlist(key) for key in params}, now)
    ctx = Context(
        base_url=request.build_absolute_uri(request.path),
        cluster_url=lambda pk: request.build_absolute_uri(reverse("catalog:cluster", args=[pk])),
        item_url=lambda pk: request.build_absolute_uri(collection.item_path(pk)),
        file_url=lambda pk, f: request.build_absolute_uri(collection.file_path(pk, f)),
    )
    return HttpResponse(response(outcome, ctx, now), content_type="text/xml; charset=utf-8")
