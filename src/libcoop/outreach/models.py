"""Models of outreach programmes (e.g. ห้องสมุดพี่ช่วยน้อง) and their yearly activities.

Changes go through :mod:`libcoop.outreach.services`, never direct saves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from libcoop.core.bilingual import BilingualText, BilingualTextIn, pick
from libcoop.core.dates import DatePrecision, display_partial_date, precision_field
from libcoop.network.models import Institution, InstitutionKind, Network


class Programme(models.Model):
    """An outreach programme a library runs with partner schools."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Short stable code, e.g. MFU-BIGSIB. Upper-case letters, digits and hyphens."),
    )
    name_th = models.CharField(_("name (Thai)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    run_by = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="outreach_programmes",
        verbose_name=_("run by"),
    )
    network = models.ForeignKey(
        Network,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_programmes",
        verbose_name=_("network"),
    )
    objectives_th = models.TextField(_("objectives (Thai)"), blank=True)
    objectives_en = models.TextField(_("objectives (English)"), blank=True)
    start_year = models.PositiveIntegerField(_("since (year, CE)"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("outreach programme")
        verbose_name_plural = _("outreach programmes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_th="") | ~Q(name_en=""),
                name="programme_has_a_name",
                violation_error_message=_("Give the name in Thai, in English, or both."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/outreach/programmes/{self.code}/"

    name = BilingualText()
    name_in = BilingualTextIn()

    objectives = BilingualText()
    objectives_in = BilingualTextIn()


class ActivityType(models.TextChoices):
    GREEN_CORNER = "green_corner", _("Green corner")
    WASTE_SORTING = "waste_sorting", _("Waste-sorting lesson")
    UPCYCLING = "upcycling", _("Upcycling workshop")
    READING = "reading", _("Reading activity")
    TALK = "talk", _("Talk")
    SERVICE_OBJECTIVE = "service_objective", _("Objective of an academic service project")
    OTHER = "other", _("Other")


class Activity(models.Model):
    """One activity of a programme at one or more partner schools."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="activities", verbose_name=_("programme")
    )
    title_th = models.CharField(_("title (Thai)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    activity_type = models.CharField(
        _("activity type"), max_length=24, choices=ActivityType.choices
    )
    date = models.DateField(_("date"))
    precision = precision_field(_("date known to"), default=DatePrecision.DAY)
    schools = models.ManyToManyField(
        Institution,
        related_name="outreach_activities",
        blank=True,
        limit_choices_to={"kind": InstitutionKind.SCHOOL},
        verbose_name=_("schools"),
    )
    pupils = models.PositiveIntegerField(_("pupils"), null=True, blank=True)
    teachers = models.PositiveIntegerField(_("teachers"), null=True, blank=True)
    staff = models.PositiveIntegerField(_("library staff"), null=True, blank=True)
    materials_donated_th = models.TextField(_("materials donated (Thai)"), blank=True)
    materials_donated_en = models.TextField(_("materials donated (English)"), blank=True)
    objectives_th = models.TextField(_("objectives (Thai)"), blank=True)
    objectives_en = models.TextField(_("objectives (English)"), blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    outcomes_th = models.TextField(_("outcomes (Thai)"), blank=True)
    outcomes_en = models.TextField(_("outcomes (English)"), blank=True)
    follow_up_th = models.TextField(_("follow-up (Thai)"), blank=True)
    follow_up_en = models.TextField(_("follow-up (English)"), blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("outreach activity")
        verbose_name_plural = _("outreach activities")
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_th="") | ~Q(title_en=""),
                name="activity_has_a_title",
                violation_error_message=_("Give the title in Thai, in English, or both."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/outreach/activities/{self.pk}/"

    title = BilingualText()
    title_in = BilingualTextIn()

    def text(self, field: str, lang: str | None = None) -> str:
        """The Thai or English form of a bilingual text field (objectives, outcomes, …)."""
        return pick(getattr(self, f"{field}_th"), getattr(self, f"{field}_en"), lang)

    @property
    def objectives(self) -> str:
        return self.text("objectives")

    @property
    def description(self) -> str:
        return self.text("description")

    @property
    def outcomes(self) -> str:
        return self.text("outcomes")

    @property
    def follow_up(self) -> str:
        return self.text("follow_up")

    @property
    def materials_donated(self) -> str:
        return self.text("materials_donated")

    @property
    def when(self) -> str:
        """The date to the precision it is known, in the active language."""
        return display_partial_date(self.date, self.precision)


class ActivityPhoto(models.Model):
    """A photo of an activity (an image attachment) with a caption."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    attachment = models.ForeignKey("core.Attachment", on_delete=models.PROTECT, related_name="+")
    caption_th = models.CharField(_("caption (Thai)"), max_length=300, blank=True)
    caption_en = models.CharField(_("caption (English)"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity", "pk"]
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self) -> str:
        return self.caption or str(self.attachment)

    caption = BilingualText()


class FollowUpNote(models.Model):
    """A note a partner school's contact (or the library) adds after an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="notes")
    school = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The school the note speaks for; empty for a note of the library."),
    )
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity", "created", "pk"]
        verbose_name = _("follow-up note")
        verbose_name_plural = _("follow-up notes")

    def __str__(self) -> str:
        return self.text[:60]
