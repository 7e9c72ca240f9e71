"""The events JSON API: filtered reads, token writes, clear 4xx errors."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from libcoop.core.tokens import issue_token
from libcoop.events.demo import load_demo
from libcoop.events.models import Attendance, Event
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, StaffRole
from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_registry: None) -> None:
    load_demo()


@pytest.fixture
def mfu_headers(demo: None) -> dict[str, str]:
    user = staff(StaffRole.LIBRARIAN, Institution.objects.get(code="MFU-LIB"))
    return {
        "Authorization": f"Bearer {issue_token(user, 't', acting_user=SYSTEM)}",
        "Accept-Language": "en",  # error messages are checked in English
    }


def test_list_filters(demo: None) -> None:
    client = Client()
    everything = client.get("/api/events").json()
    assert len(everything) == Event.objects.count()
    ggon = client.get("/api/events", {"network": "GGON"}).json()
    assert ggon and {e["network"] for e in ggon} == {"GGON"}
    mfu_2016 = client.get("/api/events", {"institution": "MFU-LIB", "year": 2016}).json()
    assert sorted(e["kind"] for e in mfu_2016) == ["meeting", "seminar"]
    assert all(e["precision"] == "year" and e["illustrative"] for e in mfu_2016)
    upcoming = client.get("/api/events", {"upcoming": True}).json()
    assert upcoming and all(e["start_date"] >= "2026" for e in upcoming)
    assert client.get("/api/events", {"status": "nope"}).status_code == 422


def test_detail(demo: None) -> None:
    signing = Event.objects.get(uid="gln-signing-2014@demo.libcoop")
    data = Client().get(f"/api/events/{signing.pk}").json()
    assert data["organiser"] == "KU-LIB" and data["start_date"] == "2014-06-25"
    assert {a["institution"] for a in data["attendances"]} == {"KU-LIB", "DEQP", "TLA"}
    assert Client().get("/api/events/999999").status_code == 404


def test_create_and_attend_with_token(mfu_headers: dict[str, str]) -> None:
    client = Client()
    response = client.post(
        "/api/events",
        {
            "title_th": "ประชุมออนไลน์",
            "kind": "meeting",
            "network": "GLN",
            "organiser": "MFU-LIB",
            "start": "2027-02-02",
            "start_time": "10:00",
            "online_url": "https://meet.example.org/a",
        },
        content_type="application/json",
        headers=mfu_headers,
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client.post(
        f"/api/events/{pk}/attendance",
        {"attendees": 3, "people": ["ก", "ข"]},
        content_type="application/json",
        headers=mfu_headers,
    )
    assert response.status_code == 200, response.content
    row = Attendance.objects.get(event_id=pk)
    assert row.institution.code == "MFU-LIB" and row.attendees == 3


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"start": "soon"}, 400, "start"),
        ({"organiser": "NOPE"}, 404, ""),
        ({"network": "NOPE"}, 404, ""),
        ({"kind": "party"}, 422, ""),
        ({"title_th": ""}, 400, "title"),
        ({"start": "2027", "start_time": "09:00"}, 400, "time"),
        ({"start": ""}, 400, "start"),
        ({"start_time": "23:30:00Z"}, 400, "start_time: that time falls on another day"),
        ({"organiser": "CMU-LIB", "network": None}, 403, ""),
    ],
)
def test_create_errors(
    mfu_headers: dict[str, str], body: dict[str, object], status: int, message: str
) -> None:
    before = Event.objects.count()
    payload = {"title_th": "x", "kind": "meeting", "organiser": "MFU-LIB", "start": "2027-02-02"}
    response = Client().post(
        "/api/events", payload | body, content_type="application/json", headers=mfu_headers
    )
    assert response.status_code == status, response.content
    assert message in response.content.decode().lower()
    assert Event.objects.count() == before


@pytest.mark.parametrize("year", ["0", "-1", "99999"])
def test_list_refuses_a_year_no_date_can_have(year: str) -> None:
    assert Client().get("/api/events", {"year": year}).status_code == 422


def test_times_carry_their_offset(mfu_headers: dict[str, str]) -> None:
    """Times are local at the event (Asia/Bangkok) and published as RFC 3339 full-time with
    the offset, as the schema's ``format: time`` says; a time sent with an offset is stored
    as the local time."""
    client = Client()
    payload = {"title_th": "x", "kind": "meeting", "organiser": "MFU-LIB", "start": "2027-02-02"}
    response = client.post(
        "/api/events",
        payload | {"start_time": "02:30:00Z", "end_time": "12:00"},
        content_type="application/json",
        headers=mfu_headers,
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["start_time"], created["end_time"]) == ("09:30:00+07:00", "12:00:00+07:00")
    event = Event.objects.get(pk=created["id"])
    assert (event.start_time, event.end_time) == (datetime.time(9, 30), datetime.time(12))
    listed = {e["id"]: e for e in client.get("/api/events").json()}
    assert listed[event.pk]["start_time"] == "09:30:00+07:00"
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["EventOut"]
    assert {"type": "string", "format": "time"}.items() <= (
        schema["properties"]["start_time"]["anyOf"][0].items()
    )
