"""``libcoop events remind``: who gets a reminder, once per event and person (locmem mail)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.core.dates import DatePrecision
from libcoop.events import services
from libcoop.events.models import EventStatus, ReminderSent
from libcoop.events.reminders import send_reminders
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.events.factories import EventFactory
from tests.factories import InstitutionFactory, staff

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 1, 10)


def _world() -> dict[str, object]:
    organiser, attending, absent = InstitutionFactory(), InstitutionFactory(), InstitutionFactory()
    event = EventFactory(
        organiser=organiser, start_date=TODAY + datetime.timedelta(days=5), title_en="Soon"
    )
    services.set_attendance(event, attending, attendees=2, acting_user=SYSTEM)
    people = {
        "org_admin": staff(StaffRole.LIBRARY_ADMIN, organiser, email="admin@org.example"),
        "attending_librarian": staff(StaffRole.LIBRARIAN, attending, email="lib@att.example"),
        "no_email": staff(StaffRole.LIBRARIAN, attending, email=""),
        "patron": staff(StaffRole.PATRON, attending, email="patron@att.example"),
        "absent": staff(StaffRole.LIBRARIAN, absent, email="lib@absent.example"),
    }
    return {"event": event, **people}


def _run(capture: object, **kwargs: object) -> list[str]:
    with capture(execute=True):  # type: ignore[operator]
        run = send_reminders(today=TODAY, acting_user=SYSTEM, **kwargs)  # type: ignore[arg-type]
    return sorted(address for _, address in run.sent)


def test_reminds_organiser_and_attending_staff_once(
    django_capture_on_commit_callbacks: object,
) -> None:
    world = _world()
    assert _run(django_capture_on_commit_callbacks) == ["admin@org.example", "lib@att.example"]
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@org.example", "lib@att.example"]
    assert "Soon" in mail.outbox[0].body or "ประชุม" in mail.outbox[0].body
    link = f"http://127.0.0.1:8000/events/{world['event'].pk}/"  # type: ignore[attr-defined]
    assert link in mail.outbox[0].body  # absolute: LIBCOOP_SITE_URL's default
    audit = AuditEvent.objects.get(verb=AuditVerb.EVENT_REMINDER_SENT)
    assert sorted(audit.data["recipients"]) == sorted(
        [world["org_admin"].username, world["attending_librarian"].username]  # type: ignore[attr-defined]
    )
    # a second run sends nothing
    assert _run(django_capture_on_commit_callbacks) == []
    assert len(mail.outbox) == 2 and ReminderSent.objects.count() == 2
    assert AuditEvent.objects.filter(verb=AuditVerb.EVENT_REMINDER_SENT).count() == 1


def test_window_status_and_precision(django_capture_on_commit_callbacks: object) -> None:
    world = _world()
    organiser = world["event"].organiser  # type: ignore[attr-defined]
    EventFactory(organiser=organiser, start_date=TODAY + datetime.timedelta(days=9))
    EventFactory(organiser=organiser, start_date=TODAY - datetime.timedelta(days=1))
    EventFactory(organiser=organiser, start_date=TODAY, status=EventStatus.CANCELLED)
    EventFactory(
        organiser=organiser, start_date=datetime.date(2027, 1, 1), precision=DatePrecision.MONTH
    )
    assert _run(django_capture_on_commit_callbacks, days=3) == []
    assert len(_run(django_capture_on_commit_callbacks, days=10)) == 3  # 5 days: 2; 9 days: 1


def test_dry_run_sends_and_stores_nothing(django_capture_on_commit_callbacks: object) -> None:
    _world()
    assert len(_run(django_capture_on_commit_callbacks, dry_run=True)) == 2
    assert mail.outbox == [] and not ReminderSent.objects.exists()
    assert not AuditEvent.objects.filter(verb=AuditVerb.EVENT_REMINDER_SENT).exists()


def test_only_system_sends(django_capture_on_commit_callbacks: object) -> None:
    from django.core.exceptions import PermissionDenied

    user = staff(StaffRole.LIBRARY_ADMIN, InstitutionFactory())
    with pytest.raises(PermissionDenied):
        send_reminders(acting_user=user)


def test_cli(django_capture_on_commit_callbacks: object) -> None:
    _world()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        call_command("events", "remind", "--today", TODAY.isoformat(), "--dry-run", stdout=out)
    assert "would send 2 e-mails for 1 events" in out.getvalue() and mail.outbox == []
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        call_command("events", "remind", "--today", TODAY.isoformat(), "--days", "7", stdout=out)
    assert "sent 2 e-mails" in out.getvalue() and len(mail.outbox) == 2
    out = StringIO()
    call_command("events", "remind", "--today", TODAY.isoformat(), stdout=out)
    assert "sent 0 e-mails" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("events", "remind", "--days", "-1")
    with pytest.raises(CommandError):
        call_command("events", "remind", "--today", "tomorrow")


def test_a_title_with_a_line_break_still_makes_a_one_line_subject(
    django_capture_on_commit_callbacks: object,
) -> None:
    world = _world()
    event = world["event"]
    event.title_th = event.title_en = "ประชุม\nเครือข่าย\r\nBcc: x@evil.example"  # type: ignore[attr-defined]
    event.save()  # type: ignore[attr-defined]
    assert _run(django_capture_on_commit_callbacks) == ["admin@org.example", "lib@att.example"]
    subject = mail.outbox[0].subject
    assert "\n" not in subject and "\r" not in subject and "ประชุม เครือข่าย" in subject
    assert mail.outbox[0].message()["Bcc"] is None


def test_links_in_reminders_use_the_site_url(
    django_capture_on_commit_callbacks: object, settings: object
) -> None:
    settings.LIBCOOP_SITE_URL = "https://libcoop.example.ac.th/"  # type: ignore[attr-defined]
    world = _world()
    _run(django_capture_on_commit_callbacks)
    link = f"https://libcoop.example.ac.th/events/{world['event'].pk}/"  # type: ignore[attr-defined]
    assert all(link in m.body for m in mail.outbox) and len(mail.outbox) == 2
