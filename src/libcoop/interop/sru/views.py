"""``/sru``: the SRU server over HTTP GET and POST (SRU 1.2 "Transport": both carry the same
parameters, POST as ``application/x-www-form-urlencoded``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from libcoop.interop.sru.server import Context, handle


@csrf_exempt
def sru_endpoint(request: HttpRequest, database: str = "catalog") -> HttpResponse:
    """``/sru`` (the union catalog) and ``/sru/repository`` (the digital collection)."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    params = request.POST if request.method == "POST" else request.GET
    host = request.get_host()
    name, _, port = host.rpartition(":") if host.rsplit(":", 1)[-1].isdigit() else (host, "", "")
    default_port = 443 if request.is_secure() else 80
    ctx = Context(
        host=name or host,
        port=int(port) if port else default_port,
        path=request.path,
        base_url=f"{request.scheme}://{host}",
        database=database,
    )
    response = handle(dict(params.lists()), ctx)
    return HttpResponse(response.body, content_type=response.content_type)
