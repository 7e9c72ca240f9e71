"""Outreach pages through the Django test client: create, show, edit, photos, follow-up, lists."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.network.models import Institution, StaffRole
from libcoop.outreach.demo import load_demo
from libcoop.outreach.models import Activity, ActivityPhoto, FollowUpNote
from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_registry: None) -> None:
    load_demo()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (31, 111, 67)).save(buf, format="PNG")
    return buf.getvalue()


def test_librarian_creates_an_activity_through_the_form(demo: None) -> None:
    mfu = Institution.objects.get(code="MFU-LIB")
    client = _client(staff(StaffRole.LIBRARIAN, mfu))
    page = client.get("/outreach/activities/new/?programme=MFU-BIGSIB")
    assert page.status_code == 200
    html = page.content.decode()
    for name in (
        "programme",
        "title_th",
        "title_en",
        "activity_type",
        "date",
        "schools",
        "pupils",
        "teachers",
        "staff",
        "objectives_th",
        "description_th",
        "outcomes_th",
    ):
        assert f'name="{name}"' in html, name
    assert 'value="MFU-BIGSIB" selected' in html
    response = client.post(
        "/outreach/activities/new/",
        {
            "programme": "MFU-BIGSIB",
            "title_th": "สอนน้องทำปุ๋ยหมัก",
            "title_en": "Composting lesson",
            "activity_type": "waste_sorting",
            "date": "2026-02-12",
            "schools": ["THANTHIP-SCH", "HUAIHANGPASA-SCH"],
            "pupils": "42",
            "teachers": "3",
            "staff": "",
            "objectives_th": "ให้ความรู้การทำปุ๋ยหมัก",
            "description_th": "สาธิตการทำปุ๋ยหมักจากเศษใบไม้",
            "outcomes_th": "นักเรียนตั้งถังหมักในโรงเรียน",
        },
    )
    activity = Activity.objects.get(title_en="Composting lesson")
    assert response.status_code == 302
    assert response["Location"] == f"/outreach/activities/{activity.pk}/"
    assert activity.pupils == 42 and activity.staff is None
    assert activity.precision == "day" and activity.date.isoformat() == "2026-02-12"
    assert sorted(s.code for s in activity.schools.all()) == ["HUAIHANGPASA-SCH", "THANTHIP-SCH"]
    assert AuditEvent.objects.filter(
        verb=AuditVerb.ACTIVITY_CREATED, object_id=str(activity.pk)
    ).exists()
    shown = client.get(response["Location"]).content.decode()
    assert "สอนน้องทำปุ๋ยหมัก" in shown and "โรงเรียนธารทิพย์" in shown and "42" in shown


def test_form_rejects_a_non_school_and_keeps_the_input(demo: None) -> None:
    client = _client(staff(StaffRole.LIBRARIAN, Institution.objects.get(code="MFU-LIB")))
    response = client.post(
        "/outreach/activities/new/",
        {
            "programme": "MFU-BIGSIB",
            "title_th": "x",
            "activity_type": "talk",
            "date": "2026",
            "schools": ["CMU-LIB"],
        },
    )
    assert response.status_code == 200
    assert "schools" in response.context["form"].errors
    response = client.post(
        "/outreach/activities/new/",
        {"programme": "MFU-BIGSIB", "activity_type": "talk", "date": "soon"},
    )
    assert response.status_code == 200 and not Activity.objects.filter(title_th="x").exists()
    assert "date" in response.context["form"].errors


def test_programme_page_shows_the_seed_timeline_in_buddhist_era(demo: None) -> None:
    html = Client().get("/outreach/programmes/MFU-BIGSIB/").content.decode()
    assert "โครงการห้องสมุดพี่ช่วยน้อง" in html
    for year in ("2560", "2561", "2562"):
        assert year in html
    assert "MFU Green Corner" in html and "สอนน้องแยกขยะก่อนทิ้ง" in html
    assert "<svg" in html
    english = Client(headers={"Accept-Language": "en"})
    english.cookies["libcoop_language"] = "en"
    html = english.get("/outreach/programmes/MFU-BIGSIB/").content.decode()
    assert "2017" in html and "Teaching the little ones" in html


def test_photo_upload_accepts_images_only(demo: None) -> None:
    activity = Activity.objects.get(title_th="MFU Green Corner")
    client = _client(staff(StaffRole.LIBRARIAN, Institution.objects.get(code="MFU-LIB")))
    bad = io.BytesIO(b"%PDF-1.4 not an image")
    bad.name = "photo.png"
    response = client.post(f"/outreach/activities/{activity.pk}/photos/new/", {"photo": bad})
    assert response.status_code == 200 and not ActivityPhoto.objects.exists()
    good = io.BytesIO(_png())
    good.name = "corner.png"
    response = client.post(
        f"/outreach/activities/{activity.pk}/photos/new/",
        {"photo": good, "caption_th": "มุมความรู้"},
    )
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    served = Client().get(f"/outreach/photos/{photo.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(verb=AuditVerb.ACTIVITY_PHOTO_ADDED).count() == 1


def test_school_contact_adds_a_follow_up_note_to_own_school(demo: None) -> None:
    activity = Activity.objects.get(title_th="MFU Green Corner")
    contact = staff(StaffRole.SCHOOL_CONTACT, Institution.objects.get(code="THANTHIP-SCH"))
    client = _client(contact)
    response = client.post(
        f"/outreach/activities/{activity.pk}/follow-up/", {"text": "มุมความรู้ยังใช้งานอยู่"}
    )
    assert response.status_code == 302
    note = FollowUpNote.objects.get()
    assert note.school is not None and note.school.code == "THANTHIP-SCH"
    assert "มุมความรู้ยังใช้งานอยู่" in client.get(f"/outreach/activities/{activity.pk}/").content.decode()
    # the public does not see the notes
    assert (
        "มุมความรู้ยังใช้งานอยู่"
        not in Client().get(f"/outreach/activities/{activity.pk}/").content.decode()
    )


def test_mine_lists_only_the_contacts_school(demo: None) -> None:
    contact = staff(StaffRole.SCHOOL_CONTACT, Institution.objects.get(code="ANUBAN-NANGLAE-SCH"))
    html = _client(contact).get("/outreach/mine/").content.decode()
    assert "สอนน้องแยกขยะก่อนทิ้ง" in html and "MFU Green Corner" not in html
    librarian = staff(StaffRole.LIBRARIAN, Institution.objects.get(code="MFU-LIB"))
    html = _client(librarian).get("/outreach/mine/").content.decode()
    assert "สอนน้องแยกขยะก่อนทิ้ง" in html and "MFU Green Corner" in html
