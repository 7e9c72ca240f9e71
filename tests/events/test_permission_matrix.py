"""Event permissions as a matrix: role × action × own/other target × interface.

Expected outcomes come from the issue's rules, not from the code: an event is created and
edited (and its outputs added) by a coordinator of its network or the staff of the organising
institution; attendance is recorded only by the staff of the attending institution itself — a
librarian of A never records attendance for B, not even at A's own event. Each write is
checked in the database, not from the response.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client

from libcoop.core.tokens import issue_token
from libcoop.events import services
from libcoop.events.models import Attendance, Event, EventOutput
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.events.factories import EventFactory
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
    staff,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "patron",
    "librarian",
    "library_admin",
    "coordinator",
    "assessor",
    "school_contact",
    "superuser",
]
ACTIONS = ["create_event", "edit_event", "add_output", "record_attendance"]
TARGETS = ["own", "other"]

ALLOWED = (
    {(r, a, "own") for r in ("librarian", "library_admin", "coordinator") for a in ACTIONS[:3]}
    | {(r, "record_attendance", "own") for r in ("librarian", "library_admin")}
    | {("superuser", a, t) for a in ACTIONS for t in TARGETS}
)


@dataclass
class World:
    actor: Any
    own_inst: Any
    other_inst: Any
    own_net: Any
    other_net: Any
    own_event: Event
    other_event: Event


def _world(role: str) -> World:
    own_inst, other_inst = InstitutionFactory(), InstitutionFactory()
    own_net, other_net = NetworkFactory(), NetworkFactory()
    MembershipFactory(institution=own_inst, network=own_net)
    MembershipFactory(institution=other_inst, network=other_net)
    world = World(
        actor=None,
        own_inst=own_inst,
        other_inst=other_inst,
        own_net=own_net,
        other_net=other_net,
        own_event=EventFactory(organiser=own_inst, network=own_net),
        other_event=EventFactory(organiser=other_inst, network=other_net),
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
            "school_contact": StaffRole.SCHOOL_CONTACT,
        }[role]
        institution = InstitutionFactory() if role == "coordinator" else own_inst
        network = (
            own_net if staff_role in (StaffRole.NETWORK_COORDINATOR, StaffRole.ASSESSOR) else None
        )
        world.actor = staff(staff_role, institution, network=network)
    return world


def _pick(world: World, target: str, what: str) -> Any:
    return getattr(world, f"{target}_{what}")


def _changed(world: World, action: str, target: str) -> bool:
    if action == "create_event":
        return Event.objects.filter(
            title_en="Matrix event", organiser=_pick(world, target, "inst")
        ).exists()
    if action == "edit_event":
        event = _pick(world, target, "event")
        event.refresh_from_db()
        return event.place_en == "Edited by matrix"
    if action == "add_output":
        return EventOutput.objects.filter(event=_pick(world, target, "event")).exists()
    # record own attendance at the other's event; "other": B's attendance at A's own event
    if target == "own":
        return Attendance.objects.filter(
            event=world.other_event, institution=world.own_inst
        ).exists()
    return Attendance.objects.filter(event=world.own_event, institution=world.other_inst).exists()


def _service(world: World, action: str, target: str) -> None:
    user = world.actor
    if action == "create_event":
        services.create_event(
            title_en="Matrix event",
            kind="meeting",
            organiser=_pick(world, target, "inst"),
            network=_pick(world, target, "net"),
            start_date=datetime.date(2027, 4, 1),
            acting_user=user,
        )
    elif action == "edit_event":
        services.update_event(
            _pick(world, target, "event"), place_en="Edited by matrix", acting_user=user
        )
    elif action == "add_output":
        services.add_output(
            _pick(world, target, "event"),
            kind="slides",
            title="Slides",
            url="https://example.org/slides",
            acting_user=user,
        )
    elif target == "own":
        services.set_attendance(world.other_event, world.own_inst, attendees=2, acting_user=user)
    else:
        services.set_attendance(world.own_event, world.other_inst, attendees=2, acting_user=user)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_service_layer(role: str, action: str, target: str) -> None:
    world = _world(role)
    allowed = (role, action, target) in ALLOWED
    if allowed:
        _service(world, action, target)
    else:
        with pytest.raises(PermissionDenied):
            _service(world, action, target)
    assert _changed(world, action, target) is allowed


def _web(world: World, action: str, target: str) -> int:
    client = Client()
    if not isinstance(world.actor, AnonymousUser):
        client.force_login(world.actor)
    if action == "create_event":
        response = client.post(
            "/events/new/",
            {
                "title_en": "Matrix event",
                "kind": "meeting",
                "organiser": _pick(world, target, "inst").code,
                "network": _pick(world, target, "net").code,
                "start": "2027-04-01",
                "status": "planned",
            },
        )
    elif action == "edit_event":
        event = _pick(world, target, "event")
        response = client.post(
            f"/events/{event.pk}/edit/",
            {
                "title_en": event.title_en,
                "kind": event.kind,
                "organiser": event.organiser.code,
                "network": event.network.code,
                "start": event.start_date.isoformat(),
                "place_en": "Edited by matrix",
                "status": "planned",
            },
        )
    elif action == "add_output":
        event = _pick(world, target, "event")
        response = client.post(
            f"/events/{event.pk}/outputs/new/",
            {"kind": "slides", "title": "Slides", "url": "https://example.org/slides"},
        )
    else:
        # The page records the acting user's own institution only: there is no way to name B.
        event = world.other_event if target == "own" else world.own_event
        response = client.post(
            f"/events/{event.pk}/attendance/",
            {
                "role": "participant",
                "attendees": "2",
                "institution": world.other_inst.code,  # ignored on purpose
            },
        )
    return response.status_code


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_web_ui(role: str, action: str, target: str) -> None:
    world = _world(role)
    status = _web(world, action, target)
    allowed = (role, action, target) in ALLOWED
    if action == "record_attendance" and target == "other":
        # whatever the role, the page never writes B's attendance
        assert not _changed(world, action, target)
        return
    if action == "record_attendance" and role == "superuser":
        # a superuser acts for no institution, so the page has nobody to record
        assert status == 403 and not _changed(world, action, target)
        return
    assert _changed(world, action, target) is allowed
    if allowed:
        assert status == 302
    elif role == "anonymous":
        assert status == 302  # to the login page
    else:
        assert status == 403


@pytest.mark.parametrize("role", ROLES)
def test_api(role: str) -> None:
    world = _world(role)
    headers = {}
    if not isinstance(world.actor, AnonymousUser):
        key = issue_token(world.actor, "matrix", acting_user=SYSTEM)
        headers = {"Authorization": f"Bearer {key}"}
    client = Client()
    for target in TARGETS:
        create = client.post(
            "/api/events",
            {
                "title_en": "Matrix event",
                "kind": "meeting",
                "organiser": _pick(world, target, "inst").code,
                "network": _pick(world, target, "net").code,
                "start": "2027-04-01",
            },
            content_type="application/json",
            headers=headers,
        )
        event = world.other_event if target == "own" else world.own_event
        institution = world.own_inst if target == "own" else world.other_inst
        attend = client.post(
            f"/api/events/{event.pk}/attendance",
            {"institution": institution.code, "attendees": 2},
            content_type="application/json",
            headers=headers,
        )
        for action, response in (("create_event", create), ("record_attendance", attend)):
            allowed = (role, action, target) in ALLOWED
            assert _changed(world, action, target) is allowed
            expected = {True: {201, 200}, False: {401 if role == "anonymous" else 403}}[allowed]
            assert response.status_code in expected, (action, response.content)


def test_staff_never_write_an_event_into_another_librarys_record() -> None:
    """Naming B as host, or placing an event in a network A does not belong to, would put it
    in B's report or the network's calendar: refused for A's staff, allowed for B's staff and
    for the network's coordinator."""
    a, b = InstitutionFactory(), InstitutionFactory()
    net, foreign = NetworkFactory(), NetworkFactory()
    MembershipFactory(institution=a, network=net)
    MembershipFactory(institution=b, network=net)
    a_librarian, b_librarian = staff(StaffRole.LIBRARIAN, a), staff(StaffRole.LIBRARIAN, b)
    coordinator = staff(StaffRole.NETWORK_COORDINATOR, InstitutionFactory(), network=net)
    when = datetime.date(2027, 5, 3)

    def create(user: Any, **fields: Any) -> Event:
        return services.create_event(
            title_th="t", kind="seminar", organiser=a, start_date=when, acting_user=user, **fields
        )

    with pytest.raises(PermissionDenied):
        create(a_librarian, network=net, host=b)
    with pytest.raises(PermissionDenied):
        create(a_librarian, network=foreign)
    assert not Event.objects.exists()
    create(a_librarian, network=net, host=a)
    create(coordinator, network=net, host=b)
    event = create(a_librarian, network=net)
    with pytest.raises(PermissionDenied):
        services.update_event(event, host=b, acting_user=a_librarian)
    with pytest.raises(PermissionDenied):
        services.update_event(event, network=foreign, acting_user=a_librarian)
    event.refresh_from_db()
    assert event.host is None and event.network == net
    # B's own staff may not name themselves host of A's event either: they cannot edit it.
    with pytest.raises(PermissionDenied):
        services.update_event(event, host=b, acting_user=b_librarian)
    services.update_event(event, host=b, acting_user=coordinator)
    event.refresh_from_db()
    assert event.host == b
