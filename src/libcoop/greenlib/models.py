"""Models of green-library assessment.

A *standard* (its categories and criteria) is data loaded from a YAML file
(:mod:`libcoop.greenlib.standard`); a library's yearly *assessment* answers its criteria with
narratives and evidence, and an assessor of the issuing network scores them
(:mod:`libcoop.greenlib.workflow`). Environmental figures are monthly meter readings.
Changes go through :mod:`libcoop.greenlib.services`, never direct saves.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from libcoop.core.bilingual import BilingualText, BilingualTextIn, pick
from libcoop.network.models import Institution, Network

AUDIT_METHOD_LABELS = {
    "interview": _("Interview"),
    "documents": _("Document review"),
    "onsite": _("On-site evidence"),
}


def _lang() -> str:
    return (get_language() or "th")[:2]


def source_links(sources: list[dict[str, str]]) -> list[tuple[str, str, bool]]:
    """(url or text, fact in the page's language, is a web address) for each source of a fact;
    a Thai page shows the English fact only where the data file has no Thai one."""
    thai = (get_language() or "th")[:2] == "th"
    return [
        (
            s.get("url", ""),
            (s.get("fact_th") if thai else None) or s.get("fact", ""),
            s.get("url", "").startswith(("http://", "https://")),
        )
        for s in sources
    ]


class FactStatus(models.TextChoices):
    """How sure the data file is of a fact (the tags of ``standard-notes.md``)."""

    CONFIRMED = "confirmed", _("Confirmed by a published source")
    DERIVED = "derived", _("Derived from confirmed facts")
    UNCONFIRMED = "unconfirmed", _("Not yet confirmed")


class Wording(models.TextChoices):
    VERBATIM = "verbatim", _("Word for word")
    PARAPHRASE = "paraphrase", _("Paraphrase of the source")


class Standard(models.Model):
    """One loaded version of an assessment standard (e.g. TLA-2558 version 1)."""

    code = models.CharField(_("code"), max_length=32)
    version = models.PositiveIntegerField(
        _("version"),
        help_text=_(
            "A new version is made when an edited file is loaded while assessments use the "
            "last one."
        ),
    )
    title_th = models.CharField(_("title (Thai)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    issuer = models.ForeignKey(
        Network,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standards",
        verbose_name=_("issuing network"),
        help_text=_("Its assessors score assessments under this standard."),
    )
    effective_year = models.PositiveSmallIntegerField(_("effective from (CE)"), null=True)
    total_points = models.DecimalField(
        _("total points"), null=True, blank=True, max_digits=6, decimal_places=2
    )
    total_points_status = models.CharField(
        max_length=12, choices=FactStatus.choices, default=FactStatus.UNCONFIRMED
    )
    description_th = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)
    source_name = models.CharField(max_length=200, blank=True)
    source_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(_("loaded"))

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("assessment standard")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="standard_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    title = BilingualText()
    title_in = BilingualTextIn()

    def source_links(self) -> list[tuple[str, str, bool]]:
        return source_links(self.sources)

    description = BilingualText()


class StandardPart(models.Model):
    """What a category and a criterion of a standard both carry: the requirement, points and
    their audit-method split, the Green Office reference, a note and the sources. Subclasses
    define ``title_th`` / ``title_en``."""

    requirement_th = models.TextField(blank=True)
    requirement_en = models.TextField(blank=True)
    requirement_wording = models.CharField(
        max_length=12, choices=Wording.choices, default=Wording.PARAPHRASE
    )
    max_points = models.DecimalField(null=True, blank=True, max_digits=6, decimal_places=2)
    points_status = models.CharField(
        max_length=12, choices=FactStatus.choices, default=FactStatus.UNCONFIRMED
    )
    interview_points = models.DecimalField(null=True, blank=True, max_digits=6, decimal_places=2)
    document_points = models.DecimalField(null=True, blank=True, max_digits=6, decimal_places=2)
    onsite_points = models.DecimalField(null=True, blank=True, max_digits=6, decimal_places=2)
    go_ref = models.CharField(max_length=32, blank=True)
    note_th = models.TextField(blank=True)
    note_en = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)

    title_th: models.CharField[str, str]
    title_en: models.CharField[str, str]

    class Meta:
        abstract = True

    title = BilingualText()
    title_in = BilingualTextIn()

    def source_links(self) -> list[tuple[str, str, bool]]:
        return source_links(self.sources)

    requirement_in = BilingualTextIn()

    @property
    def requirement(self) -> str:
        return self.requirement_in(_lang())

    note = BilingualText()


class Category(StandardPart):
    """A หมวด of a standard: its number, title, requirement and points."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="categories")
    number = models.CharField(_("number"), max_length=8)
    position = models.PositiveSmallIntegerField(default=0)
    title_th = models.CharField(max_length=300, blank=True)
    title_en = models.CharField(max_length=300, blank=True)
    title_status = models.CharField(
        max_length=12, choices=FactStatus.choices, default=FactStatus.UNCONFIRMED
    )
    # [{"method": "interview|documents|onsite", "points": 5, "th": "...", "en": "..."}]
    audit_items = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["standard", "position"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="category_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code} {self.number}"

    def audit_lines(self) -> list[tuple[str, str | None, str]]:
        """(method, points, text) of the audit method, in the active language."""
        return [
            (
                str(AUDIT_METHOD_LABELS.get(i.get("method", ""), i.get("method", ""))),
                i.get("points"),
                pick(i.get("th", ""), i.get("en", "")),
            )
            for i in self.audit_items
        ]


class CriterionLevel(models.TextChoices):
    ITEM = "item", _("Item")  # แนวทางเชิงปฏิบัติ ข้อ (TLA-2558)
    GROUP = "group", _("Group of items")  # e.g. new building / old building in category 2
    ISSUE = "issue", _("Issue")  # ประเด็น (GL-2566)
    INDICATOR = "indicator", _("Indicator")  # ตัวชี้วัด (GL-2566)


class Criterion(StandardPart):
    """An item, issue or indicator of a category; leaves are what a library answers."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="criteria")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=32)
    level = models.CharField(max_length=12, choices=CriterionLevel.choices)
    position = models.PositiveIntegerField(default=0)
    assessable = models.BooleanField(
        default=True, help_text=_("A leaf of the tree: libraries answer and assessors score it.")
    )
    title_th = models.CharField(max_length=500, blank=True)
    title_en = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=12, choices=FactStatus.choices, default=FactStatus.CONFIRMED
    )
    # [{"th": "...", "en": "...", "status": "confirmed"}] — the evidence the criterion asks for
    evidence_items = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["standard", "position"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="criterion_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code} {self.code}"

    def evidence_in(self, lang: str) -> list[str]:
        return [pick(e.get("th", ""), e.get("en", ""), lang) for e in self.evidence_items]

    @property
    def evidence(self) -> list[tuple[str, str, str | None]]:
        """(text, status, points) of each evidence item, in the active language."""
        lang = _lang()
        return [
            (pick(e.get("th", ""), e.get("en", ""), lang), e.get("status", ""), e.get("points"))
            for e in self.evidence_items
        ]

    @property
    def depth(self) -> int:
        return self.code.count(".")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")


class Assessment(models.Model):
    """A library's self-assessment for one year under one standard version."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="green_assessments"
    )
    year = models.PositiveSmallIntegerField(
        _("year (CE)"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    note_th = models.TextField(blank=True, help_text=_("Where the content comes from."))
    note_en = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution__code", "-year"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="assessment_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.institution.code} {self.year} ({self.standard.code})"

    note = BilingualText()


class SelfStatus(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "na", _("Not applicable")


class CriterionResponse(models.Model):
    """The library's answer to one criterion: what it did, and how it judges itself."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="responses")
    narrative_th = models.TextField(blank=True)
    narrative_en = models.TextField(blank=True)
    self_status = models.CharField(max_length=8, choices=SelfStatus.choices, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_response_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.criterion.code}"

    narrative_in = BilingualTextIn()

    @property
    def narrative(self) -> str:
        return self.narrative_in(_lang())

    def current_score(self) -> Score | None:
        scores = list(self.scores.all())
        return max(scores, key=lambda s: (s.created, s.pk)) if scores else None


class EvidenceKind(models.TextChoices):
    MEMBERSHIP = "membership", _("Network membership")
    SEAT = "seat", _("Seat on a committee or working group")
    EVENT = "event", _("Event")
    OUTREACH = "outreach", _("Outreach activity")
    ARTICLE = "article", _("Knowledge article")


class EvidenceLink(models.Model):
    """A record elsewhere in LibCoop offered as evidence (checked to be the library's own)."""

    response = models.ForeignKey(CriterionResponse, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=12, choices=EvidenceKind.choices)
    object_id = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "object_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "kind", "object_id"], name="evidence_link_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class EvidenceFile(models.Model):
    response = models.ForeignKey(CriterionResponse, on_delete=models.CASCADE, related_name="files")
    attachment = models.OneToOneField(
        "core.Attachment", on_delete=models.PROTECT, related_name="green_evidence"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return str(self.attachment)


class Score(models.Model):
    """An assessor's score of one response; the newest one counts, older ones are history."""

    response = models.ForeignKey(CriterionResponse, on_delete=models.CASCADE, related_name="scores")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    points = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    comment = models.TextField(blank=True)
    illustrative = models.BooleanField(
        default=False, help_text=_("Demo data: not a real assessor's judgement.")
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.response}: {self.points}"


class EnvMetric(models.TextChoices):
    ELECTRICITY_KWH = "electricity_kwh", _("Electricity (kWh)")
    WATER_M3 = "water_m3", _("Water (m³)")
    FUEL_L = "fuel_l", _("Fuel (litres)")
    PAPER_REAMS = "paper_reams", _("Paper (reams)")
    PAPER_KG = "paper_kg", _("Paper (kg)")
    WASTE_GENERAL_KG = "waste_general_kg", _("General waste (kg)")
    WASTE_RECYCLABLE_KG = "waste_recyclable_kg", _("Recyclable waste (kg)")
    WASTE_ORGANIC_KG = "waste_organic_kg", _("Organic waste (kg)")
    WASTE_HAZARDOUS_KG = "waste_hazardous_kg", _("Hazardous waste (kg)")


class EnvFigure(models.Model):
    """One month's reading of one metric for a library."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="env_figures"
    )
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    metric = models.CharField(max_length=24, choices=EnvMetric.choices)
    value = models.DecimalField(max_digits=14, decimal_places=3)
    illustrative = models.BooleanField(default=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution", "metric", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "month", "metric"], name="env_figure_once"
            ),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="env_month"),
            models.CheckConstraint(condition=Q(value__gte=0), name="env_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.institution.code} {self.year}-{self.month:02d} {self.metric}={self.value}"
