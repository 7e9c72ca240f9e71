"""Rows of the ability table (``network.abilities``) for the digital collection.

Who may do what (reading is not here: ``access.py`` is the one reading rule):

* deposit an item for a library (``repository.deposit``, obj: the Institution): that library's
  staff (library admin, librarian);
* edit an item's metadata, files and access, and submit it for review (``repository.edit``,
  ``repository.submit``, obj: the Item): the depositing library's staff;
* review it — approve, return to draft, publish (``repository.review``): the depositing
  library's **library admin**. The review is the library's own check of what it puts in the
  shared collection (as in ThaiLIS's TDC, each member answers for its own deposits); network
  coordinators do not review, because an item under review is seen only by its library's staff
  (``access.py``) and may hold files that are not to leave that library;
* withdraw it with a reason (``repository.withdraw``): the depositing library's library admin
  at any stage, and a coordinator of a network the library is an active member of once the
  item is published (a take-down, e.g. on a copyright complaint, of what the network shows);
* a batch import from a file for a library goes through ``repository.deposit`` row by row.

A librarian of library A never acts on library B's items: every check is against the item's
own library. Superusers and ``SYSTEM`` (operator commands) may do everything
(``network.abilities.can``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from libcoop.network.abilities import coordinator_of, profile_of, staff_of
from libcoop.network.models import Network, StaffRole


def _deposit(user: Any, institution: Any) -> bool:
    return staff_of(user, institution.pk)


def _own_staff(user: Any, item: Any) -> bool:
    return staff_of(user, item.institution_id)


def _library_admin(user: Any, item: Any) -> bool:
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role == StaffRole.LIBRARY_ADMIN
        and profile.institution_id == item.institution_id
    )


def _coordinator_of_library(user: Any, item: Any) -> bool:
    """A coordinator of a network (or a network above it) the item's library is an active
    member of today."""
    from libcoop.repository.access import active_networks, today

    profile = profile_of(user)
    if profile is None or profile.role != StaffRole.NETWORK_COORDINATOR:
        return False
    networks = Network.objects.filter(pk__in=active_networks(item.institution_id, today()))
    return any(coordinator_of(user, network) for network in networks)


def _withdraw(user: Any, item: Any) -> bool:
    from libcoop.repository.models import ItemStatus

    if _library_admin(user, item):
        return True
    return item.status == ItemStatus.PUBLISHED and _coordinator_of_library(user, item)


ABILITIES: dict[str, Callable[[Any, Any], bool]] = {
    # obj: Institution (the depositing library).
    "repository.deposit": _deposit,
    # obj: Item. Metadata, files, access; the item's own library's staff.
    "repository.edit": _own_staff,
    # obj: Item. Hand a draft in for review.
    "repository.submit": _own_staff,
    # obj: Item. Approve, return to draft, publish: the library's admin.
    "repository.review": _library_admin,
    # obj: Item. Withdraw with a reason (tombstone stays).
    "repository.withdraw": _withdraw,
}
