"""``/repository/stats/``: views and downloads of the digital collection (COUNTER-style, see
``stats.py``) per month, library, type and item, with a chart and CSV (``?format=csv&table=
months|libraries|types|items``).

For staff: a library's staff see their own library; a network coordinator or assessor the
current members of their network(s); a superuser every library. Anyone else gets 403.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from libcoop.core.charts import bar_chart
from libcoop.core.dates import display_year
from libcoop.core.years import year_param
from libcoop.network.models import Institution
from libcoop.repository import stats
from libcoop.repository.models import ItemType

TABLES = ("months", "libraries", "types", "items")


def month_label(month: dt.date, lang: str) -> str:
    """ "ม.ค. 67" in Thai (B.E.), "Jan 24" in English."""
    name = str(MONTHS_3[month.month])
    if lang != "th":
        name = name.capitalize()
    return f"{name} {display_year(month.year, lang)[-2:]}"


def month_key(month: dt.date, lang: str) -> str:
    """The month for a CSV cell: "2567-01" on a Thai page, "2024-01" on an English one."""
    return f"{display_year(month.year, lang)}-{month.month:02d}"


def period(year: int | None) -> tuple[dt.date, dt.date]:
    if year is not None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    today = timezone.localdate()
    months = today.year * 12 + today.month - 1 - 11  # this month and the eleven before it
    return dt.date(months // 12, months % 12 + 1, 1), today


@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    scope = stats.libraries_in_scope(request.user)
    choices = Institution.objects.all() if scope is None else scope
    choices = choices.filter(repository_items__isnull=False).distinct().order_by("code")
    if scope is not None and not scope.exists():
        raise PermissionDenied(_("The collection's statistics are for library staff."))
    code = request.GET.get("library", "").strip()
    library: Institution | None = None
    if code:
        library = (Institution.objects.all() if scope is None else scope).filter(code=code).first()
        if library is None:
            raise PermissionDenied(_("You may not see this library's statistics."))
    elif scope is not None and scope.count() == 1:
        library = scope.first()  # library staff: their own library by default
    if library is not None:
        ids: list[int] | None = [library.pk]
    else:
        ids = None if scope is None else list(scope.values_list("pk", flat=True))
    item_type = request.GET.get("type", "").strip()
    if item_type not in ItemType.values:
        item_type = ""
    # a year typed in B.E. (2567) or C.E. (2024), by the one calendar rule (core.years)
    year, year_error = year_param(request.GET.get("year"), minimum=1900, maximum=9999)
    start, end = period(year)
    data = stats.report(start, end, ids, item_type or None)
    lang = (get_language() or "th")[:2]
    if request.GET.get("format") == "csv":
        table = request.GET.get("table", "months")
        if table == "items":  # the file lists every item used, the page the most used
            data = stats.report(start, end, ids, item_type or None, top=None)
        return _csv(data, table, lang, library, year)
    labels = [month_label(m, lang) for m, _f in data.months]
    chart = bar_chart(
        [
            (_("Views"), [f.views for _m, f in data.months]),
            (_("Downloads"), [f.downloads for _m, f in data.months]),
        ],
        labels,
        title=_("Views and downloads per month"),
        width=720,
    )
    type_labels = dict(ItemType.choices)
    type_chart = bar_chart(
        [
            (_("Views"), [r.figures.views for r in data.types]),
            (_("Downloads"), [r.figures.downloads for r in data.types]),
        ],
        [str(type_labels.get(r.key, r.key)) for r in data.types],
        title=_("Views and downloads per type"),
        width=720,
    )
    this_year = timezone.localdate().year
    query = request.GET.copy()
    query["format"] = "csv"
    csv_urls = {}
    for table in TABLES:
        query["table"] = table
        csv_urls[table] = "?" + query.urlencode()
    return render(
        request,
        "repository/stats.html",
        {
            "data": data,
            "library": library,
            "libraries": choices,
            "all_libraries": scope is None or scope.count() > 1,
            "item_type": item_type,
            "types": ItemType.choices,
            "item_type_label": type_labels.get(item_type, ""),
            "type_rows": [(type_labels.get(r.key, r.key), r) for r in data.types],
            "year": year,
            "year_error": year_error,
            "years": list(range(this_year, this_year - 10, -1)),
            "chart": chart,
            "type_chart": type_chart,
            "months": list(zip(labels, [f for _m, f in data.months], strict=True)),
            "csv_urls": csv_urls,
        },
    )


def write_csv(data: stats.Report, table: str, lang: str, out: Any) -> None:
    """One table of *data* as CSV into *out* (months as B.E. in Thai, C.E. in English)."""
    writer = csv.writer(out)
    if table == "months":
        writer.writerow(["month", "views", "downloads"])
        for month, f in data.months:
            writer.writerow([month_key(month, lang), f.views, f.downloads])
    elif table == "items":
        writer.writerow(["item", "title", "library", "type", "views", "downloads"])
        for row in data.items:
            writer.writerow(
                [row.item_id, row.title, row.library_code, row.item_type, row.figures.views,
                 row.figures.downloads]
            )  # fmt: skip
    else:
        writer.writerow(["library" if table == "libraries" else "type", "views", "downloads"])
        for key_row in data.libraries if table == "libraries" else data.types:
            writer.writerow([key_row.key, key_row.figures.views, key_row.figures.downloads])
    blanks = [""] * (3 if table == "items" else 0)
    writer.writerow(["TOTAL", *blanks, data.total.views, data.total.downloads])


def _csv(
    data: stats.Report, table: str, lang: str, library: Institution | None, year: int | None
) -> HttpResponse:
    table = table if table in TABLES else "months"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"repository-{table}-{display_year(year, lang) if year else 'last12'}"
    if library is not None:
        name += f"-{library.code}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    write_csv(data, table, lang, response)
    return response
