"""A loan and a copy from a patron's request to completion, both sides moved by their own
staff, every message between them written, read and answered by the ISO 18626 code."""

from __future__ import annotations

from typing import Any

from libcoop.ill import services
from libcoop.ill.models import Outgoing, PatronRequest, RotaEntry, SupplyRequest
from tests.ill.conftest import Net


def _supply(request: PatronRequest) -> SupplyRequest:
    return SupplyRequest.objects.get(requesting_request_id=request.request_id)


def test_a_loan_from_request_to_completion(net: Net, act: Any) -> None:
    request = services.create_request(
        net.borrower, acting_user=net.patron, cluster_id=net.cluster.pk, service_type="Loan"
    )
    assert request.patron == net.patron and request.title == "Green libraries"
    act(request, "validate", net.librarian)
    act(request, "send", net.librarian)
    request.refresh_from_db()
    first = request.rota.order_by("position")[0]
    assert request.state == "sent" and request.supplier == first.agency
    assert {e.agency.institution for e in request.rota.all()} == set(net.lenders)
    supply = _supply(request)
    lender = supply.lender
    lender_staff = net.lender_staff[net.lenders.index(lender)]
    assert supply.state == "new" and supply.supplier_record_id.startswith("L")
    steps: list[tuple[Any, str, Any, str]] = [
        (supply, "will_supply", lender_staff, "expects_to_supply"),
        (supply, "pick", lender_staff, "expects_to_supply"),
        (supply, "ship", lender_staff, "shipped"),
        (request, "receive", net.librarian, "received"),
        (request, "check_out", net.librarian, "checked_out"),
        (request, "patron_returned", net.librarian, "returned_by_patron"),
        (request, "ship_return", net.librarian, "return_shipped"),
        (supply, "check_in", lender_staff, "completed"),
    ]
    for obj, action, actor, requester_state in steps:
        act(obj, action, actor)
        request.refresh_from_db()
        assert request.state == requester_state, (action, request.state)
    supply.refresh_from_db()
    assert supply.state == "checked_in"
    act(supply, "complete", lender_staff)
    assert request.due_date is not None and request.supplier_request_id == supply.supply_id
    assert not Outgoing.objects.exclude(status=Outgoing.Status.SENT).exists()


def test_unfilled_passes_to_the_next_lender_then_to_staff(
    net: Net, act: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = services.create_request(
        net.borrower, acting_user=net.librarian, cluster_id=net.cluster.pk
    )
    act(request, "validate", net.librarian)
    act(request, "send", net.librarian)
    for _ in net.lenders:
        request.refresh_from_db()
        supply = SupplyRequest.objects.get(
            requesting_request_id=request.request_id, lender=request.supplier.institution
        )
        staff = net.lender_staff[net.lenders.index(supply.lender)]
        act(supply, "cannot_supply", staff, reason="NotOnShelf")
    request.refresh_from_db()
    assert request.state == "unfilled" and request.supplier is None
    assert set(request.rota.values_list("outcome", flat=True)) == {RotaEntry.Outcome.UNFILLED}
    # Staff add the outsider by hand; the request goes there at once.
    with django_capture_on_commit_callbacks(execute=True):
        services.add_lender(request, services.agency_for(net.outsider), acting_user=net.librarian)
    request.refresh_from_db()
    assert request.state == "sent" and request.supplier.institution == net.outsider
    assert SupplyRequest.objects.filter(lender=net.outsider).count() == 1


def test_a_copy_needs_the_copyright_statement_and_completes_without_return(
    net: Net, act: Any
) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="copyright"):
        services.create_request(
            net.borrower,
            acting_user=net.patron,
            title="Journal of green libraries",
            article_title="Solar panels on the roof",
            service_type="Copy",
        )
    request = services.create_request(
        net.borrower,
        acting_user=net.patron,
        cluster_id=net.cluster.pk,
        article_title="Chapter 3",
        pages="40-52",
        service_type="Copy",
        copyright_confirmed=True,
    )
    act(request, "validate", net.librarian)
    act(request, "send", net.librarian)
    request.refresh_from_db()
    supply = _supply(request)
    staff = net.lender_staff[net.lenders.index(supply.lender)]
    act(supply, "will_supply", staff)
    act(supply, "send_copy", staff)
    request.refresh_from_db()
    assert request.state == "shipped"
    act(request, "receive", net.librarian)
    act(request, "complete", net.librarian)
    request.refresh_from_db()
    supply.refresh_from_db()
    assert (request.state, supply.state) == ("completed", "completed")


def test_renewal_follows_the_lenders_policy(net: Net, act: Any) -> None:
    request = services.create_request(
        net.borrower, acting_user=net.librarian, cluster_id=net.cluster.pk
    )
    for action in ("validate", "send"):
        act(request, action, net.librarian)
    request.refresh_from_db()
    supply = _supply(request)
    staff = net.lender_staff[net.lenders.index(supply.lender)]
    for action in ("will_supply", "ship"):
        act(supply, action, staff)
    for action in ("receive", "check_out"):
        act(request, action, net.librarian)
    request.refresh_from_db()
    first_due = request.due_date
    act(request, "request_renewal", net.librarian)
    request.refresh_from_db()
    assert request.state == "checked_out" and request.due_date > first_due  # one allowed
    act(request, "request_renewal", net.librarian)
    request.refresh_from_db()
    assert request.state == "checked_out" and request.renewals == 1  # refused: policy says 1


def test_cancel_before_shipping_cancels_the_lenders_side(net: Net, act: Any) -> None:
    request = services.create_request(
        net.borrower, acting_user=net.patron, cluster_id=net.cluster.pk
    )
    for action in ("validate", "send"):
        act(request, action, net.librarian)
    request.refresh_from_db()
    supply = _supply(request)
    act(request, "cancel", net.patron)  # a patron's own request
    supply.refresh_from_db()
    request.refresh_from_db()
    assert (request.state, supply.state) == ("cancelled", "cancelled")
