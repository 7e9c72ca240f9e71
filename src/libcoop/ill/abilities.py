"""Rows of the ability table for interlibrary loan.

* ask for an item (``ill.request``, obj: the requesting Institution): the library's staff, and
  its patrons for themselves;
* act on the requester's side of a request (``ill.requester``): the requesting library's staff;
  a patron may cancel their own request while it is not yet shipped (``ill.patron_cancel``);
* act on the supplier's side (``ill.supplier``): the lending library's staff only;
* edit a library's lending policy (``ill.edit_policy``): its library admin;
* transitions caused by a peer's ISO 18626 message or by the clock (``ill.protocol``): the
  trusted code that received the message (``SYSTEM``), never a person.

A librarian of library A never acts for library B: every check is against the row's own
library.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from libcoop.network.abilities import profile_of, staff_of
from libcoop.network.models import StaffRole


def _request(user: Any, institution: Any) -> bool:
    if staff_of(user, institution.pk):
        return True
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role == StaffRole.PATRON
        and profile.institution_id == institution.pk
    )


def _requester(user: Any, request: Any) -> bool:
    return staff_of(user, request.requester_id)


def _patron_cancel(user: Any, request: Any) -> bool:
    if staff_of(user, request.requester_id):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and request.patron_id is not None
        and request.patron_id == user.pk
    )


def _supplier(user: Any, supply: Any) -> bool:
    return staff_of(user, supply.lender_id)


def _edit_policy(user: Any, institution: Any) -> bool:
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role == StaffRole.LIBRARY_ADMIN
        and profile.institution_id == institution.pk
    )


def _nobody(user: Any, obj: Any) -> bool:
    return False


ABILITIES: dict[str, Callable[[Any, Any], bool]] = {
    # obj: Institution (the requesting library).
    "ill.request": _request,
    # obj: PatronRequest.
    "ill.requester": _requester,
    "ill.patron_cancel": _patron_cancel,
    # obj: SupplyRequest.
    "ill.supplier": _supplier,
    # obj: Institution.
    "ill.edit_policy": _edit_policy,
    # obj: PatronRequest or SupplyRequest; only SYSTEM (a peer's message, the clock).
    "ill.protocol": _nobody,
}
