"""Permissions as a matrix: every role × every write action × own/other target × interface.

The expected outcome comes from the table below, written from the issue's rules ("a network
coordinator edits their network's members, a library admin edits their own institution, nobody
edits another's"), not from the code under test. Each cell is tried through the service layer,
the web UI and the JSON API, and the database is checked: a refused write leaves no trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client

from libcoop.audit.models import AuditEvent
from libcoop.core.dates import PartialDate
from libcoop.core.tokens import issue_token
from libcoop.network import services
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Membership, Seat, StaffRole
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
    WorkingGroupFactory,
    staff,
)

ROLES = [
    "anonymous",
    "patron",
    "librarian",
    "library_admin",
    "coordinator",
    "assessor",
    "superuser",
]
ACTIONS = ["edit_institution", "edit_network", "add_membership", "end_membership", "add_seat"]
TARGETS = ["own", "other"]

# (role, action, target) → allowed. Everything not listed is refused.
ALLOWED = {
    ("library_admin", "edit_institution", "own"),
    ("coordinator", "edit_network", "own"),
    ("coordinator", "add_membership", "own"),
    ("coordinator", "end_membership", "own"),
    ("coordinator", "add_seat", "own"),
} | {("superuser", a, t) for a in ACTIONS for t in TARGETS}


@dataclass
class World:
    actor: Any
    own_inst: Any
    other_inst: Any
    own_net: Any
    other_net: Any
    own_wg: Any
    other_wg: Any
    own_membership: Any
    other_membership: Any
    newcomer: Any


def _world(role: str) -> World:
    own_inst, other_inst, newcomer = (
        InstitutionFactory(),
        InstitutionFactory(),
        InstitutionFactory(),
    )
    own_net, other_net = NetworkFactory(), NetworkFactory()
    world = World(
        actor=None,
        own_inst=own_inst,
        other_inst=other_inst,
        own_net=own_net,
        other_net=other_net,
        own_wg=WorkingGroupFactory(network=own_net),
        other_wg=WorkingGroupFactory(network=other_net),
        own_membership=MembershipFactory(institution=own_inst, network=own_net),
        other_membership=MembershipFactory(institution=other_inst, network=other_net),
        newcomer=newcomer,
    )
    if role == "anonymous":
        world.actor = AnonymousUser()
    elif role == "superuser":
        user = UserFactory(is_superuser=True, is_staff=True)
        user.save()
        world.actor = user
    else:
        staff_role = {
            "patron": StaffRole.PATRON,
            "librarian": StaffRole.LIBRARIAN,
            "library_admin": StaffRole.LIBRARY_ADMIN,
            "coordinator": StaffRole.NETWORK_COORDINATOR,
            "assessor": StaffRole.ASSESSOR,
        }[role]
        network = (
            own_net if staff_role in (StaffRole.NETWORK_COORDINATOR, StaffRole.ASSESSOR) else None
        )
        world.actor = staff(staff_role, own_inst, network=network)
    return world


def _pick(world: World, target: str, own: str) -> Any:
    return getattr(world, f"{target}_{own}")


def _changed(world: World, action: str, target: str) -> bool:
    """Did the write happen? Checked in the database, not from the response."""
    if action == "edit_institution":
        inst = _pick(world, target, "inst")
        inst.refresh_from_db()
        return inst.name_en == "Renamed by matrix"
    if action == "edit_network":
        net = _pick(world, target, "net")
        net.refresh_from_db()
        return net.name_en == "Renamed by matrix"
    if action == "add_membership":
        return Membership.objects.filter(
            network=_pick(world, target, "net"), institution=world.newcomer
        ).exists()
    if action == "end_membership":
        m = _pick(world, target, "membership")
        m.refresh_from_db()
        return m.end is not None
    if action == "add_seat":
        return Seat.objects.filter(working_group=_pick(world, target, "wg")).exists()
    raise AssertionError(action)


def _via_service(world: World, action: str, target: str) -> None:
    actor = world.actor
    if action == "edit_institution":
        services.update_institution(
            _pick(world, target, "inst"), acting_user=actor, name_en="Renamed by matrix"
        )
    elif action == "edit_network":
        services.update_network(
            _pick(world, target, "net"), acting_user=actor, name_en="Renamed by matrix"
        )
    elif action == "add_membership":
        services.add_membership(
            _pick(world, target, "net"), world.newcomer, start=None, acting_user=actor
        )
    elif action == "end_membership":
        services.end_membership(
            _pick(world, target, "membership"),
            PartialDate.parse("2025"),  # type: ignore[arg-type]
            acting_user=actor,
        )
    elif action == "add_seat":
        services.add_seat(_pick(world, target, "wg"), world.newcomer, acting_user=actor)


def _via_web(world: World, action: str, target: str) -> int:
    client = Client()
    if not isinstance(world.actor, AnonymousUser):
        client.force_login(world.actor)
    if action == "edit_institution":
        inst = _pick(world, target, "inst")
        url, data = f"/institutions/{inst.code}/edit/", {"name_en": "Renamed by matrix"}
    elif action == "edit_network":
        net = _pick(world, target, "net")
        url, data = f"/networks/{net.code}/edit/", {"name_en": "Renamed by matrix"}
    elif action == "add_membership":
        url = f"/networks/{_pick(world, target, 'net').code}/memberships/"
        data = {"institution": world.newcomer.code, "role": "member", "start": "2020"}
    elif action == "end_membership":
        url, data = f"/memberships/{_pick(world, target, 'membership').pk}/end/", {"end": "2025"}
    else:
        url = f"/working-groups/{_pick(world, target, 'wg').code}/seats/"
        data = {"institution": world.newcomer.code, "role": "member"}
    return client.post(url, data).status_code


def _via_api(world: World, action: str, target: str) -> int:
    client = Client()
    headers = {}
    if not isinstance(world.actor, AnonymousUser):
        key = issue_token(world.actor, "matrix", acting_user=SYSTEM)
        headers["Authorization"] = f"Bearer {key}"
    if action == "edit_institution":
        inst = _pick(world, target, "inst")
        return client.patch(
            f"/api/institutions/{inst.code}",
            {"name_en": "Renamed by matrix"},
            content_type="application/json",
            headers=headers,
        ).status_code
    if action == "edit_network":
        return client.patch(
            f"/api/networks/{_pick(world, target, 'net').code}",
            {"name_en": "Renamed by matrix"},
            content_type="application/json",
            headers=headers,
        ).status_code
    if action == "add_membership":
        url = f"/api/networks/{_pick(world, target, 'net').code}/memberships"
        body: dict[str, str] = {"institution": world.newcomer.code, "role": "member"}
    elif action == "end_membership":
        url = f"/api/memberships/{_pick(world, target, 'membership').pk}/end"
        body = {"end": "2025"}
    else:
        url = f"/api/working-groups/{_pick(world, target, 'wg').code}/seats"
        body = {"institution": world.newcomer.code}
    return client.post(url, body, content_type="application/json", headers=headers).status_code


CELLS = [(r, a, t) for r in ROLES for a in ACTIONS for t in TARGETS]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action", "target"), CELLS)
def test_service_layer(role: str, action: str, target: str) -> None:
    world = _world(role)
    audit_before = AuditEvent.objects.count()
    if (role, action, target) in ALLOWED:
        _via_service(world, action, target)
        assert _changed(world, action, target)
        assert AuditEvent.objects.count() == audit_before + 1
    else:
        with pytest.raises(PermissionDenied):
            _via_service(world, action, target)
        assert not _changed(world, action, target)
        assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action", "target"), CELLS)
def test_web_ui(role: str, action: str, target: str) -> None:
    world = _world(role)
    status = _via_web(world, action, target)
    if (role, action, target) in ALLOWED:
        assert status == 302  # redirect back to the page after a successful save
        assert _changed(world, action, target)
    else:
        # Anonymous users are sent to the login page; logged-in users get 403.
        assert status == (302 if role == "anonymous" else 403)
        assert not _changed(world, action, target)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action", "target"), CELLS)
def test_json_api(role: str, action: str, target: str) -> None:
    world = _world(role)
    status = _via_api(world, action, target)
    if (role, action, target) in ALLOWED:
        assert status in (200, 201)
        assert _changed(world, action, target)
    else:
        assert status == (401 if role == "anonymous" else 403)
        assert not _changed(world, action, target)
