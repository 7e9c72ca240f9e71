"""Reminder e-mails for upcoming events (``libcoop events remind``).

Who gets one: every active user with an e-mail address whose staff profile (library admin or
librarian) is at the organising institution or at an institution with an attendance record,
for planned events known to the day that start within the next *days* days. Each event and
user get at most one reminder: a :class:`~libcoop.events.models.ReminderSent` row is stored in
the same transaction as the audit event, and the mail goes out after commit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
from libcoop.core.dates import DatePrecision
from libcoop.events.models import Event, EventStatus, ReminderSent
from libcoop.network.abilities import Actor, require
from libcoop.network.models import StaffRole

DEFAULT_DAYS = 7
STAFF_ROLES = (StaffRole.LIBRARY_ADMIN, StaffRole.LIBRARIAN)


@dataclass
class ReminderRun:
    """What a run sent (or, in a dry run, would send): (event, e-mail address) pairs."""

    sent: list[tuple[Event, str]] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        events = len({e.pk for e, _ in self.sent})
        verb = "would send" if self.dry_run else "sent"
        return f"Reminders: {verb} {len(self.sent)} e-mails for {events} events"


def due_events(today: datetime.date, days: int) -> list[Event]:
    """Planned events known to the day that start between *today* and *today* + *days*."""
    return list(
        Event.objects.filter(
            status=EventStatus.PLANNED,
            precision=DatePrecision.DAY,
            start_date__gte=today,
            start_date__lte=today + datetime.timedelta(days=days),
        )
        .select_related("network", "organiser", "host")
        .order_by("start_date", "pk")
    )


def recipients(event: Event) -> list[User]:
    """Staff of the organiser and of the attending institutions not yet reminded."""
    institutions = set(event.attendances.values_list("institution_id", flat=True))
    if event.organiser_id is not None:
        institutions.add(event.organiser_id)
    return list(
        User.objects.filter(
            is_active=True,
            staff_profile__institution_id__in=institutions,
            staff_profile__role__in=STAFF_ROLES,
        )
        .exclude(email="")
        .exclude(pk__in=event.reminders.values("user_id"))
        .order_by("pk")
    )


def _message(event: Event) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Reminder: %(title)s, %(when)s") % {"title": event.title, "when": event.when}
        site_url = str(settings.LIBCOOP_SITE_URL).rstrip("/")
        body = render_to_string("events/reminder_email.txt", {"event": event, "site_url": site_url})
    # A header is one line: a title typed with a line break must not break the mail.
    return " ".join(subject.split()), body


def send_reminders(
    *,
    days: int = DEFAULT_DAYS,
    dry_run: bool = False,
    today: datetime.date | None = None,
    acting_user: Actor,
) -> ReminderRun:
    """Send the reminders that are due; a second run the same day sends nothing."""
    require(acting_user, "events.send_reminders", None)
    today = today or datetime.date.today()
    run = ReminderRun(dry_run=dry_run)
    for event in due_events(today, days):
        users = recipients(event)
        if not users:
            continue
        if dry_run:
            run.sent.extend((event, u.email) for u in users)
            continue
        _send_for_event(event, users, acting_user=acting_user)
        run.sent.extend((event, u.email) for u in users)
    return run


@transaction.atomic
def _send_for_event(event: Event, users: list[User], *, acting_user: Actor) -> None:
    for user in users:
        ReminderSent.objects.create(event=event, user=user, email=user.email)
    record(
        AuditVerb.EVENT_REMINDER_SENT,
        event,
        acting_user=acting_user,
        institution_code=event.organiser.code if event.organiser else "",
        recipients=[u.get_username() for u in users],
    )
    subject, body = _message(event)
    addresses = [u.email for u in users]

    def deliver() -> None:
        for address in addresses:
            send_mail(subject, body, None, [address])

    transaction.on_commit(deliver)
