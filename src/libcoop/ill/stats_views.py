"""The interlibrary-loan statistics page, ``/ill/stats/``: the figures the ILL working group
puts in its yearly report, per library and per month, for a year (or the last twelve months)
and a network; a chart, and the same tables as CSV (``?format=csv``, ``&table=months``).

Public: only aggregate figures per library are shown (counts, rates, medians), never a
request, a patron or a title — see docs/ill.md (Statistics).
"""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from libcoop.core.charts import bar_chart
from libcoop.core.dates import display_year
from libcoop.core.years import year_param
from libcoop.ill import stats
from libcoop.network.models import Network


def _year(text: str) -> int | None:
    """The year filter, B.E. or C.E. by the calendar rule (``core.years``); else no filter."""
    return year_param(text, minimum=1900, maximum=9999)[0]


def month_label(month: Any, lang: str) -> str:
    name = str(MONTHS_3[month.month])
    if lang != "th":
        name = name.capitalize()
    return f"{name} {display_year(month.year, lang)[-2:]}"


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def stats_page(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year", ""))
    code = request.GET.get("network", "").strip()
    network = Network.objects.filter(code=code).first() if code else None
    data = stats.report(year=year, network=network)
    lang = (get_language() or "th")[:2]
    if request.GET.get("format") == "csv":
        return _csv(data, request.GET.get("table", "libraries"), year, network)
    labels = [month_label(row.month, lang) for row in data.months]
    chart = bar_chart(
        [
            (_("Requests"), [row.figures.requests for row in data.months]),
            (_("Filled"), [row.figures.filled for row in data.months]),
            (_("Lent"), [row.figures.lent for row in data.months]),
        ],
        labels,
        title=_("Interlibrary loan per month"),
        width=720,
    )
    found = stats.year_range()
    years = list(range(found[1], found[0] - 1, -1)) if found else []
    query = request.GET.copy()
    query["format"] = "csv"
    months_query = query.copy()
    months_query["table"] = "months"
    return render(
        request,
        "ill/stats.html",
        {
            "data": data,
            "year": year,
            "years": years,
            "network": network,
            "networks": Network.objects.order_by("code"),
            "chart": chart,
            "months": list(zip(labels, data.months, strict=True)),
            "csv_url": "?" + query.urlencode(),
            "months_csv_url": "?" + months_query.urlencode(),
        },
    )


LIBRARY_COLUMNS = (
    "library",
    "requests",
    "sent",
    "borrowed",
    "received",
    "fill_rate_percent",
    "median_days_request_to_received",
    "p90_days_request_to_received",
    "lending_requests",
    "lending_cancelled",
    "lent",
    "lending_fill_rate_percent",
    "median_days_to_ship",
)
MONTH_COLUMNS = (
    "month",
    "requests",
    "sent",
    "filled",
    "fill_rate_percent",
    "lending_requests",
    "lent",
)


def _library_cells(code: str, row: stats.LibraryRow) -> list[Any]:
    f = row.figures
    return [
        code,
        f.requests,
        f.sent,
        f.filled,
        f.received,
        _rate(f.fill_rate),
        _days(row.borrowing_turnaround.median_days),
        _days(row.borrowing_turnaround.p90_days),
        f.lending_requests,
        f.lending_cancelled,
        f.lent,
        _rate(f.lending_fill_rate),
        _days(row.lending_turnaround.median_days),
    ]


def _csv(data: stats.Report, table: str, year: int | None, network: Network | None) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"ill-{table if table == 'months' else 'libraries'}-{year or 'last12'}"
    if network is not None:
        name += f"-{network.code}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    if table == "months":
        writer.writerow(MONTH_COLUMNS)
        for row in data.months:
            f = row.figures
            writer.writerow(
                [row.month.strftime("%Y-%m"), f.requests, f.sent, f.filled, _rate(f.fill_rate),
                 f.lending_requests, f.lent]
            )  # fmt: skip
        return response
    writer.writerow(LIBRARY_COLUMNS)
    for library in data.libraries:
        writer.writerow(_library_cells(library.code, library))
    writer.writerow(_library_cells(f"TOTAL {network.code}" if network else "TOTAL", data.total))
    return response
