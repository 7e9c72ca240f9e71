"""Event services: every change to events, attendance and outputs.

Each function takes ``acting_user`` (keyword-only), checks a named ability, runs in one
transaction and writes one audit event, so pages, the API, the CLI and the demo loader share
the same rules. Reminder e-mails are in :mod:`libcoop.events.reminders`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import apply_changes, record, user_of
from libcoop.core import attachments
from libcoop.core.dates import DatePrecision
from libcoop.events.models import (
    Attendance,
    AttendanceRole,
    Event,
    EventKind,
    EventOutput,
    EventStatus,
    OutputKind,
)
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution, Network

EVENT_EDITABLE = (
    "title_th",
    "title_en",
    "kind",
    "network",
    "organiser",
    "host",
    "start_date",
    "start_time",
    "end_date",
    "end_time",
    "precision",
    "place_th",
    "place_en",
    "online_url",
    "agenda_th",
    "agenda_en",
    "description_th",
    "description_en",
    "status",
    "illustrative",
)


def _institution_code(event: Event) -> str:
    if event.organiser is not None:
        return event.organiser.code
    return ""


def _check(event: Event) -> None:
    if event.kind not in EventKind.values:
        raise ValidationError(f"Unknown event kind: {event.kind!r}")
    if event.precision != DatePrecision.DAY and (event.start_time or event.end_time):
        raise ValidationError("A time needs a date known to the day.")
    if event.organiser is None and event.network is None:
        raise ValidationError("An event needs an organiser or a network.")
    event.full_clean()


@transaction.atomic
def create_event(
    *,
    title_th: str = "",
    title_en: str = "",
    kind: str,
    organiser: Institution | None,
    network: Network | None = None,
    start_date: datetime.date,
    uid: str | None = None,
    acting_user: Actor,
    **details: Any,
) -> Event:
    """Create an event; *details* are the other editable fields (host, times, place, …).

    *uid* is the iCalendar UID to keep (an event imported from another calendar, demo data);
    by default a new one is made.
    """
    unknown = set(details) - set(EVENT_EDITABLE)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    event = Event(
        title_th=title_th,
        title_en=title_en,
        kind=kind,
        organiser=organiser,
        network=network,
        start_date=start_date,
        created_by=user_of(acting_user),
        **details,
    )
    if uid:
        event.uid = uid
    require(acting_user, "events.create", event)
    require(acting_user, "events.name_host", event)
    require(acting_user, "events.place_in_network", event)
    _check(event)
    event.save()
    record(
        AuditVerb.EVENT_CREATED,
        event,
        acting_user=acting_user,
        institution_code=_institution_code(event),
        network=network.code if network else None,
        kind=kind,
        start=start_date.isoformat(),
        precision=event.precision,
    )
    return event


@transaction.atomic
def update_event(event: Event, *, acting_user: Actor, **changes: Any) -> dict[str, list[Any]]:
    """Change an event; returns the changed fields as [old, new].

    Setting ``status`` to cancelled records EVENT_CANCELLED instead of EVENT_CHANGED. The
    acting user must be allowed to edit the event both before and after the change (nobody
    hands an event to an organiser they do not act for).
    """
    require(acting_user, "events.edit", event)
    diff = apply_changes(event, changes, EVENT_EDITABLE)
    if not diff:
        return diff
    require(acting_user, "events.edit", event)
    if "host" in diff or "organiser" in diff:
        require(acting_user, "events.name_host", event)
    if "network" in diff or "organiser" in diff:
        require(acting_user, "events.place_in_network", event)
    _check(event)
    event.save()
    cancelled = diff.get("status", [None, None])[1] == EventStatus.CANCELLED
    record(
        AuditVerb.EVENT_CANCELLED if cancelled else AuditVerb.EVENT_CHANGED,
        event,
        acting_user=acting_user,
        institution_code=_institution_code(event),
        changes=diff,
    )
    return diff


def cancel_event(event: Event, *, acting_user: Actor) -> dict[str, list[Any]]:
    return update_event(event, acting_user=acting_user, status=EventStatus.CANCELLED)


def _people(people: str | Iterable[str]) -> str:
    lines = people.splitlines() if isinstance(people, str) else list(people)
    return "\n".join(line.strip() for line in lines if line.strip())


@transaction.atomic
def set_attendance(
    event: Event,
    institution: Institution,
    *,
    role: str = AttendanceRole.PARTICIPANT,
    attendees: int = 0,
    people: str | Iterable[str] = "",
    acting_user: Actor,
) -> Attendance | None:
    """Record who went from *institution* (its own staff only).

    *people* are names, one per line; the number of people is at least the number of names.
    """
    attendance = Attendance.objects.filter(event=event, institution=institution).first()
    probe = attendance or Attendance(event=event, institution=institution)
    require(acting_user, "events.record_attendance", probe)
    if role not in AttendanceRole.values:
        raise ValidationError(f"Unknown attendance role: {role!r}")
    if attendees < 0:
        raise ValidationError("The number of people cannot be negative.")
    names = _people(people)
    attendees = max(attendees, len(names.splitlines()) if names else 0)
    old = (
        {"role": attendance.role, "attendees": attendance.attendees, "people": attendance.people}
        if attendance
        else None
    )
    new = {"role": role, "attendees": attendees, "people": names}
    if old == new:
        return attendance
    if attendance is None:
        attendance = Attendance(event=event, institution=institution, **new)
    else:
        for field, value in new.items():
            setattr(attendance, field, value)
    attendance.full_clean()  # e.g. a number of people larger than the column holds
    attendance.save()
    record(
        AuditVerb.ATTENDANCE_CHANGED,
        event,
        acting_user=acting_user,
        institution_code=institution.code,
        institution=institution.code,
        old=old,
        new=new,
    )
    return attendance


@transaction.atomic
def remove_attendance(event: Event, institution: Institution, *, acting_user: Actor) -> bool:
    """Withdraw *institution*'s attendance record; False when there was none."""
    attendance = Attendance.objects.filter(event=event, institution=institution).first()
    if attendance is None:
        require(
            acting_user,
            "events.record_attendance",
            Attendance(event=event, institution=institution),
        )
        return False
    require(acting_user, "events.record_attendance", attendance)
    old = {"role": attendance.role, "attendees": attendance.attendees, "people": attendance.people}
    attendance.delete()
    record(
        AuditVerb.ATTENDANCE_CHANGED,
        event,
        acting_user=acting_user,
        institution_code=institution.code,
        institution=institution.code,
        old=old,
        new=None,
    )
    return True


