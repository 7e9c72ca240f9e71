"""Registry services: every change to institutions, networks, memberships and seats.

Each function takes ``acting_user`` (keyword-only), checks a named ability, runs in one
transaction and writes one audit event per changed object, so pages, the API, the CLI and the
demo loader share the same rules.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import apply_changes, record
from libcoop.core.dates import DatePrecision, PartialDate
from libcoop.network.abilities import Actor, require
from libcoop.network.models import (
    Institution,
    Membership,
    MembershipRole,
    Network,
    Seat,
    SeatRole,
    StaffProfile,
    StaffRole,
    WorkingGroup,
    WorkingGroupKind,
)

INSTITUTION_EDITABLE = (
    "name_th",
    "name_en",
    "short_name",
    "province_id",
    "district_th",
    "district_en",
    "website",
    "opac_url_template",
)
NETWORK_EDITABLE = ("name_th", "name_en", "acronym", "website", "description_th", "description_en")


def _apply(obj: Model, changes: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, list[Any]]:
    """Set the allowed fields that really change, checked and saved; return {field: [old, new]}."""
    diff = apply_changes(obj, changes, allowed)
    if diff:
        obj.full_clean()
        obj.save()
    return diff


@transaction.atomic
def update_institution(
    institution: Institution, *, acting_user: Actor, **changes: Any
) -> dict[str, list[Any]]:
    """Change an institution's details; returns the changed fields as [old, new]."""
    require(acting_user, "institution.edit", institution)
    if "province" in changes:
        province = changes.pop("province")
        changes["province_id"] = getattr(province, "pk", province) or None
    diff = _apply(institution, changes, INSTITUTION_EDITABLE)
    if diff:
        record(
            AuditVerb.INSTITUTION_CHANGED,
            institution,
            acting_user=acting_user,
            institution_code=institution.code,
            changes=diff,
        )
    return diff


@transaction.atomic
def update_network(network: Network, *, acting_user: Actor, **changes: Any) -> dict[str, list[Any]]:
    require(acting_user, "network.edit", network)
    diff = _apply(network, changes, NETWORK_EDITABLE)
    if diff:
        record(AuditVerb.NETWORK_CHANGED, network, acting_user=acting_user, changes=diff)
    return diff


def _check_term(start: PartialDate | None, end: PartialDate | None) -> None:
    if start and end and end.date < start.date:
        raise ValidationError("The end date is before the start date.")


@transaction.atomic
def add_membership(
    network: Network,
    institution: Institution,
    *,
    role: MembershipRole | str = MembershipRole.MEMBER,
    start: PartialDate | None = None,
    end: PartialDate | None = None,
    note_th: str = "",
    note_en: str = "",
    acting_user: Actor,
) -> Membership:
    """Record that *institution* belongs to *network* in *role* (since *start*)."""
    require(acting_user, "network.manage_members", network)
    role = MembershipRole(role)
    _check_term(start, end)
    if Membership.objects.filter(
        network=network, institution=institution, role=role, end__isnull=True
    ).exists():
        raise ValidationError(
            f"{institution.code} already holds an open {role.label} membership of {network.code}."
        )
    membership = Membership(
        network=network, institution=institution, role=role, note_th=note_th, note_en=note_en
    )
    _set_term(membership, start, end)
    membership.full_clean()
    membership.save()
    record(
        AuditVerb.MEMBERSHIP_ADDED,
        membership,
        acting_user=acting_user,
        institution_code=institution.code,
        network=network.code,
        role=role.value,
        start=str(start) if start else None,
        end=str(end) if end else None,
    )
    return membership


def _set_term(term: Membership | Seat, start: PartialDate | None, end: PartialDate | None) -> None:
    term.start = start.date if start else None
    term.start_precision = start.precision if start else DatePrecision.YEAR
    term.end = end.date if end else None
    term.end_precision = end.precision if end else DatePrecision.YEAR


