"""Both state tables walked exhaustively: every allowed transition works for a permitted actor
and is refused (PermissionDenied, nothing changed) for a librarian of another library; every
action that is not allowed in a state is refused with a message naming the state, for every
state and service type. Messages are queued but not delivered, so each side is tested alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from libcoop.ill import services, workflow
from libcoop.ill.models import (
    Outgoing,
    PatronRequest,
    RequesterState,
    RotaEntry,
    SupplierState,
    SupplyRequest,
)
from libcoop.network.abilities import SYSTEM
from tests.ill.conftest import Net

pytestmark = pytest.mark.django_db

# Actions whose step picks the next lender: sent while one is left, else unfilled.
NEXT_LENDER = {"reject_conditions", "lender_unfilled", "lender_timeout"}


def _requester_in(net: Net, state: str, service: str) -> PatronRequest:
    request = services.create_request(
        net.borrower,
        acting_user=net.librarian,
        patron=net.patron,
        cluster_id=net.cluster.pk,
        service_type=service,
        copyright_confirmed=True,
    )
    if state != RequesterState.NEW:
        entries = services.build_rota(request)
        first = entries[0]
        RotaEntry.objects.filter(pk=first.pk).update(outcome=RotaEntry.Outcome.ASKED)
        request.supplier = first.agency
    request.state = state
    request.save()
    return request


def _supply_in(net: Net, state: str, service: str) -> SupplyRequest:
    lender = net.lenders[0]
    supply = SupplyRequest.objects.create(
        lender=lender,
        requesting_agency=services.agency_for(net.borrower),
        requesting_request_id=f"REQ-{state}-{service}",
        supply_id=f"SUP-{state}-{service}",
        title="Green libraries",
        service_type=service,
        state=state,
    )
    if state == SupplierState.SHIPPED:
        supply.due_date = supply.created.date()
        supply.save()
    return supply


def _permitted(net: Net, ability: str, side: str) -> Any:
    if ability == "ill.protocol":
        return SYSTEM
    if side == "requester":
        return net.librarian
    return net.lender_staff[0]


CASES = [
    (side, t.action, source, service)
    for side in ("requester", "supplier")
    for t in workflow.table(side)
    for source in t.sources
    for service in (("Loan", "Copy") if not t.service else (t.service,))
]


@pytest.mark.parametrize(("side", "action", "source", "service"), CASES)
def test_every_allowed_transition(
    side: str, action: str, source: str, service: str, net: Net
) -> None:
    make = _requester_in if side == "requester" else _supply_in
    obj = make(net, source, service)
    transition = workflow.find(side, source, action, service)
    assert transition is not None
    # A librarian of another library is refused and nothing changes.
    with pytest.raises(PermissionDenied):
        services.perform(obj, action, acting_user=net.outsider_staff, conditions="x")
    obj.refresh_from_db()
    assert obj.state == source
    messages_before = Outgoing.objects.count()
    actor = _permitted(net, transition.ability, side)
    services.perform(obj, action, acting_user=actor, conditions="Pay 50 THB", reason="NotHeld")
    obj.refresh_from_db()
    if action in NEXT_LENDER:
        assert obj.state in (RequesterState.SENT, RequesterState.UNFILLED)
    else:
        assert obj.state == transition.target
    if side == "supplier" and action in ("will_supply", "ship", "send_copy", "cannot_supply"):
        assert Outgoing.objects.count() == messages_before + 1  # the requester is told


def test_a_patron_may_cancel_their_own_request_only(net: Net) -> None:
    from libcoop.network.models import StaffRole
    from tests.factories import staff

    mine = _requester_in(net, RequesterState.SENT, "Loan")
    other_patron = staff(StaffRole.PATRON, net.borrower)
    with pytest.raises(PermissionDenied):
        services.perform(mine, "cancel", acting_user=other_patron)
    with pytest.raises(PermissionDenied):
        services.perform(mine, "receive", acting_user=net.patron)  # staff work, not the patron's
    services.perform(mine, "cancel", acting_user=net.patron)
    mine.refresh_from_db()
    assert mine.state == RequesterState.CANCELLED


SERVICE_SPECIFIC = {
    side: {t.action for t in workflow.table(side) if t.service}
    for side in ("requester", "supplier")
}
REFUSALS = [
    (side, state, action, service)
    for side, states in (("requester", RequesterState), ("supplier", SupplierState))
    for state in states
    for action in sorted(workflow.actions(side))
    # Both service types only where the tables tell them apart.
    for service in (("Loan", "Copy") if action in SERVICE_SPECIFIC[side] else ("Loan",))
    if workflow.find(side, state, action, service) is None
]


@pytest.mark.parametrize(("side", "state", "action", "service"), REFUSALS)
def test_every_other_action_is_refused_with_a_message(
    side: str, state: str, action: str, service: str, net: Net
) -> None:
    make = _requester_in if side == "requester" else _supply_in
    obj = make(net, state, service)
    abilities = {t.ability for t in workflow.table(side) if t.action == action}
    actor = _permitted(net, abilities.pop(), side)
    before = Outgoing.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.perform(obj, action, acting_user=actor)
    assert obj.get_state_display() in " ".join(refused.value.messages)
    obj.refresh_from_db()
    assert obj.state == state and Outgoing.objects.count() == before


def test_the_tables_cover_the_issues_states() -> None:
    requester = {s for t in workflow.REQUESTER for s in (*t.sources, t.target)}
    supplier = {s for t in workflow.SUPPLIER for s in (*t.sources, t.target)}
    assert requester == set(RequesterState)
    assert supplier == set(SupplierState)
