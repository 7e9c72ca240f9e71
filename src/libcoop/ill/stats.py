"""Interlibrary-loan statistics: requests, fill rate, turnaround, lending and borrowing per
library, per network (its members' totals), per month and per year.

Every figure is an aggregate query (``COUNT … FILTER``/``CASE``, ``GROUP BY`` a library or a
month, window functions for medians and percentiles), so the cost grows with the number of
libraries and months shown, not with the number of requests: nothing here loops over
requests in Python. The definitions are in ``docs/ill.md`` (Statistics); in short:

* a request is counted in the period (and month) in which the patron's request was
  *created*, in the site's time zone; borrowing figures come from the requester's side
  (``PatronRequest``), lending figures from the lender's side (``SupplyRequest``);
* *sent*: asked of at least one lender (a rota entry with ``asked_at``); *filled*: shipped at
  least once (``shipped_at`` set); fill rate = filled ÷ sent;
* turnaround: request created → shipped by the lender → received by the requester, in hours;
  median (the middle value, or the mean of the two middle values) and 90th percentile
  (nearest rank: the value at rank ⌈0.9·n⌉ in ascending order), over the requests that
  reached that step.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from libcoop.ill.models import PatronRequest, RotaEntry, SupplierState, SupplyRequest
from libcoop.network.models import Institution, Membership, Network
from libcoop.network.queries import network_and_below

# The three legs of turnaround on the requester's side: (name, start field, end field).
LEGS: tuple[tuple[str, str, str], ...] = (
    ("request_to_shipped", "created", "shipped_at"),
    ("shipped_to_received", "shipped_at", "received_at"),
    ("request_to_received", "created", "received_at"),
)


@dataclass(frozen=True)
class Durations:
    """How long a step took over *n* requests, in hours (``None`` when *n* is 0)."""

    n: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None

    @property
    def median_days(self) -> float | None:
        return None if self.median_hours is None else self.median_hours / 24

    @property
    def p90_days(self) -> float | None:
        return None if self.p90_hours is None else self.p90_hours / 24


@dataclass
class Figures:
    """One library's (or the total's, or a month's) counts."""

    requests: int = 0  # borrowing: patron requests created
    sent: int = 0  # … asked of at least one lender
    filled: int = 0  # … shipped at least once (= borrowed)
    received: int = 0  # … received by the requester
    lending_requests: int = 0  # lending: requests that reached this library
    lending_cancelled: int = 0  # … cancelled by the requester before shipping
    lent: int = 0  # … shipped by this library

    @property
    def fill_rate(self) -> float | None:
        return self.filled / self.sent if self.sent else None

    @property
    def lending_fill_rate(self) -> float | None:
        answerable = self.lending_requests - self.lending_cancelled
        return self.lent / answerable if answerable > 0 else None


@dataclass
class LibraryRow:
    code: str
    institution: Institution | None
    figures: Figures
    borrowing_turnaround: Durations  # request created → received, this library's requests
    lending_turnaround: Durations  # request reached it → it shipped


@dataclass
class MonthRow:
    month: datetime.date  # the first day of the month
    figures: Figures


@dataclass
class YearRow:
    year: int
    figures: Figures


@dataclass
class Report:
    start: datetime.datetime
    end: datetime.datetime  # exclusive
    year: int | None
    network: Network | None
    libraries: list[LibraryRow]
    total: LibraryRow
    turnaround: dict[str, Durations]
    months: list[MonthRow]
    years: list[YearRow] = field(default_factory=list)


# --- periods and selections --------------------------------------------------------------


