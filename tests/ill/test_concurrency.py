"""Two librarians act on one request at the same moment: one wins, the other is refused with
a message, and exactly one audit entry and one message are written. Real threads and real
transactions on PostgreSQL (its row locks)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from libcoop.audit.models import AuditEvent
from libcoop.ill import services
from libcoop.ill.models import Outgoing, SupplierState, SupplyRequest
from libcoop.network.models import StaffRole
from tests.factories import staff
from tests.ill.conftest import Net


@pytest.mark.django_db(transaction=True)
def test_two_librarians_at_once_give_one_winner(net: Net) -> None:
    """Both actions start only from "new": whoever locks the row second finds it moved on."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the in-memory SQLite of the tests fails a second writer at once "
            "('table is locked'); SQLite has one writer, so no race exists there"
        )
    supply = SupplyRequest.objects.create(
        lender=net.lenders[0],
        requesting_agency=services.agency_for(net.borrower),
        requesting_request_id="RACE-1",
        supply_id="SUP-RACE-1",
        title="Green libraries",
    )
    colleague = staff(StaffRole.LIBRARY_ADMIN, net.lenders[0])
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def act(user: Any, action: str) -> None:
        try:
            start.wait(timeout=10)
            services.perform(supply, action, acting_user=user, conditions="Pay 50 THB")
            outcomes.append(("ok", action))
        except ValidationError as exc:
            outcomes.append(("refused", " ".join(exc.messages)))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(net.lender_staff[0], "will_supply")),
        threading.Thread(target=act, args=(colleague, "offer_conditions")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refusal = next(text for kind, text in outcomes if kind == "refused")
    assert "cannot be done while" in refusal
    supply.refresh_from_db()
    winner = next(action for kind, action in outcomes if kind == "ok")
    expected = SupplierState.WILL_SUPPLY if winner == "will_supply" else SupplierState.CONDITIONAL
    assert supply.state == expected
    changes = AuditEvent.objects.filter(object_id=str(supply.pk), verb="ill.supply.changed")
    assert changes.count() == 1
    assert Outgoing.objects.filter(request_id="RACE-1").count() == 1