@transaction.atomic
def add_output(
    event: Event,
    *,
    kind: str,
    title: str,
    upload: IO[bytes] | Iterable[bytes] | None = None,
    name: str = "",
    url: str = "",
    acting_user: Actor,
) -> EventOutput:
    """Attach minutes, slides, a photo, a report (a stored file) or a link to *event*."""
    require(acting_user, "events.add_output", event)
    if kind not in OutputKind.values:
        raise ValidationError(f"Unknown output kind: {kind!r}")
    if not title.strip():
        raise ValidationError("Give the output a title.")
    if (upload is None) == (not url):
        raise ValidationError("Give either a file or a link.")
    attachment = None
    if upload is not None:
        owner = event.organiser or event.host
        if owner is None:
            raise ValidationError("Files are kept for an institution; this event has none.")
        allowed = attachments.IMAGES if kind == OutputKind.PHOTO else attachments.ANY
        attachment = attachments.store_upload(
            upload, name=name, acting_user=acting_user, institution=owner, allowed=allowed
        )
    output = EventOutput(
        event=event,
        kind=kind,
        title=title.strip(),
        attachment=attachment,
        url=url,
        added_by=user_of(acting_user),
    )
    output.full_clean()
    output.save()
    record(
        AuditVerb.EVENT_OUTPUT_ADDED,
        event,
        acting_user=acting_user,
        institution_code=_institution_code(event),
        output=output.pk,
        kind=kind,
        title=output.title,
        file=attachment.original_name if attachment else None,
        url=url or None,
    )
    return output
