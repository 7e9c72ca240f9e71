"""``{% item_citation item as cite %}``: an item's citations and its catalog cluster, for
``repository/_citation.html`` (the item page includes that template)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from libcoop.repository import citation
from libcoop.repository.models import Item
from libcoop.repository.queries import item_path

register = template.Library()


@register.simple_tag(takes_context=True)
def item_citation(context: dict[str, Any], item: Item) -> dict[str, Any]:
    request = context.get("request")
    path = item_path(item.pk)
    url = request.build_absolute_uri(path) if request is not None else path
    found = citation.citations(item, url)
    cluster = citation.catalog_cluster(item)
    return {
        "apa_en": mark_safe(found.apa_en_html),  # noqa: S308 - escaped in citation.apa_html
        "apa_th": mark_safe(found.apa_th_html),  # noqa: S308 - escaped in citation.apa_html
        "bibtex": found.bibtex,
        "ris": found.ris,
        "bib_url": reverse("repository_open:bibtex", args=[item.pk]),
        "ris_url": reverse("repository_open:ris", args=[item.pk]),
        "cluster_url": reverse("catalog:cluster", args=[cluster]) if cluster else "",
    }