@transaction.atomic
def end_membership(membership: Membership, end: PartialDate, *, acting_user: Actor) -> Membership:
    """Close a membership; memberships are ended, never deleted, so history stays."""
    require(acting_user, "network.manage_members", membership.network)
    if membership.end is not None:
        raise ValidationError("This membership has already ended.")
    start = (
        PartialDate(membership.start, DatePrecision(membership.start_precision))
        if membership.start
        else None
    )
    _check_term(start, end)
    membership.end, membership.end_precision = end.date, end.precision
    membership.save(update_fields=["end", "end_precision"])
    record(
        AuditVerb.MEMBERSHIP_ENDED,
        membership,
        acting_user=acting_user,
        institution_code=membership.institution.code,
        end=str(end),
    )
    return membership


@transaction.atomic
def create_working_group(
    network: Network,
    *,
    code: str,
    kind: WorkingGroupKind | str,
    name_th: str,
    name_en: str,
    acting_user: Actor,
) -> WorkingGroup:
    require(acting_user, "network.manage_working_groups", network)
    group = WorkingGroup(
        network=network,
        code=code,
        kind=WorkingGroupKind(kind),
        name_th=name_th,
        name_en=name_en,
    )
    group.full_clean()
    group.save()
    record(AuditVerb.WORKING_GROUP_CREATED, group, acting_user=acting_user, network=network.code)
    return group


@transaction.atomic
def add_seat(
    working_group: WorkingGroup,
    institution: Institution,
    *,
    role: SeatRole | str = SeatRole.MEMBER,
    start: PartialDate | None = None,
    end: PartialDate | None = None,
    person_th: str = "",
    person_en: str = "",
    acting_user: Actor,
) -> Seat:
    """Give *institution* (and optionally a named person) a seat on a working group."""
    require(acting_user, "network.manage_working_groups", working_group.network)
    _check_term(start, end)
    seat = Seat(
        working_group=working_group,
        institution=institution,
        role=SeatRole(role),
        person_th=person_th,
        person_en=person_en,
    )
    _set_term(seat, start, end)
    seat.full_clean()
    seat.save()
    record(
        AuditVerb.SEAT_ADDED,
        seat,
        acting_user=acting_user,
        institution_code=institution.code,
        working_group=working_group.code,
        role=seat.role,
    )
    return seat


@transaction.atomic
def end_seat(seat: Seat, end: PartialDate, *, acting_user: Actor) -> Seat:
    require(acting_user, "network.manage_working_groups", seat.working_group.network)
    if seat.end is not None:
        raise ValidationError("This seat has already ended.")
    seat.end, seat.end_precision = end.date, end.precision
    seat.full_clean()
    seat.save(update_fields=["end", "end_precision"])
    record(
        AuditVerb.SEAT_ENDED,
        seat,
        acting_user=acting_user,
        institution_code=seat.institution.code,
        end=str(end),
    )
    return seat


@transaction.atomic
def set_staff_role(
    user: Any,
    institution: Institution,
    role: StaffRole | str,
    *,
    network: Network | None = None,
    acting_user: Actor,
) -> StaffProfile:
    """Give *user* a role at *institution* (and *network* for network roles); one audit entry
    when something changed, none when it was already so. Operators only (SYSTEM, superusers):
    the admin and the demo loader call it."""
    require(acting_user, "registry.load", None)
    profile = StaffProfile.objects.select_for_update().filter(user=user).first()
    old = (
        (profile.institution_id, profile.role, profile.network_id) if profile is not None else None
    )
    new = (institution.pk, str(role), network.pk if network else None)
    if old == new:
        assert profile is not None
        return profile
    profile, _created = StaffProfile.objects.update_or_create(
        user=user, defaults={"institution": institution, "role": role, "network": network}
    )
    record(
        AuditVerb.STAFF_CHANGED,
        profile,
        acting_user=acting_user,
        institution_code=institution.code,
        username=user.get_username(),
        role=[old[1] if old else None, str(role)],
        network=network.code if network else None,
    )
    return profile