def period(year: int | None, now: datetime.datetime | None = None) -> tuple[Any, Any]:
    """A calendar year, or (no year) the last twelve months including the current one; both
    ends aware datetimes in the site's time zone, the end exclusive."""
    tz = timezone.get_current_timezone()
    if year is not None:
        start = datetime.datetime(year, 1, 1, tzinfo=tz)
        return start, datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    today = timezone.localtime(now or timezone.now()).date()
    first = today.replace(day=1)
    month = first.year * 12 + first.month - 1 - 11
    start = datetime.datetime(month // 12, month % 12 + 1, 1, tzinfo=tz)
    nxt = first.year * 12 + first.month  # the month after this one
    return start, datetime.datetime(nxt // 12, nxt % 12 + 1, 1, tzinfo=tz)


def members_of(network: Network, start: datetime.date, end: datetime.date) -> list[int]:
    """Institutions that were members of *network* (or a network under it) at some time in
    [start, end)."""
    return list(
        Membership.objects.filter(network_id__in=network_and_below(network.pk))
        .filter(Q(start__isnull=True) | Q(start__lt=end))
        .filter(Q(end__isnull=True) | Q(end__gte=start))
        .values_list("institution_id", flat=True)
        .distinct()
    )


def year_range() -> tuple[int, int] | None:
    """The first and last year with a request (two index reads)."""
    found = PatronRequest.objects.aggregate(first=Min("created"), last=Max("created"))
    if found["first"] is None:
        return None
    return timezone.localtime(found["first"]).year, timezone.localtime(found["last"]).year


# --- the aggregate queries ---------------------------------------------------------------


def _sent() -> Q:
    asked = RotaEntry.objects.filter(request=OuterRef("pk"), asked_at__isnull=False)
    return Q(Exists(asked))


def _borrowing_aggregates() -> dict[str, Any]:
    return {
        "requests": Count("pk"),
        "sent": Count("pk", filter=_sent()),
        "filled": Count("pk", filter=Q(shipped_at__isnull=False)),
        "received": Count("pk", filter=Q(received_at__isnull=False)),
    }


def _lending_aggregates() -> dict[str, Any]:
    return {
        "lending_requests": Count("pk"),
        "lending_cancelled": Count("pk", filter=Q(state=SupplierState.CANCELLED)),
        "lent": Count("pk", filter=Q(shipped_at__isnull=False)),
    }


def _grouped(qs: QuerySet[Any], group: Any, aggregates: dict[str, Any]) -> dict[Any, Any]:
    """``SELECT group, COUNT(…) … GROUP BY group`` as {group: {name: count}}."""
    rows = qs.annotate(g=group).values("g").order_by().annotate(**aggregates)
    return {row.pop("g"): row for row in rows}


def _borrowing_counts(qs: QuerySet[PatronRequest], group: Any) -> dict[Any, dict[str, int]]:
    return _grouped(qs, group, _borrowing_aggregates())


def _lending_counts(qs: QuerySet[SupplyRequest], group: Any) -> dict[Any, dict[str, int]]:
    return _grouped(qs, group, _lending_aggregates())


def _select(
    start: datetime.datetime, end: datetime.datetime, network: Network | None
) -> tuple[QuerySet[PatronRequest], QuerySet[SupplyRequest], list[int] | None]:
    """Both sides' requests created in [start, end), of the network's members if given."""
    borrowing = PatronRequest.objects.filter(created__gte=start, created__lt=end)
    lending = SupplyRequest.objects.filter(created__gte=start, created__lt=end)
    if network is None:
        return borrowing, lending, None
    members = members_of(network, start.date(), end.date())
    return (
        borrowing.filter(requester_id__in=members),
        lending.filter(lender_id__in=members),
        members,
    )


def _hours(value: datetime.timedelta) -> float:
    return value.total_seconds() / 3600


def percentiles(qs: QuerySet[Any], start: str, end: str, group: str | None) -> dict[Any, Durations]:
    """Median and 90th percentile of ``end - start`` per *group* (one key ``None`` without a
    group), computed in the database: each row's rank in its group (``ROW_NUMBER``) and the
    group's size (``COUNT`` over the group) by window functions, keeping only the rows at
    the ranks wanted — at most four rows per group come back."""
    partition = [F(group)] if group else []
    duration = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    ranked = (
        qs.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})
        .annotate(d=duration)
        .annotate(
            rn=Window(RowNumber(), partition_by=partition, order_by=[F("d").asc(), F("pk").asc()]),
            n=Window(Count("pk"), partition_by=partition),
        )
        .filter(
            # integer arithmetic on both databases: the two middle ranks and ⌈0.9·n⌉
            Q(rn=(F("n") + 1) / 2) | Q(rn=(F("n") + 2) / 2) | Q(rn=(F("n") * 9 + 9) / 10)
        )
        .order_by()
        .values_list(group or "pk", "rn", "n", "d")
    )
    found: dict[Any, dict[int, datetime.timedelta]] = {}
    sizes: dict[Any, int] = {}
    for key, rn, n, d in ranked:
        key = key if group else None
        found.setdefault(key, {})[rn] = d
        sizes[key] = n
    out: dict[Any, Durations] = {}
    for key, values in found.items():
        n = sizes[key]
        low, high, p90 = values[(n + 1) // 2], values[(n + 2) // 2], values[(9 * n + 9) // 10]
        out[key] = Durations(n, (_hours(low) + _hours(high)) / 2, _hours(p90))
    return out


def _figures(*parts: dict[str, int] | None) -> Figures:
    values: dict[str, int] = {}
    for part in parts:
        values.update(part or {})
    return Figures(**values)


def report(*, year: int | None = None, network: Network | None = None, now: Any = None) -> Report:
    """The statistics of *year* (or the last twelve months) for every library, or for the
    members of *network*."""
    start, end = period(year, now)
    borrowing, lending, members = _select(start, end, network)

    by_requester = _borrowing_counts(borrowing, F("requester_id"))
    by_lender = _lending_counts(lending, F("lender_id"))
    borrow_time = percentiles(borrowing, "created", "received_at", "requester_id")
    lend_time = percentiles(lending, "created", "shipped_at", "lender_id")
    ids = set(members) if members is not None else set(by_requester) | set(by_lender)
    institutions = Institution.objects.in_bulk(list(ids))
    libraries = [
        LibraryRow(
            code=institutions[pk].code,
            institution=institutions[pk],
            figures=_figures(by_requester.get(pk), by_lender.get(pk)),
            borrowing_turnaround=borrow_time.get(pk, Durations()),
            lending_turnaround=lend_time.get(pk, Durations()),
        )
        for pk in ids
        if pk in institutions
    ]
    libraries.sort(key=lambda row: row.code)

    total_figures = _figures(
        borrowing.aggregate(**_borrowing_aggregates()),
        lending.aggregate(**_lending_aggregates()),
    )
    turnaround = {
        name: percentiles(borrowing, a, b, None).get(None, Durations()) for name, a, b in LEGS
    }
    total = LibraryRow(
        code="",
        institution=None,
        figures=total_figures,
        borrowing_turnaround=turnaround["request_to_received"],
        lending_turnaround=percentiles(lending, "created", "shipped_at", None).get(
            None, Durations()
        ),
    )

    months_b = _borrowing_counts(borrowing, TruncMonth("created"))
    months_l = _lending_counts(lending, TruncMonth("created"))
    months = [
        MonthRow(month, _figures(months_b.get(key), months_l.get(key)))
        for month, key in _months(start, end, set(months_b) | set(months_l))
    ]

    return Report(start, end, year, network, libraries, total, turnaround, months, years(network))


def years(network: Network | None = None) -> list[YearRow]:
    """Every calendar year with requests: its totals (of the network's members that year)."""
    found = year_range()
    if found is None:
        return []
    out = []
    for y in range(found[0], found[1] + 1):
        borrowing, lending, _members = _select(*period(y), network)
        figures = _figures(
            borrowing.aggregate(**_borrowing_aggregates()),
            lending.aggregate(**_lending_aggregates()),
        )
        if figures.requests or figures.lending_requests:
            out.append(YearRow(y, figures))
    return out


def _months(
    start: datetime.datetime, end: datetime.datetime, keys: Iterable[Any]
) -> list[tuple[datetime.date, Any]]:
    """Every month of the period (months without requests too), each with the key the
    database gave its group (a datetime on PostgreSQL, a date or datetime on SQLite)."""
    by_month = {}
    for key in keys:
        if key is None:
            continue
        day = timezone.localtime(key).date() if isinstance(key, datetime.datetime) else key
        by_month[(day.year, day.month)] = key
    out = []
    cursor = start.date()
    while cursor < end.date():
        out.append((cursor, by_month.get((cursor.year, cursor.month))))
        cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
    return out
