"""Event pages through the Django test client."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.events.demo import load_demo
from libcoop.events.models import Attendance, Event, EventOutput
from libcoop.network.models import Institution, StaffRole
from tests.events.factories import EventFactory
from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_registry: None) -> None:
    load_demo()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_list_upcoming_past_filters_and_feed_links(demo: None) -> None:
    page = Client().get("/events/")
    html = page.content.decode()
    upcoming = [e.pk for e in page.context["upcoming"]]
    past = [e.pk for e in page.context["past"]]
    today = datetime.date.today()
    assert all(Event.objects.get(pk=pk).last_date >= today for pk in upcoming)
    assert all(Event.objects.get(pk=pk).last_date < today for pk in past)
    assert "พิธีลงนามความร่วมมือเครือข่ายห้องสมุดสีเขียว" in html
    assert 'href="/events/network/GLN.ics"' in html and 'href="/events/network/GGON.ics"' in html
    assert "2557" in html  # Buddhist Era in Thai
    ggon = Client().get("/events/", {"network": "GGON"}).context
    assert {e.network.code for e in ggon["upcoming"] + ggon["past"]} == {"GGON"}
    year = Client().get("/events/", {"year": "2016"}).context
    assert {e.start_date.year for e in year["upcoming"] + year["past"]} == {2016}


def test_detail_shows_attendance_and_outputs(demo: None) -> None:
    signing = Event.objects.get(uid="gln-signing-2014@demo.libcoop")
    html = Client().get(f"/events/{signing.pk}/").content.decode()
    assert "25 มิถุนายน 2557" in html
    assert "สำนักหอสมุด มหาวิทยาลัยเกษตรศาสตร์" in html
    assert "กรมส่งเสริมคุณภาพสิ่งแวดล้อม" in html  # DEQP among the hosts
    assert 'id="we-attended"' not in html  # anonymous


def test_create_edit_and_cancel_through_the_forms(demo: None) -> None:
    mfu = Institution.objects.get(code="MFU-LIB")
    client = _client(staff(StaffRole.LIBRARIAN, mfu))
    assert client.get("/events/new/?network=GLN").status_code == 200
    response = client.post(
        "/events/new/",
        {
            "title_th": "อบรมการคัดแยกขยะ",
            "kind": "training",
            "network": "GLN",
            "organiser": "MFU-LIB",
            "start": "2027-06-15",
            "start_time": "09:00",
            "end_time": "16:00",
            "place_th": "ห้องสมุด มฟล.",
            "status": "planned",
        },
    )
    event = Event.objects.get(title_th="อบรมการคัดแยกขยะ")
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/"
    assert event.start_time == datetime.time(9) and event.precision == "day"
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "09:00–16:00" in page and 'id="edit-event"' in page
    response = client.post(
        f"/events/{event.pk}/edit/",
        {
            "title_th": "อบรมการคัดแยกขยะ",
            "kind": "training",
            "network": "GLN",
            "organiser": "MFU-LIB",
            "start": "2027-06-15",
            "place_th": "หอประชุม",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.place_th == "หอประชุม" and event.start_time is None
    client.post(f"/events/{event.pk}/cancel/")
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert AuditEvent.objects.filter(verb=AuditVerb.EVENT_CANCELLED).count() == 1


def test_form_errors_keep_the_page(demo: None) -> None:
    client = _client(staff(StaffRole.LIBRARIAN, Institution.objects.get(code="MFU-LIB")))
    response = client.post(
        "/events/new/",
        {
            "title_th": "x",
            "kind": "meeting",
            "organiser": "MFU-LIB",
            "start": "2016",
            "start_time": "09:00",
            "status": "planned",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200 and not Event.objects.filter(title_th="x").exists()
    assert "YYYY-MM-DD" in response.content.decode()


def test_we_attended_for_own_institution(demo: None) -> None:
    event = Event.objects.get(uid="gln-meeting-2026-12@demo.libcoop")
    kku = Institution.objects.get(code="KKU-LIB")
    client = _client(staff(StaffRole.LIBRARIAN, kku))
    assert 'id="we-attended"' in client.get(f"/events/{event.pk}/").content.decode()
    response = client.post(
        f"/events/{event.pk}/attendance/",
        {"role": "speaker", "attendees": "2", "people": "ดร.สมชาย\nคุณสมหญิง"},
    )
    assert response.status_code == 302
    row = Attendance.objects.get(event=event, institution=kku)
    assert row.role == "speaker" and row.people_list == ["ดร.สมชาย", "คุณสมหญิง"]
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert "ดร.สมชาย" in html and "คุณสมหญิง" in html
    client.post(f"/events/{event.pk}/attendance/", {"remove": "1"})
    assert not Attendance.objects.filter(event=event, institution=kku).exists()


def test_output_upload_and_download(demo: None) -> None:
    event = Event.objects.get(uid="gln-meeting-2026-12@demo.libcoop")
    client = _client(staff(StaffRole.LIBRARY_ADMIN, Institution.objects.get(code="MFU-LIB")))
    minutes = io.BytesIO(b"%PDF-1.4 minutes of the meeting")
    minutes.name = "minutes.pdf"
    response = client.post(
        f"/events/{event.pk}/outputs/new/",
        {"kind": "minutes", "title": "รายงานการประชุม", "file": minutes},
    )
    assert response.status_code == 302
    output = EventOutput.objects.get(event=event)
    served = Client().get(f"/events/outputs/{output.pk}/file/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert "attachment" in served["Content-Disposition"]
    html = Client().get(f"/events/{event.pk}/").content.decode()
    assert "รายงานการประชุม" in html
    bad = io.BytesIO(b"<html><script>alert(1)</script></html>")
    bad.name = "x.html"
    response = client.post(
        f"/events/{event.pk}/outputs/new/", {"kind": "other", "title": "bad", "file": bad}
    )
    assert response.status_code == 200 and EventOutput.objects.filter(event=event).count() == 1


def test_english_dates() -> None:
    event = EventFactory(start_date=datetime.date(2027, 3, 4), end_date=datetime.date(2027, 3, 5))
    client = Client()
    client.cookies["libcoop_language"] = "en"
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert "4 March 2027 – 5 March 2027" in html


@pytest.mark.parametrize("year", ["0", "99999", "²"])
def test_list_ignores_a_year_no_date_can_have(year: str) -> None:
    event = EventFactory(start_date=datetime.date(2027, 2, 1))
    response = Client().get("/events/", {"year": year})
    assert response.status_code == 200
    assert event in response.context["upcoming"] + response.context["past"]
    assert response.context["year"] == ""
    assert Client().get("/events/", {"year": "2026"}).context["upcoming"] == []


def test_attendance_larger_than_a_number_can_be_is_refused() -> None:
    event = EventFactory()
    client = _client(staff(StaffRole.LIBRARIAN, event.organiser))
    response = client.post(
        f"/events/{event.pk}/attendance/",
        {"role": "participant", "attendees": str(10**20), "people": ""},
    )
    assert response.status_code == 200 and "attendees" in response.context["form"].errors
    assert not Attendance.objects.filter(event=event).exists()
    assert not AuditEvent.objects.filter(verb=AuditVerb.ATTENDANCE_CHANGED).exists()
