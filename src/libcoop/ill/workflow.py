"""The two sides of an interlibrary loan as tables, in the shape of ``greenlib/workflow.py``:
each row is (action, from states, to state, ability, label) and one function, :func:`perform`,
takes any action: it locks the row, checks the actor's ability on that row's own library, checks
the state, runs the action's step (``steps``), writes one audit entry and puts the ISO 18626
message in the outbox, sent after commit. A refused action changes nothing and says why.

Requester (the borrowing library)::

    new ─validate─► validated ─send─► sent ─(lender: will supply)─► expects_to_supply
     │                                 │  ╲(lender: conditions)─► conditional ─accept─┘
     └──────────── cancel ◄────────────┘   ╲(lender: unfilled / no answer) → next lender
                                               (or unfilled when no lender is left)
    expects_to_supply ─(lender: loaned/copy sent)─► shipped ─receive─► received
    received ─check_out─► checked_out ─patron_returned─► returned_by_patron ─ship_return─►
    return_shipped ─(lender: loan completed)─► completed;  received ─complete─► completed (copy)
    checked_out ─request_renewal─► renew_requested ─(lender answers)─► checked_out
    checked_out ─(clock)─► overdue;  (lender: recalled) ─► recalled;  ─mark_lost─► lost

Supplier (the lending library)::

    new ─will_supply─► will_supply ─pick─► awaiting_pick ─ship─► shipped ─check_in─► checked_in
     │ ─offer_conditions─► conditional ─(requester accepts)─► will_supply     ─complete─► completed
     └ ─cannot_supply─► unfilled;  new…awaiting_pick ─send_copy─► completed (copy)
    (requester: cancel) ─► cancelled, before shipping
"""

from __future__ import annotations

from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from libcoop.core.workflow import Table, Transition
from libcoop.ill.models import RequesterState as R
from libcoop.ill.models import SupplierState as S

REQUESTER: Final[tuple[Transition, ...]] = (
    Transition("validate", (R.NEW,), R.VALIDATED, "ill.requester", _("Validate")),
    Transition("send", (R.VALIDATED,), R.SENT, "ill.requester", _("Send to the first lender")),
    Transition(
        "cancel",
        (R.NEW, R.VALIDATED, R.SENT, R.EXPECTS_TO_SUPPLY, R.CONDITIONAL, R.UNFILLED),
        R.CANCELLED,
        "ill.patron_cancel",
        _("Cancel the request"),
    ),
    Transition(
        "accept_conditions",
        (R.CONDITIONAL,),
        R.EXPECTS_TO_SUPPLY,
        "ill.requester",
        _("Accept the lender's conditions"),
    ),
    Transition(
        "reject_conditions",
        (R.CONDITIONAL,),
        R.SENT,
        "ill.requester",
        _("Decline the conditions (ask the next lender)"),
    ),
    Transition("receive", (R.SHIPPED,), R.RECEIVED, "ill.requester", _("Mark received")),
    Transition(
        "check_out", (R.RECEIVED,), R.CHECKED_OUT, "ill.requester", _("Check out to the patron"),
        service="Loan",
    ),
    Transition(
        "complete", (R.RECEIVED,), R.COMPLETED, "ill.requester", _("Give the copy to the patron"),
        service="Copy",
    ),
    Transition(
        "request_renewal",
        (R.CHECKED_OUT, R.OVERDUE),
        R.RENEW_REQUESTED,
        "ill.requester",
        _("Ask the lender for a renewal"),
    ),
    Transition(
        "patron_returned",
        (R.CHECKED_OUT, R.OVERDUE, R.RECALLED, R.RENEW_REQUESTED),
        R.RETURNED_BY_PATRON,
        "ill.requester",
        _("Returned by the patron"),
    ),
    Transition(
        "ship_return",
        (R.RETURNED_BY_PATRON,),
        R.RETURN_SHIPPED,
        "ill.requester",
        _("Ship back to the lender"),
    ),
    Transition(
        "mark_lost",
        (R.CHECKED_OUT, R.OVERDUE, R.RECALLED),
        R.LOST,
        "ill.requester",
        _("Mark lost"),
    ),
    # Caused by the lender's messages or the clock.
    Transition("lender_expects", (R.SENT,), R.EXPECTS_TO_SUPPLY, "ill.protocol", "WillSupply"),
    Transition("lender_conditions", (R.SENT,), R.CONDITIONAL, "ill.protocol", "Conditional"),
    Transition(
        "lender_shipped",
        (R.SENT, R.EXPECTS_TO_SUPPLY, R.CONDITIONAL),
        R.SHIPPED,
        "ill.protocol",
        "Loaned/CopyCompleted",
    ),
    Transition(
        "lender_unfilled",
        (R.SENT, R.EXPECTS_TO_SUPPLY, R.CONDITIONAL),
        R.SENT,  # or unfilled when the rota is exhausted (steps.next_lender)
        "ill.protocol",
        "Unfilled",
    ),
    Transition("lender_timeout", (R.SENT,), R.SENT, "ill.protocol", "no answer in time"),
    Transition(
        "lender_renewed", (R.RENEW_REQUESTED,), R.CHECKED_OUT, "ill.protocol", "RenewResponse"
    ),
    Transition(
        "lender_recalled",
        (R.CHECKED_OUT, R.RENEW_REQUESTED, R.OVERDUE),
        R.RECALLED,
        "ill.protocol",
        "Recalled",
    ),
    Transition("overdue", (R.CHECKED_OUT,), R.OVERDUE, "ill.protocol", "Overdue"),
    Transition(
        "lender_completed", (R.RETURN_SHIPPED,), R.COMPLETED, "ill.protocol", "LoanCompleted"
    ),
)  # fmt: skip

