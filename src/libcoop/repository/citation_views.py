"""``/repository/<id>/cite.bib`` and ``cite.ris``: an item's citation as a file, for
reference managers. Shown to whoever may see the item's metadata (``access``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from libcoop.repository import access, citation
from libcoop.repository.models import Item, ItemStatus
from libcoop.repository.queries import item_path


def _item(request: HttpRequest, pk: int) -> Item:
    item = Item.objects.select_related("institution").filter(pk=pk).first()
    if item is None or not access.can_see_metadata(request.user, item):
        raise Http404("No such item.")
    if item.status == ItemStatus.WITHDRAWN:
        raise Http404("The item was withdrawn.")
    return item


def _download(body: str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def bibtex(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    url = request.build_absolute_uri(item_path(item.pk))
    return _download(
        citation.bibtex(item, url), "application/x-bibtex", f"libcoop-repository-{pk}.bib"
    )


def ris(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    url = request.build_absolute_uri(item_path(item.pk))
    kind = "application/x-research-info-systems"
    return _download(citation.ris(item, url), kind, f"libcoop-repository-{pk}.ris")
