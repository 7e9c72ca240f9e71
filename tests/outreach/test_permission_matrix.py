"""Outreach permissions as a matrix: role × action × own/other target × interface.

The expected outcomes are written from the issue's rules, not from the code: a programme's
activities are written by the staff of the library that runs it (or its network's coordinator);
a librarian of A never creates or edits activities of B's programme; a school contact sees only
its own school's outreach records (another school's is a 404 in every outreach view and in the
API) and adds follow-up notes and photos there; the public reads activity summaries but not
the follow-up notes. Each write is checked in the database, not from the response.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client
from PIL import Image

from libcoop.core.dates import PartialDate
from libcoop.core.tokens import issue_token
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from libcoop.outreach import services
from libcoop.outreach.models import Activity, ActivityPhoto, FollowUpNote
from tests.factories import InstitutionFactory, NetworkFactory, UserFactory, staff
from tests.outreach.factories import ActivityFactory, ProgrammeFactory, SchoolFactory

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
WRITES = ["create_activity", "edit_activity", "add_photo", "add_follow_up"]
TARGETS = ["own", "other"]

MANAGERS = {"librarian", "library_admin", "coordinator"}
ALLOWED = (
    {(r, a, "own") for r in MANAGERS for a in WRITES}
    | {("school_contact", a, "own") for a in ("add_photo", "add_follow_up")}
    | {("superuser", a, t) for a in WRITES for t in TARGETS}
)
# Reading an activity page: public, except that a school contact sees only its own school.
READ_DENIED = {("school_contact", "other")}
# Reading follow-up notes: the programme's people and the school's contact.
NOTES_READERS = {(r, "own") for r in MANAGERS | {"school_contact"}} | {
    ("superuser", "own"),
    ("superuser", "other"),
}


@dataclass
class World:
    actor: Any
    own_activity: Activity
    other_activity: Activity
    own_school: Any
    other_school: Any


def _world(role: str) -> World:
    own_lib, other_lib = InstitutionFactory(), InstitutionFactory()
    own_net, other_net = NetworkFactory(), NetworkFactory()
    own_school, other_school = SchoolFactory(), SchoolFactory()
    own_programme = ProgrammeFactory(run_by=own_lib, network=own_net)
    other_programme = ProgrammeFactory(run_by=other_lib, network=other_net)
    world = World(
        actor=None,
        own_activity=ActivityFactory(programme=own_programme, schools=[own_school]),
        other_activity=ActivityFactory(programme=other_programme, schools=[other_school]),
        own_school=own_school,
        other_school=other_school,
    )
    FollowUpNote.objects.create(activity=world.own_activity, text="note-own")
    FollowUpNote.objects.create(activity=world.other_activity, text="note-other")
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
        institution = {
            "coordinator": InstitutionFactory(),  # coordinates own_net, works elsewhere
            "assessor": own_lib,
            "school_contact": own_school,
        }.get(role, own_lib)
        network = (
            own_net if staff_role in (StaffRole.NETWORK_COORDINATOR, StaffRole.ASSESSOR) else None
        )
        world.actor = staff(staff_role, institution, network=network)
    return world


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (2, 2), (10, 120, 60)).save(buf, format="PNG")
    return buf.getvalue()


def _activity(world: World, target: str) -> Activity:
    return world.own_activity if target == "own" else world.other_activity


def _changed(world: World, action: str, target: str) -> bool:
    activity = _activity(world, target)
    if action == "create_activity":
        return Activity.objects.filter(
            programme=activity.programme, title_en="Matrix activity"
        ).exists()
    if action == "edit_activity":
        activity.refresh_from_db()
        return activity.title_en == "Edited by matrix"
    if action == "add_photo":
        return ActivityPhoto.objects.filter(activity=activity).exists()
    return FollowUpNote.objects.filter(activity=activity, text="Matrix note").exists()


def _service(world: World, action: str, target: str) -> None:
    activity = _activity(world, target)
    user = world.actor
    if action == "create_activity":
        services.create_activity(
            activity.programme,
            title_en="Matrix activity",
            activity_type="talk",
            date=PartialDate.parse("2026-01-05"),  # type: ignore[arg-type]
            schools=[world.own_school if target == "own" else world.other_school],
            acting_user=user,
        )
    elif action == "edit_activity":
        services.update_activity(activity, title_en="Edited by matrix", acting_user=user)
    elif action == "add_photo":
        services.add_photo(activity, [_png()], name="p.png", acting_user=user)
    else:
        services.add_follow_up(activity, text="Matrix note", acting_user=user)


def _web(world: World, action: str, target: str) -> int:
    client = Client()
    if not isinstance(world.actor, AnonymousUser):
        client.force_login(world.actor)
    activity = _activity(world, target)
    if action == "create_activity":
        response = client.post(
            "/outreach/activities/new/",
            {
                "programme": activity.programme.code,
                "title_en": "Matrix activity",
                "activity_type": "talk",
                "date": "2026-01-05",
                "schools": [s.code for s in activity.schools.all()],
            },
        )
    elif action == "edit_activity":
        response = client.post(
            f"/outreach/activities/{activity.pk}/edit/",
            {
                "title_th": activity.title_th,
                "title_en": "Edited by matrix",
                "activity_type": activity.activity_type,
                "date": "2018",
                "schools": [s.code for s in activity.schools.all()],
            },
        )
    elif action == "add_photo":
        photo = io.BytesIO(_png())
        photo.name = "p.png"
        response = client.post(f"/outreach/activities/{activity.pk}/photos/new/", {"photo": photo})
    else:
        response = client.post(
            f"/outreach/activities/{activity.pk}/follow-up/", {"text": "Matrix note"}
        )
    return response.status_code


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("action", WRITES)
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


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("action", WRITES)
@pytest.mark.parametrize("role", ROLES)
def test_web_ui(role: str, action: str, target: str) -> None:
    world = _world(role)
    allowed = (role, action, target) in ALLOWED
    status = _web(world, action, target)
    assert _changed(world, action, target) is allowed
    if allowed:
        assert status == 302
    elif role == "anonymous":
        assert status == 302  # to the login page
    elif (role, target) in READ_DENIED and action != "create_activity":
        assert status == 404  # another school's record does not exist for a school contact
    else:
        assert status == 403


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_reading(role: str, target: str) -> None:
    world = _world(role)
    client = Client()
    if not isinstance(world.actor, AnonymousUser):
        client.force_login(world.actor)
    activity = _activity(world, target)
    page = client.get(f"/outreach/activities/{activity.pk}/")
    api = client.get(f"/api/outreach/activities/{activity.pk}")
    listed = [a["id"] for a in client.get("/api/outreach/activities").json()]
    programme_page = client.get(f"/outreach/programmes/{activity.programme.code}/")
    if (role, target) in READ_DENIED:
        assert page.status_code == 404 and api.status_code == 404
        assert activity.pk not in listed
        assert programme_page.status_code == 404
        return
    assert page.status_code == 200 and api.status_code == 200 and activity.pk in listed
    assert programme_page.status_code == 200
    note = f"note-{target}"
    assert (note in page.content.decode()) is ((role, target) in NOTES_READERS)


def test_school_contact_lists_show_only_own_school() -> None:
    world = _world("school_contact")
    client = Client()
    client.force_login(world.actor)
    mine = client.get("/outreach/mine/").content.decode()
    assert world.own_activity.title in mine and world.other_activity.title not in mine
    programmes = client.get("/outreach/").content.decode()
    assert world.own_activity.programme.name in programmes
    assert world.other_activity.programme.name not in programmes


@pytest.mark.parametrize("role", ROLES)
def test_api_create(role: str) -> None:
    world = _world(role)
    for target in TARGETS:
        activity = _activity(world, target)
        headers = {}
        if not isinstance(world.actor, AnonymousUser):
            key = issue_token(world.actor, "matrix", acting_user=SYSTEM)
            headers = {"Authorization": f"Bearer {key}"}
        response = Client().post(
            "/api/outreach/activities",
            {
                "programme": activity.programme.code,
                "title_en": "Matrix activity",
                "activity_type": "talk",
                "date": "2026-01-05",
                "schools": [s.code for s in activity.schools.all()],
            },
            content_type="application/json",
            headers=headers,
        )
        allowed = (role, "create_activity", target) in ALLOWED
        assert _changed(world, "create_activity", target) is allowed
        if allowed:
            assert response.status_code == 201
        else:
            assert response.status_code == (401 if role == "anonymous" else 403)
