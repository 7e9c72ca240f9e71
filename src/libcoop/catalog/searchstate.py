"""The search page's state in its URL, and the words its codes are shown as.

Every link the search page draws (pagination, facets, sort, clearing a filter) is the
current query string with one or two keys set or removed: :func:`url_with` does it, so no
link repeats a parameter or loses the query, the filters or the sort. Changing what is
searched (a facet, a filter cleared) goes back to page 1.

Labels: formats by name (``book`` → Book / หนังสือ), languages by name from ICU
(MARC's ISO 639-2 codes, ``tha`` → ไทย / Thai), libraries and networks by their short name
(or name) in the page's language; the code stays one hover away (``title``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from libcoop.core.dates import display_year
from libcoop.network.models import Institution, Network

FILTER_KEYS = ("library", "format", "language", "year_from", "year_to", "network")
YEAR_AND_PAGE = ("year_from", "year_to", "page")
# Keys a permanent link keeps, in this order (empty values and page 1 dropped).
STATE_KEYS = ("q", "field", *FILTER_KEYS, "sort", "page")

FORMAT_NAMES: dict[str, Any] = {
    "book": _("Book"),
    "serial": _("Serial"),
    "map": _("Map"),
    "score": _("Music score"),
    "sound": _("Sound recording"),
    "video": _("Video"),
    "graphic": _("Picture"),
    "electronic": _("Electronic resource"),
    "kit": _("Kit"),
    "object": _("Object"),
    "mixed": _("Mixed materials"),
    "unknown": _("Other"),
}

FILTER_NAMES: dict[str, Any] = {
    "library": _("Holding library"),
    "format": _("Format"),
    "language": _("Language"),
    "network": _("Network"),
    "year_from": _("From year"),
    "year_to": _("To year"),
}


def url_with(params: QueryDict, **changes: Any) -> str:
    """``?…`` for *params* with each key of *changes* set to its value (``None`` removes the
    key); every other key kept once, in a stable order."""
    out = params.copy()
    for key, value in changes.items():
        if value is None or value == "":
            out.pop(key, None)
        else:
            out[key] = str(value)
    return "?" + canonical(out)


def canonical(params: QueryDict) -> str:
    """The query string with the state keys in a fixed order, each once, empty values and
    page 1 left out (the search's permanent link)."""
    pairs = []
    for key in STATE_KEYS:
        value = params.get(key, "")
        if value and not (key == "page" and value == "1"):
            pairs.append((key, value))
    out = QueryDict(mutable=True)
    for key, value in pairs:
        out[key] = value
    return out.urlencode()


def last_page(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def format_name(code: str) -> str:
    return str(FORMAT_NAMES.get(code, code))


@cache
def _language_name(code: str, page_language: str) -> str:
    import icu  # loaded only when a language is shown

    name = str(icu.Locale(code).getDisplayLanguage(icu.Locale(page_language)))
    return name if name and name != code else code


def language_name(code: str) -> str:
    """A MARC language code (``tha``, ``eng``, ``ger``) by name in the page's language."""
    if not code or not code.isalpha():
        return code
    return _language_name(code.lower(), "th" if (get_language() or "").startswith("th") else "en")


def _thai_page() -> bool:
    return (get_language() or "").startswith("th")


def library_names(codes: Iterable[str]) -> dict[str, str]:
    """Each library code's short name (or its name in the page's language)."""
    thai = _thai_page()
    out = {}
    for inst in Institution.objects.filter(code__in=set(codes)).only(
        "code", "short_name", "name_th", "name_en"
    ):
        name = (inst.name_th or inst.name_en) if thai else (inst.name_en or inst.name_th)
        out[inst.code] = inst.short_name or name or inst.code
    return out


def network_names(codes: Iterable[str]) -> dict[str, str]:
    thai = _thai_page()
    out = {}
    for net in Network.objects.filter(code__in=set(codes)).only(
        "code", "acronym", "name_th", "name_en"
    ):
        name = (net.name_th or net.name_en) if thai else (net.name_en or net.name_th)
        out[net.code] = net.acronym or name or net.code
    return out


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    url: str
    active: bool


@dataclass(frozen=True)
class ActiveFilter:
    key: str
    name: str
    label: str
    clear_url: str


def facet_groups(
    facets: dict[str, list[tuple[str, int]]], params: QueryDict, shown: int = 12
) -> list[tuple[str, str, list[FacetValue]]]:
    """(key, heading, values) for each facet with values, labelled and linked."""
    wanted = {k: [v for v, _n in values[:shown]] for k, values in facets.items()}
    names = {
        "library": library_names(wanted.get("library", [])),
        "network": network_names(wanted.get("network", [])),
    }
    groups = []
    for key in ("library", "format", "language", "network"):
        values = facets.get(key) or []
        if not values:
            continue
        current = params.get(key, "")
        items = [
            FacetValue(
                value=value,
                label=label(key, value, names),
                count=n,
                url=url_with(params, **{key: None if value == current else value, "page": None}),
                active=value == current,
            )
            for value, n in values[:shown]
        ]
        groups.append((key, str(FILTER_NAMES[key]), items))
    return groups


def label(key: str, value: str, names: dict[str, dict[str, str]] | None = None) -> str:
    if key == "format":
        return format_name(value)
    if key == "language":
        return language_name(value)
    if key in ("library", "network"):
        table = (names or {}).get(key)
        if table is None:
            table = (library_names if key == "library" else network_names)([value])
        return table.get(value, value)
    return value


def active_filters(params: QueryDict, shown: dict[str, str]) -> list[ActiveFilter]:
    """The filters in force, each with the link that removes it (and the page)."""
    out = []
    for key in FILTER_KEYS:
        if key in shown:
            out.append(
                ActiveFilter(
                    key=key,
                    name=str(FILTER_NAMES[key]),
                    label=shown[key],
                    clear_url=url_with(params, **{key: None, "page": None}),
                )
            )
    return out


def clear_all_url(params: QueryDict) -> str:
    return url_with(params, page=None, **dict.fromkeys(FILTER_KEYS))


def page_context(params: QueryDict, filters: dict[str, Any], result: Any) -> dict[str, Any]:
    """What the search template needs beyond the result: labelled facets, the filters in
    force with their clear links, pagination and sort links, the permanent link."""
    shown: dict[str, str] = {}
    for key, value in filters.items():
        if key in ("year_from", "year_to"):
            shown[key] = display_year(int(value))
        else:
            shown[key] = label(key, str(value))
    context: dict[str, Any] = {
        "active_filters": active_filters(params, shown),
        "clear_all_url": clear_all_url(params) if shown else "",
        "permalink": url_with(params),
        "export_urls": [
            (kind.upper(), url_with(params, page=None) + f"&export={kind}")
            for kind in ("csv", "ris")
        ],
        "facet_groups": [],
        "pages": None,
        "hits": [],
        "kept_for_years": [
            (k, params[k]) for k in STATE_KEYS if params.get(k) and k not in YEAR_AND_PAGE
        ],
    }
    if result is None:
        return context
    context["facet_groups"] = facet_groups(result.facets, params)
    last = last_page(result.total, result.per_page)
    page = result.page
    context["pages"] = {
        "page": page,
        "last": last,
        "previous_url": url_with(params, page=page - 1) if page > 1 else "",
        "next_url": url_with(params, page=page + 1) if page < last else "",
        "first_url": url_with(params, page=None) if page > 2 else "",
        "last_url": url_with(params, page=last) if page < last - 1 else "",
    }
    # Author · year · format, with no leading or doubled separator when a part is missing.
    context["hits"] = [
        (
            h,
            " · ".join(
                part
                for part in (
                    h.author,
                    display_year(h.year) if h.year else "",
                    format_name(h.format) if h.format else "",
                )
                if part
            ),
        )
        for h in result.hits
    ]
    return context
