"""Models of network events: meetings, seminars, study visits and exchanges.

Changes go through :mod:`libcoop.events.services`, never direct saves.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from libcoop.core.bilingual import BilingualText, BilingualTextIn
from libcoop.core.dates import DatePrecision, display_partial_date, precision_field
from libcoop.network.models import Institution, Network


class EventKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    SEMINAR = "seminar", _("Seminar")
    STUDY_VISIT = "study_visit", _("Study visit")
    EXCHANGE = "exchange", _("Knowledge exchange")
    TRAINING = "training", _("Training")
    WORKSHOP = "workshop", _("Workshop")
    OTHER = "other", _("Other")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


def _new_uid() -> str:
    return f"{uuid.uuid4()}@libcoop"


class Event(models.Model):
    """A network meeting, seminar, study visit or exchange.

    Historic events are often known only by year (``precision``); the start date is then the
    first day of that year and the event is shown and exported as the year only.
    """

    title_th = models.CharField(_("title (Thai)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    network = models.ForeignKey(
        Network,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("network"),
    )
    # Empty only for historic events whose organiser no source names; such an event belongs
    # to a network (a constraint), whose coordinator looks after it.
    organiser = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organised_events",
        verbose_name=_("organiser"),
    )
    host = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_events",
        verbose_name=_("hosting institution"),
    )
    start_date = models.DateField(_("start date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    precision = precision_field(_("date known to"), default=DatePrecision.DAY)
    place_th = models.CharField(_("place (Thai)"), max_length=300, blank=True)
    place_en = models.CharField(_("place (English)"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    agenda_th = models.TextField(_("agenda (Thai)"), blank=True)
    agenda_en = models.TextField(_("agenda (English)"), blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Demo data not confirmed by a source."),
    )
    uid = models.CharField(max_length=100, unique=True, default=_new_uid, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_date", "start_time", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_th="") | ~Q(title_en=""),
                name="event_has_a_title",
                violation_error_message=_("Give the title in Thai, in English, or both."),
            ),
            models.CheckConstraint(
                condition=Q(organiser__isnull=False) | Q(network__isnull=False),
                name="event_has_an_organiser_or_network",
                violation_error_message=_("An event needs an organiser or a network."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="event_ends_after_start",
                violation_error_message=_("The last day is before the first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/events/{self.pk}/"

    title = BilingualText()
    title_in = BilingualTextIn()

    place = BilingualText()
    place_in = BilingualTextIn()

    agenda = BilingualText()

    description = BilingualText()

    @property
    def last_date(self) -> datetime.date:
        return self.end_date or self.start_date

    def is_upcoming(self, today: datetime.date | None = None) -> bool:
        return self.last_date >= (today or datetime.date.today())

    @property
    def when(self) -> str:
        """The date (and time) to the precision it is known, in the active language."""
        text = display_partial_date(self.start_date, self.precision)
        timed = self.precision == DatePrecision.DAY
        if timed and self.start_time:
            text += f" {self.start_time:%H:%M}"
        same_day = self.end_date in (None, self.start_date)
        if not same_day:
            text += " – " + display_partial_date(self.end_date, self.precision)
        if timed and self.end_time:
            text += f"–{self.end_time:%H:%M}" if same_day else f" {self.end_time:%H:%M}"
        return text


class AttendanceRole(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    HOST = "host", _("Host")
    PARTICIPANT = "participant", _("Participant")
    SPEAKER = "speaker", _("Speaker")


class Attendance(models.Model):
    """Who went from which institution: one row per event and institution."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="attendances"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=AttendanceRole.choices, default=AttendanceRole.PARTICIPANT
    )
    attendees = models.PositiveIntegerField(_("number of people"), default=0)
    people = models.TextField(_("names"), blank=True, help_text=_("One name per line."))
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "institution__code"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "institution"], name="attendance_once_per_institution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution.code} @ {self.event_id} ({self.role})"

    @property
    def people_list(self) -> list[str]:
        return [line.strip() for line in self.people.splitlines() if line.strip()]


class OutputKind(models.TextChoices):
    MINUTES = "minutes", _("Minutes")
    SLIDES = "slides", _("Slides")
    PHOTO = "photo", _("Photo")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class EventOutput(models.Model):
    """What came out of an event: minutes, slides, photos — a stored file or a link."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=16, choices=OutputKind.choices)
    title = models.CharField(_("title"), max_length=300)
    attachment = models.ForeignKey(
        "core.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(_("link"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "kind", "pk"]
        verbose_name = _("event output")
        verbose_name_plural = _("event outputs")
        constraints = [
            models.CheckConstraint(
                condition=Q(attachment__isnull=False) | ~Q(url=""),
                name="event_output_has_content",
                violation_error_message=_("Give either a file or a link."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class ReminderSent(models.Model):
    """One reminder e-mail sent for one event to one user; a second run skips it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    sent = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="reminder_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.email}"
