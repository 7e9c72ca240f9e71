"""Outreach services: validation, one audit event per change, files through core.attachments."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.audit.services import history_of
from libcoop.core.dates import PartialDate
from libcoop.core.models import Attachment
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from libcoop.outreach import services
from libcoop.outreach.models import Activity, ActivityPhoto
from tests.factories import InstitutionFactory, staff
from tests.outreach.factories import ActivityFactory, ProgrammeFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def _date(text: str) -> PartialDate:
    value = PartialDate.parse(text)
    assert value is not None
    return value


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (3, 3), (200, 10, 10)).save(buf, format="PNG")
    return buf.getvalue()


def test_create_programme_and_activity_audited() -> None:
    library = InstitutionFactory()
    librarian = staff(StaffRole.LIBRARIAN, library)
    programme = services.create_programme(
        library, code="TEST-PRG", name_th="โครงการทดสอบ", start_year=2020, acting_user=librarian
    )
    school = SchoolFactory()
    activity = services.create_activity(
        programme,
        title_th="มุมสีเขียว",
        activity_type="green_corner",
        date=_date("2020-07"),
        schools=[school],
        pupils=30,
        materials_donated_th="หนังสือ 20 เล่ม",
        acting_user=librarian,
    )
    assert activity.precision == "month" and activity.date.isoformat() == "2020-07-01"
    assert activity.created_by == librarian
    created = history_of(activity).get()
    assert created.verb == AuditVerb.ACTIVITY_CREATED
    assert created.institution_code == library.code
    assert created.data["schools"] == [school.code] and created.data["pupils"] == 30
    assert history_of(programme).get().verb == AuditVerb.PROGRAMME_CREATED


def test_update_records_only_real_changes() -> None:
    activity = ActivityFactory(pupils=None)
    assert services.update_activity(activity, pupils=None, acting_user=SYSTEM) == {}
    assert not AuditEvent.objects.exists()
    diff = services.update_activity(
        activity, pupils=12, date=_date("2018-11-02"), acting_user=SYSTEM
    )
    assert diff == {"pupils": [None, 12], "date": ["2018", "2018-11-02"]}
    assert history_of(activity).get().data["changes"] == diff


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"activity_type": "party"}, "activity type"),
        ({"schools": "library"}, "not a school"),
        ({"title_th": "", "title_en": ""}, "title"),
        ({"colour": "green"}, "Cannot change"),
    ],
)
def test_update_validation(changes: dict[str, object], message: str) -> None:
    activity = ActivityFactory()
    if changes.get("schools") == "library":
        changes = {"schools": [InstitutionFactory()]}
    with pytest.raises(ValidationError) as exc:
        services.update_activity(activity, acting_user=SYSTEM, **changes)  # type: ignore[arg-type]
    assert message.lower() in " ".join(exc.value.messages).lower()
    assert not AuditEvent.objects.exists()


def test_photo_is_stored_for_the_uploaders_institution() -> None:
    school = SchoolFactory()
    activity = ActivityFactory(schools=[school])
    contact = staff(StaffRole.SCHOOL_CONTACT, school)
    photo = services.add_photo(activity, [_png()], name="../../etc/x.png", acting_user=contact)
    assert photo.attachment.institution == school  # the school's file, not the library's
    assert photo.attachment.original_name == "x.png"
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert verbs == {AuditVerb.ATTACHMENT_STORED, AuditVerb.ACTIVITY_PHOTO_ADDED}


def test_photo_refuses_documents() -> None:
    activity = ActivityFactory()
    with pytest.raises(ValidationError):
        services.add_photo(activity, [b"%PDF-1.7 minutes"], name="m.pdf", acting_user=SYSTEM)
    assert not Attachment.objects.exists() and not ActivityPhoto.objects.exists()


def test_remove_activity_removes_photos_and_files() -> None:
    activity = ActivityFactory()
    photo = services.add_photo(activity, [_png()], name="a.png", acting_user=SYSTEM)
    services.add_follow_up(activity, text="ok", acting_user=SYSTEM)
    services.remove_activity(activity, acting_user=SYSTEM)
    assert not Activity.objects.exists() and not Attachment.objects.filter(pk=photo.attachment_id)
    removed = AuditEvent.objects.get(verb=AuditVerb.ACTIVITY_REMOVED)
    assert removed.data["photos"] == 1 and removed.data["notes"] == 1


def test_follow_up_note_needs_text() -> None:
    with pytest.raises(ValidationError):
        services.add_follow_up(ActivityFactory(), text="   ", acting_user=SYSTEM)


def test_coordinator_of_a_parent_network_may_add() -> None:
    from tests.factories import NetworkFactory

    parent = NetworkFactory()
    child = NetworkFactory(parent=parent)
    programme = ProgrammeFactory(network=child)
    coordinator = staff(StaffRole.NETWORK_COORDINATOR, InstitutionFactory(), network=parent)
    services.create_activity(
        programme, title_en="x", activity_type="talk", date=_date("2025"), acting_user=coordinator
    )
    assert programme.activities.count() == 1


def test_a_coordinators_list_reaches_networks_at_any_depth() -> None:
    """The coordinator of a network may act on programmes of networks under it at any depth
    (``coordinator_of``); their "my activities" list shows those activities too."""
    from libcoop.outreach.access import my_activities
    from tests.factories import NetworkFactory

    top = NetworkFactory()
    grandchild = NetworkFactory(parent=NetworkFactory(parent=top))
    deep = ActivityFactory(programme=ProgrammeFactory(network=grandchild))
    elsewhere = ActivityFactory(programme=ProgrammeFactory(network=NetworkFactory()))
    coordinator = staff(StaffRole.NETWORK_COORDINATOR, InstitutionFactory(), network=top)
    listed = set(my_activities(coordinator))
    assert deep in listed and elsewhere not in listed
