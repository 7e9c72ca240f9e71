"""The collection's search and browse pages: /repository/search/ and /repository/browse/.

Links are built here, not in the template, from the page's own parameters: a facet link sets
(or, when chosen, clears) one filter and keeps the query and the other filters; a page link
changes only ``page``; no parameter ever appears twice, and a page number out of range shows
the nearest page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from libcoop.repository import search

FACET_TITLES = {
    "library": _("Library"),
    "type": _("Type"),
    "year": _("Year"),
    "discipline": _("Discipline"),
    "language": _("Language"),
    "access": _("Access"),
}
MAX_QUERY = 500


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


def _url(params: Mapping[str, str]) -> str:
    base = reverse("repository:search")
    kept = {k: v for k, v in params.items() if v not in ("", None)}
    return f"{base}?{urlencode(kept)}" if kept else base


def _page_number(value: str | None) -> int:
    try:
        return int(str(value or "1")[:9])
    except ValueError:
        return 1


def search_page(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY]
    wanted = {name: request.GET.get(name, "").strip() for name in search.FACETS}
    page = _page_number(request.GET.get("page"))
    error = ""
    status = 200
    try:
        result = search.search(query, user=request.user, filters=wanted, page=page)
    except search.SearchError as exc:
        error, status = str(exc), 400
        result = search.search(query, user=request.user, page=page)
    params = {"q": query, **result.filters}
    facets = []
    for name in search.FACETS:
        links = []
        for value in result.facets.get(name, []):
            changed = dict(params)
            if value.selected:
                changed.pop(name, None)
            else:
                changed[name] = value.value
            links.append(FacetLink(value.label, value.count, value.selected, _url(changed)))
        if links:
            facets.append((FACET_TITLES[name], links))
    chosen = [
        (FACET_TITLES[name], _label(result, name, value), _url(_without(params, name)))
        for name, value in result.filters.items()
    ]
    return render(
        request,
        "repository/search.html",
        {
            "q": query,
            "result": result,
            "facets": facets,
            "chosen": chosen,
            "filters": result.filters,
            "pages": _page_links(params, result),
            "previous_url": _url({**params, "page": str(result.page - 1)})
            if result.has_previous
            else "",
            "next_url": _url({**params, "page": str(result.page + 1)}) if result.has_next else "",
            "error": error,
            "start": (result.page - 1) * result.per_page + 1,
        },
        status=status,
    )


def _without(params: Mapping[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in params.items() if k != name}


def _label(result: search.SearchResult, name: str, value: str) -> str:
    for facet in result.facets.get(name, []):
        if facet.value == value:
            return facet.label
    return value


def _page_links(params: Mapping[str, str], result: search.SearchResult) -> list[PageLink]:
    """Page numbers around the current page (first and last always)."""
    if result.pages <= 1:
        return []
    numbers = {
        1,
        result.pages,
        *range(max(1, result.page - 3), min(result.pages, result.page + 3) + 1),
    }
    return [
        PageLink(n, _url({**params, "page": str(n)} if n > 1 else dict(params)), n == result.page)
        for n in sorted(numbers)
    ]


def browse_page(request: HttpRequest) -> HttpResponse:
    """Browse by library, type and year: the facets of the whole collection, each a link to
    the search page filtered by it."""
    result = search.search("", user=request.user, per_page=1)
    groups = []
    for name in ("library", "type", "year"):
        links = [
            FacetLink(v.label, v.count, False, _url({name: v.value}))
            for v in result.facets.get(name, [])
        ]
        groups.append((FACET_TITLES[name], links))
    return render(
        request, "repository/search_browse.html", {"groups": groups, "total": result.total}
    )
