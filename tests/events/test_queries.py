"""The cross-app read contract of libcoop.events.queries (docs/contracts.md)."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from libcoop.events import queries, services
from libcoop.events.demo import load_demo
from libcoop.events.models import Event, EventStatus
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Network
from tests.events.factories import EventFactory
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_registry: None) -> None:
    load_demo()


def test_events_attended_by_mfu(demo: None) -> None:
    mfu = Institution.objects.get(code="MFU-LIB")
    facts = queries.events_attended(mfu)
    assert facts == sorted(facts, key=lambda f: f.start)
    assert isinstance(facts[0], queries.AttendedEvent)
    assert dataclasses.is_dataclass(facts[0]) and facts[0].__dataclass_params__.frozen  # type: ignore[attr-defined]
    of_2016 = queries.events_attended(mfu, year=2016)
    assert [(f.kind, f.role, f.precision) for f in of_2016] == [
        ("meeting", "participant", "year"),
        ("seminar", "participant", "year"),
    ]
    assert of_2016[0].network_code == "GLN"
    assert of_2016[0].network_name == "เครือข่ายห้องสมุดสีเขียว"
    assert of_2016[0].title == "ประชุมเครือข่ายห้องสมุดสีเขียว ประจำปี 2559"
    assert of_2016[0].url == f"/events/{of_2016[0].pk}/"
    english = queries.events_attended(mfu, year=2016, lang="en")
    assert english[0].title == "Green Library Network meeting 2016"
    assert english[0].kind_label == "Meeting" and english[0].role_label == "Participant"
    roles = {f.role for f in queries.events_attended(mfu, year=2027)}
    assert roles == {"participant", "host"}  # GGON online exchange; KKU's study visit at MFU


def test_organiser_and_host_without_attendance_rows_and_no_cancelled() -> None:
    library = InstitutionFactory()
    organised = EventFactory(organiser=library, start_date=datetime.date(2027, 1, 1))
    hosted = EventFactory(host=library, start_date=datetime.date(2027, 2, 1))
    EventFactory(organiser=library, status=EventStatus.CANCELLED)
    facts = queries.events_attended(library, lang="en")
    assert [(f.pk, f.role, f.attendees, f.people) for f in facts] == [
        (organised.pk, "organiser", 0, []),
        (hosted.pk, "host", 0, []),
    ]
    services.set_attendance(organised, library, attendees=4, people="ก\nข", acting_user=SYSTEM)
    first = queries.events_attended(library)[0]
    assert first.attendees == 4 and first.people == ["ก", "ข"]


def test_events_of_network(demo: None) -> None:
    gln = Network.objects.get(code="GLN")
    facts = queries.events_of_network(gln)
    assert all(f.network_code == "GLN" and f.role == "organiser" for f in facts)
    assert facts[0].start == datetime.date(2014, 1, 1)  # the year-only meeting sorts first
    signing = next(f for f in facts if f.start == datetime.date(2014, 6, 25))
    assert signing.place == "สำนักหอสมุด มหาวิทยาลัยเกษตรศาสตร์"
    assert len(queries.events_of_network(gln, year=2015)) == 2
    assert Event.objects.filter(network=gln).count() == len(facts)


def test_event_exists_for(demo: None) -> None:
    mfu = Institution.objects.get(code="MFU-LIB")
    signing = Event.objects.get(uid="gln-signing-2014@demo.libcoop")
    meeting = Event.objects.get(uid="gln-meeting-2016@demo.libcoop")
    assert queries.event_exists_for(mfu, meeting.pk)
    assert not queries.event_exists_for(mfu, signing.pk)  # MFU is not recorded there
    assert queries.event_exists_for(Institution.objects.get(code="KU-LIB"), signing.pk)
    assert not queries.event_exists_for(mfu, 999999)
