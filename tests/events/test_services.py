"""Event services: validation, one audit event per change, attendance, outputs."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.audit.services import history_of
from libcoop.core.models import Attachment
from libcoop.events import services
from libcoop.events.models import Attendance, EventStatus
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.events.factories import EventFactory
from tests.factories import InstitutionFactory, MembershipFactory, NetworkFactory, staff

pytestmark = pytest.mark.django_db


def test_create_event_audited_with_a_uid() -> None:
    library = InstitutionFactory()
    librarian = staff(StaffRole.LIBRARIAN, library)
    network = NetworkFactory()
    MembershipFactory(institution=library, network=network)
    event = services.create_event(
        title_th="สัมมนาห้องสมุดสีเขียว",
        kind="seminar",
        organiser=library,
        network=network,
        start_date=datetime.date(2027, 5, 3),
        start_time=datetime.time(9, 0),
        place_th="ห้องประชุม",
        acting_user=librarian,
    )
    assert event.uid.endswith("@libcoop") and event.created_by == librarian
    created = history_of(event).get()
    assert created.verb == AuditVerb.EVENT_CREATED and created.institution_code == library.code
    assert created.data["start"] == "2027-05-03"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title_th": "", "title_en": ""}, "title"),
        ({"kind": "party"}, "kind"),
        ({"organiser": None, "network": None}, "organiser or a network"),
        ({"end_date": datetime.date(2027, 1, 1)}, "last day"),
        ({"precision": "year", "start_time": datetime.time(9)}, "time"),
        ({"online_url": "not a link"}, "URL"),
        ({"colour": "green"}, "Unknown fields"),
    ],
)
def test_create_validation(fields: dict[str, object], message: str) -> None:
    data: dict[str, object] = {
        "title_th": "ประชุม",
        "kind": "meeting",
        "organiser": InstitutionFactory(),
        "network": None,
        "start_date": datetime.date(2027, 2, 1),
    } | fields
    with pytest.raises(ValidationError) as exc:
        services.create_event(acting_user=SYSTEM, **data)  # type: ignore[arg-type]
    assert message.lower() in " ".join(exc.value.messages).lower()
    assert not AuditEvent.objects.exists()


def test_update_and_cancel() -> None:
    event = EventFactory()
    assert services.update_event(event, title_en=event.title_en, acting_user=SYSTEM) == {}
    diff = services.update_event(event, place_en="Room 1", acting_user=SYSTEM)
    assert diff == {"place_en": ["", "Room 1"]}
    services.cancel_event(event, acting_user=SYSTEM)
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert [e.verb for e in history_of(event).order_by("pk")] == [
        AuditVerb.EVENT_CHANGED,
        AuditVerb.EVENT_CANCELLED,
    ]


def test_an_organiser_cannot_hand_the_event_to_another_library() -> None:
    from django.core.exceptions import PermissionDenied

    event = EventFactory(network=None)
    librarian = staff(StaffRole.LIBRARIAN, event.organiser)
    with pytest.raises(PermissionDenied):
        services.update_event(event, organiser=InstitutionFactory(), acting_user=librarian)
    event.refresh_from_db()
    assert event.organiser.staff.filter(user=librarian).exists()


def test_attendance_set_change_remove() -> None:
    event = EventFactory()
    library = InstitutionFactory()
    librarian = staff(StaffRole.LIBRARIAN, library)
    row = services.set_attendance(
        event, library, attendees=1, people="สมชาย\n\n สมหญิง ", acting_user=librarian
    )
    assert row is not None and row.people_list == ["สมชาย", "สมหญิง"]
    assert row.attendees == 2  # at least the names given
    again = services.set_attendance(
        event, library, attendees=2, people=["สมชาย", "สมหญิง"], acting_user=librarian
    )
    assert again is not None and again.pk == row.pk
    assert AuditEvent.objects.filter(verb=AuditVerb.ATTENDANCE_CHANGED).count() == 1
    services.set_attendance(event, library, role="speaker", attendees=3, acting_user=librarian)
    assert services.remove_attendance(event, library, acting_user=librarian)
    assert not Attendance.objects.exists()
    changes = AuditEvent.objects.filter(verb=AuditVerb.ATTENDANCE_CHANGED).order_by("pk")
    assert [c.data["new"] and c.data["new"]["role"] for c in changes] == [
        "participant",
        "speaker",
        None,
    ]
    with pytest.raises(ValidationError):
        services.set_attendance(event, library, role="guest", acting_user=librarian)


def test_outputs_file_or_link() -> None:
    event = EventFactory()
    minutes = services.add_output(
        event,
        kind="minutes",
        title="Minutes",
        upload=[b"%PDF-1.4 x"],
        name="m.pdf",
        acting_user=SYSTEM,
    )
    assert minutes.attachment is not None and minutes.attachment.institution == event.organiser
    link = services.add_output(
        event, kind="slides", title="Slides", url="https://example.org/s", acting_user=SYSTEM
    )
    assert link.attachment is None
    with pytest.raises(ValidationError):
        services.add_output(event, kind="minutes", title="Neither", acting_user=SYSTEM)
    with pytest.raises(ValidationError):  # photos are images only
        services.add_output(
            event,
            kind="photo",
            title="P",
            upload=[b"%PDF-1.4 x"],
            name="p.pdf",
            acting_user=SYSTEM,
        )
    assert Attachment.objects.count() == 1
    assert AuditEvent.objects.filter(verb=AuditVerb.EVENT_OUTPUT_ADDED).count() == 2
