"""Who is asked to lend, in what order, and why: the rota.

Candidates are the libraries whose records are in the request's catalog cluster, never the
requester itself, each with a local agency. They are ordered by the requester's network's
:class:`~libcoop.ill.models.RotaPolicy` — a list of criteria, data not code — then by a stable
tie-break (the library's code):

* ``open`` — lenders open for lending, that lend this format (or copies), first;
* ``load`` — the fewest active loans relative to what the library has borrowed in the last year
  (a library that borrows much is asked to lend more; ``(active + 1) / (borrowed + 1)``);
* ``turnaround`` — the best median hours from a request reaching it to shipping, over the last
  90 days (unknown last).

The reason a lender got its place (its figures) is stored on its rota entry and shown.
"""

from __future__ import annotations

import datetime
from typing import Any, Final

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from libcoop.ill.models import (
    Agency,
    LendingPolicy,
    PatronRequest,
    RotaPolicy,
    SupplierState,
    SupplyRequest,
)
from libcoop.network.models import Institution, Membership

CRITERIA: Final = ("open", "load", "turnaround")
DEFAULT_CRITERIA: Final = ["open", "load", "turnaround"]
DEFAULT_TIMEOUT_DAYS: Final = 3
ACTIVE_SUPPLY: Final = (
    SupplierState.NEW,
    SupplierState.WILL_SUPPLY,
    SupplierState.CONDITIONAL,
    SupplierState.AWAITING_PICK,
    SupplierState.SHIPPED,
)


def policy_for(requester: Institution) -> tuple[list[str], int, str]:
    """The criteria, time-out and network code that apply to *requester*'s requests: the
    policy of a network it is an active member of (the one with a policy and the lowest code),
    else the defaults."""
    today = datetime.date.today()
    networks = Membership.objects.filter(
        Q(end__isnull=True) | Q(end__gte=today), institution=requester
    ).values_list("network_id", flat=True)
    policy = (
        RotaPolicy.objects.filter(network_id__in=list(networks))
        .select_related("network")
        .order_by("network__code")
        .first()
    )
    if policy is None:
        return list(DEFAULT_CRITERIA), DEFAULT_TIMEOUT_DAYS, ""
    criteria = [c for c in policy.criteria if c in CRITERIA] or list(DEFAULT_CRITERIA)
    return criteria, policy.timeout_days, policy.network.code


def holders(request: PatronRequest) -> list[int]:
    """Institution ids holding the request's cluster (active records), not the requester."""
    if request.cluster_id is None:
        return []
    from libcoop.catalog.queries import holding_libraries

    return [pk for pk in holding_libraries(request.cluster_id) if pk != request.requester_id]


def _figures(lender_ids: list[int], now: datetime.datetime) -> dict[int, dict[str, Any]]:
    """Each candidate's load and turnaround, by aggregate queries (the statistics tables may
    hold millions of rows; nothing but the per-library figures comes back)."""
    year_ago = now - datetime.timedelta(days=365)
    recent = now - datetime.timedelta(days=90)
    active = dict(
        SupplyRequest.objects.filter(lender_id__in=lender_ids, state__in=ACTIVE_SUPPLY)
        .values("lender_id")
        .annotate(n=Count("id"))
        .values_list("lender_id", "n")
    )
    borrowed = dict(
        PatronRequest.objects.filter(requester_id__in=lender_ids, created__gte=year_ago)
        .values("requester_id")
        .annotate(n=Count("id"))
        .values_list("requester_id", "n")
    )
    hours = _median_hours_to_ship(lender_ids, recent)
    out = {}
    for pk in lender_ids:
        a, b = active.get(pk, 0), borrowed.get(pk, 0)
        out[pk] = {
            "active_loans": a,
            "borrowed_last_year": b,
            "load": round((a + 1) / (b + 1), 3),
            "turnaround_hours": hours.get(pk),
        }
    return out


def _median_hours_to_ship(lender_ids: list[int], since: datetime.datetime) -> dict[int, float]:
    """Median hours from a request reaching each lender to its shipping, in the database (a
    window function over the recent shipped rows; only two rows per lender come back)."""
    shipped = (
        SupplyRequest.objects.filter(
            lender_id__in=lender_ids, shipped_at__isnull=False, created__gte=since
        ).order_by()  # no default ordering: the window sorts what it needs
    ).annotate(
        seconds=ExpressionWrapper(F("shipped_at") - F("created"), output_field=DurationField()),
        rank=Window(RowNumber(), partition_by=[F("lender_id")], order_by=F("seconds").asc()),
        total=Window(Count("id"), partition_by=[F("lender_id")]),
    )
    middle: dict[int, list[float]] = {}
    for lender, seconds, rank, total in shipped.values_list(
        "lender_id", "seconds", "rank", "total"
    ):
        if rank in ((total + 1) // 2, total // 2 + 1):
            middle.setdefault(lender, []).append(seconds.total_seconds() / 3600)
    return {pk: round(sum(v) / len(v), 1) for pk, v in middle.items()}


def _open(policy: LendingPolicy | None, request: PatronRequest, fmt: str) -> bool:
    if policy is None:
        return True  # no policy written yet: the defaults lend
    if not policy.open_for_lending:
        return False
    if request.service_type == "Copy":
        return policy.supplies_copies
    return not policy.lends_formats or not fmt or fmt in policy.lends_formats


def choose(request: PatronRequest, fmt: str = "") -> list[tuple[Agency, dict[str, Any]]]:
    """The ordered lenders for *request*, each with the reason for its place."""
    lender_ids = holders(request)
    agencies = {
        a.institution_id: a
        for a in Agency.objects.filter(institution_id__in=lender_ids, active=True)
    }
    lender_ids = [pk for pk in lender_ids if pk in agencies]
    if not lender_ids:
        return []
    criteria, _timeout, network = policy_for(request.requester)
    policies = {
        p.institution_id: p for p in LendingPolicy.objects.filter(institution_id__in=lender_ids)
    }
    codes = dict(Institution.objects.filter(pk__in=lender_ids).values_list("pk", "code"))
    figures = _figures(lender_ids, timezone.now())
    for pk in lender_ids:
        figures[pk]["open"] = _open(policies.get(pk), request, fmt)

    def key(pk: int) -> tuple[Any, ...]:
        parts: list[Any] = []
        for criterion in criteria:
            if criterion == "open":
                parts.append(0 if figures[pk]["open"] else 1)
            elif criterion == "load":
                parts.append(figures[pk]["load"])
            elif criterion == "turnaround":
                t = figures[pk]["turnaround_hours"]
                parts.append((1, 0.0) if t is None else (0, t))
        parts.append(codes[pk])  # stable tie-break
        return tuple(parts)

    ordered = sorted(lender_ids, key=key)
    return [
        (
            agencies[pk],
            {**figures[pk], "criteria": criteria, "network": network, "rank": n + 1},
        )
        for n, pk in enumerate(ordered)
        if figures[pk]["open"]
    ]
