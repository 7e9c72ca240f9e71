"""Read-side registry queries shared by pages, the API and other apps."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from libcoop.network.models import Institution, Membership, Network, Seat


def networks_with_counts() -> QuerySet[Network]:
    return (
        Network.objects.select_related("parent", "host")
        .prefetch_related("purposes")
        .annotate(
            member_count=Count(
                "memberships__institution",
                filter=Q(memberships__end__isnull=True),
                distinct=True,
            )
        )
        .order_by("kind", "code")
    )


def get_network(code: str) -> Network:
    network = (
        Network.objects.select_related("parent", "host")
        .prefetch_related(
            "purposes",
            "children",
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("institution", "institution__province"),
            ),
            "working_groups__seats__institution",
        )
        .filter(code=code)
        .first()
    )
    if network is None:
        raise Http404(f"No network {code}")
    return network


def get_institution(code: str) -> Institution:
    institution = (
        Institution.objects.select_related("province", "parent")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("network", "network__parent")
                .prefetch_related("network__purposes")
                .order_by(F("start").asc(nulls_last=True), "network__code"),
            ),
            Prefetch(
                "seats",
                queryset=Seat.objects.select_related(
                    "working_group", "working_group__network"
                ).order_by("working_group__network__code", "working_group__code"),
            ),
            "hosted_networks__memberships__institution",
        )
        .filter(code=code)
        .first()
    )
    if institution is None:
        raise Http404(f"No institution {code}")
    return institution


@dataclass(frozen=True)
class TimelineBar:
    """One membership drawn on a network's timeline, as percentages of the axis."""

    membership: Membership
    left: float
    width: float
    open_start: bool


def membership_timeline(
    memberships: list[Membership], this_year: int
) -> tuple[list[int], list[TimelineBar]]:
    """Axis years and bars for the memberships whose start is known."""
    starts = [m.start.year for m in memberships if m.start]
    first = min(starts, default=this_year - 5)
    first = min(first, this_year - 5)
    span = this_year + 1 - first
    years = list(range(first, this_year + 1))
    bars = []
    for m in sorted(memberships, key=lambda m: (m.start is None, m.start, m.institution.code)):
        start = m.start.year if m.start else first
        end = m.end.year + 1 if m.end else this_year + 1
        bars.append(
            TimelineBar(
                membership=m,
                left=100.0 * (start - first) / span,
                width=max(100.0 * (end - start) / span, 1.0),
                open_start=m.start is None,
            )
        )
    return years, bars


def network_and_below(network_id: int) -> set[int]:
    """*network_id* and every network under it, at any depth (a coordinator of GLN also
    coordinates its working groups and their parts)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Network.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = {network_id}, [network_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found