SUPPLIER: Final[tuple[Transition, ...]] = (
    Transition("will_supply", (S.NEW,), S.WILL_SUPPLY, "ill.supplier", _("Will supply")),
    Transition(
        "offer_conditions", (S.NEW,), S.CONDITIONAL, "ill.supplier", _("Offer conditions")
    ),
    Transition(
        "cannot_supply",
        (S.NEW, S.WILL_SUPPLY, S.CONDITIONAL, S.AWAITING_PICK),
        S.UNFILLED,
        "ill.supplier",
        _("Cannot supply"),
    ),
    Transition(
        "pick", (S.WILL_SUPPLY,), S.AWAITING_PICK, "ill.supplier", _("Add to the pull list"),
        service="Loan",
    ),
    Transition(
        "ship", (S.WILL_SUPPLY, S.AWAITING_PICK), S.SHIPPED, "ill.supplier", _("Ship"),
        service="Loan",
    ),
    Transition(
        "send_copy", (S.WILL_SUPPLY, S.AWAITING_PICK), S.COMPLETED, "ill.supplier",
        _("Send the copy"), service="Copy",
    ),
    Transition(
        "recall", (S.SHIPPED,), S.SHIPPED, "ill.supplier", _("Recall"), service="Loan"
    ),
    Transition(
        "check_in", (S.SHIPPED,), S.CHECKED_IN, "ill.supplier", _("Check in (returned)"),
        service="Loan",
    ),
    Transition("complete", (S.CHECKED_IN,), S.COMPLETED, "ill.supplier", _("Complete")),
    # Caused by the requester's messages.
    Transition(
        "requester_cancelled",
        (S.NEW, S.WILL_SUPPLY, S.CONDITIONAL, S.AWAITING_PICK),
        S.CANCELLED,
        "ill.protocol",
        "Cancel",
    ),
    Transition(
        "requester_accepted", (S.CONDITIONAL,), S.WILL_SUPPLY, "ill.protocol", "Accepted"
    ),
)  # fmt: skip


TABLES: Final = {"requester": Table(REQUESTER), "supplier": Table(SUPPLIER)}


def table(side: str) -> Table:
    return TABLES[side]


def find(side: str, state: str, action: str, service: str) -> Transition | None:
    return TABLES[side].find(state, action, service)


def actions(side: str) -> frozenset[str]:
    return TABLES[side].actions


def staff_actions(side: str, obj: Any) -> list[Transition]:
    """The actions a person may be offered on *obj* in its state (not the protocol's)."""
    return [
        t
        for t in TABLES[side].from_state(obj.state, obj.service_type)
        if t.ability != "ill.protocol"
    ]
