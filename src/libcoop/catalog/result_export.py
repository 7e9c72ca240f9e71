"""A search's whole result list as a download: CSV (UTF-8 with a BOM, for Excel) or RIS
(for reference managers: Zotero, EndNote, Mendeley). Same query, filters and sort as the
page; every result up to the search's candidate limit, not only the page shown."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from libcoop.catalog.search import CANDIDATE_LIMIT, search
from libcoop.catalog.searchstate import format_name, language_name

FORMATS = ("csv", "ris")
# RIS reference types by catalog format (RIS has no word for most; GEN is "generic").
RIS_TYPES = {
    "book": "BOOK",
    "serial": "JFULL",
    "map": "MAP",
    "score": "MUSIC",
    "sound": "SOUND",
    "video": "VIDEO",
    "graphic": "ART",
    "electronic": "ELEC",
}


def export(request: HttpRequest, kind: str, q: str, **options: Any) -> HttpResponse:
    result = search(q, per_page=CANDIDATE_LIMIT, page=1, **options)
    link = request.build_absolute_uri("/catalog/clusters/")
    if kind == "ris":
        lines: list[str] = []
        for h in result.hits:
            lines.append(f"TY  - {RIS_TYPES.get(h.format, 'GEN')}")
            lines.append(f"TI  - {h.title}")
            if h.author:
                lines.append(f"AU  - {h.author}")
            if h.year:
                lines.append(f"PY  - {h.year}")
            if h.language:
                lines.append(f"LA  - {h.language}")
            lines.append(f"UR  - {link}{h.cluster_id}/")
            lines.append("ER  - ")
        response = HttpResponse(
            "\r\n".join(lines) + "\r\n", content_type="application/x-research-info-systems"
        )
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                gettext("Title"),
                gettext("Author"),
                gettext("Year"),
                gettext("Format"),
                gettext("Language"),
                gettext("Held by"),
                gettext("Link"),
            ]
        )
        for h in result.hits:
            writer.writerow(
                [
                    h.title,
                    h.author,
                    h.year or "",  # C.E., as stored: a spreadsheet's column of numbers
                    format_name(h.format) if h.format else "",
                    language_name(h.language) if h.language else "",
                    h.library_count,
                    f"{link}{h.cluster_id}/",
                ]
            )
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="catalog-search.{kind}"'
    return response
