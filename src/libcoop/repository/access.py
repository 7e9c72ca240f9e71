"""Who may see what of the digital collection: one rule, read by every path that shows an
item or serves its bytes (item page, file URL, thumbnail, search snippets, API, OAI-PMH, SRU).

Metadata
    A published item's metadata is public. A withdrawn item shows a tombstone (title, library,
    reason) to everyone. Drafts, submitted and approved items are seen only by the staff
    (library admin, librarian) of the depositing library, superusers and ``SYSTEM``.

Files (and anything made from them: text, snippets, thumbnails)
    The depositing library's staff, superusers and ``SYSTEM`` always. Everyone else only when
    the item is published, by its *effective* access on the day asked:

    * ``open``: everyone, signed in or not;
    * ``network``: people (staff, patrons, coordinators, assessors) of an institution that is
      an active member of a network the depositing library is an active member of, and the
      coordinators and assessors of such a network;
    * ``institution``: staff and patrons of the depositing library;
    * ``embargo``: nobody else until ``embargo_until``; from that day on the item has
      ``access_after_embargo`` (an embargo that ends in an embargo means ``open``). Nothing
      has to be re-saved when the day comes: the rule reads the date.

``text_is_public`` says whether a file's text may enter what anonymous search reads.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from libcoop.network.abilities import Actor, SystemActor, profile_of, staff_of
from libcoop.network.models import Membership, StaffRole
from libcoop.repository.models import Access, Item, ItemStatus

SHOWN_STATUSES = frozenset({ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN})


def today() -> datetime.date:
    """The day access is judged on (the local date; tests move the clock)."""
    return timezone.localdate()


def is_trusted(user: Actor) -> bool:
    return isinstance(user, SystemActor) or bool(getattr(user, "is_superuser", False))


def is_own_staff(user: Actor, item: Item) -> bool:
    return is_trusted(user) or staff_of(user, item.institution_id)


def effective_access(item: Item, on: datetime.date | None = None) -> str:
    """The item's access level on *on* (today): an ended embargo gives way to what follows."""
    if item.access != Access.EMBARGO:
        return str(item.access)
    on = on or today()
    if item.embargo_until is not None and on >= item.embargo_until:
        after = item.access_after_embargo
        return str(Access.OPEN if after == Access.EMBARGO else after)
    return str(Access.EMBARGO)


def open_q(on: datetime.date | None = None) -> Q:
    """Items whose files are open to everyone on *on*: for querysets (search, OAI, lists)."""
    on = on or today()
    return Q(status=ItemStatus.PUBLISHED) & (
        Q(access=Access.OPEN)
        | Q(
            access=Access.EMBARGO,
            embargo_until__lte=on,
            access_after_embargo__in=[Access.OPEN, Access.EMBARGO],
        )
    )


def effective_access_expression(on: datetime.date | None = None) -> Case:
    """``effective_access`` as a database expression, for querysets (facets, filters)."""
    on = on or today()
    after = Case(
        When(access_after_embargo=Access.EMBARGO, then=Value(str(Access.OPEN))),
        default=F("access_after_embargo"),
    )
    return Case(
        When(access=Access.EMBARGO, embargo_until__lte=on, then=after),
        default=F("access"),
        output_field=CharField(),
    )


def text_is_public(item: Item, on: datetime.date | None = None) -> bool:
    """May the text of *item*'s files enter what anonymous search reads?"""
    return item.status == ItemStatus.PUBLISHED and effective_access(item, on) == Access.OPEN


def can_see_metadata(user: Actor, item: Item) -> bool:
    return item.status in SHOWN_STATUSES or is_own_staff(user, item)


def _active_networks(institution_id: int, on: datetime.date) -> set[int]:
    return set(
        Membership.objects.filter(institution_id=institution_id)
        .filter(Q(start__isnull=True) | Q(start__lte=on))
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .values_list("network_id", flat=True)
    )


def active_networks(institution_id: int, on: datetime.date) -> set[int]:
    """The networks *institution_id* is an active member of on *on* (ids)."""
    return _active_networks(institution_id, on)


def _in_network_of(user: Actor, item: Item, on: datetime.date) -> bool:
    profile = profile_of(user)
    if profile is None:
        return False
    networks = _active_networks(item.institution_id, on)
    if not networks:
        return False
    scoped = profile.role in (StaffRole.NETWORK_COORDINATOR, StaffRole.ASSESSOR)
    if scoped and profile.network_id in networks:
        return True
    if profile.institution_id is None:
        return False
    return bool(networks & _active_networks(profile.institution_id, on))


def can_read_files(user: Actor, item: Item, on: datetime.date | None = None) -> bool:
    """May *user* open *item*'s files (download, view, thumbnail, text, snippet) on *on*?"""
    if is_own_staff(user, item):
        return True
    if item.status != ItemStatus.PUBLISHED:
        return False
    on = on or today()
    level = effective_access(item, on)
    if level == Access.OPEN:
        return True
    if level == Access.INSTITUTION:
        profile = profile_of(user)
        return profile is not None and profile.institution_id == item.institution_id
    if level == Access.NETWORK:
        return _in_network_of(user, item, on)
    return False


def shown_items(user: Actor, queryset: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """The items of *queryset* whose metadata *user* may see (lists, browse, API)."""
    queryset = Item.objects.all() if queryset is None else queryset
    if is_trusted(user):
        return queryset
    shown = Q(status__in=SHOWN_STATUSES)
    profile = profile_of(user)
    if profile is not None and profile.role in (StaffRole.LIBRARY_ADMIN, StaffRole.LIBRARIAN):
        shown |= Q(institution_id=profile.institution_id)
    return queryset.filter(shown)
