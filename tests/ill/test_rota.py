"""The rota: who is asked in what order and why — holders only, never the requester, closed
lenders left out, the network's criteria as data, medians computed in the database."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from libcoop.ill import rota, services
from libcoop.ill.models import LendingPolicy, RotaPolicy, SupplyRequest
from tests.ill.conftest import Net

pytestmark = pytest.mark.django_db


def _supply(net: Net, lender: Any, n: int, hours: float | None, state: str = "completed") -> None:
    now = timezone.now()
    row = SupplyRequest.objects.create(
        lender=lender,
        requesting_agency=services.agency_for(net.borrower),
        requesting_request_id=f"H-{lender.code}-{n}",
        supply_id=f"S-{lender.code}-{n}",
        title="x",
        state=state,
    )
    created = now - datetime.timedelta(days=10)
    shipped = created + datetime.timedelta(hours=hours) if hours is not None else None
    SupplyRequest.objects.filter(pk=row.pk).update(created=created, shipped_at=shipped)


def test_turnaround_orders_the_rota_and_the_median_is_exact(net: Net) -> None:
    first, second = net.lenders
    for n, hours in enumerate((10, 30, 50, 70)):  # median 40
        _supply(net, first, n, hours)
    for n, hours in enumerate((5, 6, 100)):  # median 6
        _supply(net, second, n, hours)
    RotaPolicy.objects.create(network=net.network, criteria=["turnaround"], timeout_days=2)
    request = services.create_request(
        net.borrower, acting_user=net.librarian, cluster_id=net.cluster.pk
    )
    chosen = rota.choose(request)
    assert [a.institution for a, _ in chosen] == [second, first]
    reasons = {a.institution: r for a, r in chosen}
    assert reasons[second]["turnaround_hours"] == 6.0
    assert reasons[first]["turnaround_hours"] == 40.0
    assert reasons[first]["criteria"] == ["turnaround"] and reasons[first]["network"] == "ILLNET"
    assert rota.policy_for(net.borrower)[1] == 2


def test_load_balancing_and_closed_lenders(net: Net) -> None:
    first, second = net.lenders
    for n in range(3):
        _supply(net, first, n, None, state="shipped")  # three active loans out
    request = services.create_request(
        net.borrower, acting_user=net.librarian, cluster_id=net.cluster.pk
    )
    order = [a.institution for a, _ in rota.choose(request)]
    assert order == [second, first]  # the less loaded lender first
    LendingPolicy.objects.create(institution=second, open_for_lending=False)
    assert [a.institution for a, _ in rota.choose(request)] == [first]


def test_never_the_requester_itself(net: Net) -> None:
    request = services.create_request(
        net.lenders[0], acting_user=net.lender_staff[0], cluster_id=net.cluster.pk
    )
    assert [a.institution for a, _ in rota.choose(request)] == [net.lenders[1]]
