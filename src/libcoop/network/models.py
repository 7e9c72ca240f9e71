"""Registry models. Changes go through :mod:`libcoop.network.services`, never direct saves."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from libcoop.core.bilingual import BilingualText, BilingualTextIn
from libcoop.core.dates import DatePrecision, precision_field
from libcoop.network.opac import validate_opac_template


class BilingualName(models.Model):
    name_th = models.CharField(_("name (Thai)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    name = BilingualText()
    name_in = BilingualTextIn()


class Province(models.Model):
    """A Thai province, keyed by its ISO 3166-2:TH code (e.g. TH-57 Chiang Rai)."""

    code = models.CharField(max_length=8, primary_key=True)
    name_th = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("province")

    def __str__(self) -> str:
        return self.name

    name = BilingualText()


class InstitutionKind(models.TextChoices):
    UNIVERSITY_LIBRARY = "university_library", _("University library")
    SCHOOL = "school", _("School")
    ASSOCIATION = "association", _("Association")
    GOVERNMENT_AGENCY = "government_agency", _("Government agency")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")


class Institution(BilingualName):
    """A library, school, association or agency that can join networks."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Short stable code, e.g. MFU-LIB. Upper-case letters, digits and hyphens."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=InstitutionKind.choices)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="units"
    )
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("province")
    )
    district_th = models.CharField(_("district (Thai)"), max_length=100, blank=True)
    district_en = models.CharField(_("district (English)"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    opac_url_template = models.CharField(
        _("OPAC link template"),
        max_length=500,
        blank=True,
        validators=[validate_opac_template],
        help_text=_(
            "The address of an item in the library's own catalogue, e.g. "
            "https://opac.example.ac.th/record={local_id}. Placeholders: {local_id} (the "
            "record's 001), {isbn}, {barcode}. Leave empty for no link."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_th="") | ~Q(name_en=""), name="institution_has_a_name"
            )
        ]

    district = BilingualText()


class NetworkKind(models.TextChoices):
    NETWORK = "network", _("Network")
    ASSOCIATION = "association", _("Association")
    PROJECT = "project", _("Project")
    PROGRAMME = "programme", _("Programme")


class Purpose(models.TextChoices):
    GREEN_LIBRARY = "green_library", _("Green library")
    KNOWLEDGE_EXCHANGE = "knowledge_exchange", _("Knowledge exchange")
    RESOURCE_SHARING = "resource_sharing", _("Resource sharing")
    INTERLIBRARY_LOAN = "interlibrary_loan", _("Interlibrary loan")
    UNION_CATALOG = "union_catalog", _("Union catalog")
    DIGITAL_COLLECTION = "digital_collection", _("Digital collection")
    ARCHIVES = "archives", _("Archives")
    PROFESSIONAL_DEVELOPMENT = "professional_development", _("Professional development")
    OUTREACH = "outreach", _("Outreach")


class Network(BilingualName):
    """A network, association, project or programme that institutions belong to."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=NetworkKind.choices)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("part of"),
    )
    host = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_networks",
        verbose_name=_("hosted by"),
    )
    website = models.URLField(_("website"), blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    description = BilingualText()

    @property
    def label(self) -> str:
        """The name, with the acronym where the name does not already carry it."""
        name = self.name
        if self.acronym and self.acronym not in name:
            return f"{name} ({self.acronym})"
        return name

    def ancestors(self) -> list[Network]:
        chain: list[Network] = []
        node = self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain

    def purpose_codes(self) -> list[str]:
        return sorted(p.purpose for p in self.purposes.all())


class NetworkPurpose(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="purposes")
    purpose = models.CharField(max_length=32, choices=Purpose.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "purpose"], name="network_purpose_once")
        ]

    def __str__(self) -> str:
        return self.get_purpose_display()


class WorkingGroupKind(models.TextChoices):
    COMMITTEE = "committee", _("Committee")
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")
    WORKING_GROUP = "working_group", _("Working group")


class WorkingGroup(BilingualName):
    """A committee or working group of one network (e.g. ThaiLIS's UCTAL working group)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="working_groups")
    code = models.CharField(_("code"), max_length=48, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=WorkingGroupKind.choices)
    description_th = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        ordering = ["network__code", "kind", "code"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")


class Term(models.Model):
    """A start and an optional end, each known to a year, a month or a day."""

    start = models.DateField(_("start"), null=True, blank=True)
    start_precision = precision_field(default=DatePrecision.YEAR)
    end = models.DateField(_("end"), null=True, blank=True)
    end_precision = precision_field(default=DatePrecision.YEAR)

    class Meta:
        abstract = True

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or datetime.date.today()
        return self.end is None or self.end >= on


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    COMMITTEE = "committee", _("Committee member")
    SECRETARIAT = "secretariat", _("Secretariat")
    CHAIR = "chair", _("Chair")
    FOUNDER = "founder", _("Founder")
    PARTNER = "partner", _("Partner")
    PARTICIPANT = "participant", _("Participant")


class Membership(Term):
    """An institution's membership of a network, since when and in what role."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="memberships"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices)
    note_th = models.CharField(max_length=500, blank=True)
    note_en = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["network__code", F("start").asc(nulls_last=True), "institution__code"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True)
                | Q(start__isnull=True)
                | Q(end__gte=models.F("start")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution.code} → {self.network.code} ({self.role})"

    note = BilingualText()


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice chair")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")


class Seat(Term):
    """A seat on a working group or committee, held by an institution (and maybe a person)."""

    working_group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="seats")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="seats")
    role = models.CharField(_("role"), max_length=16, choices=SeatRole.choices)
    person_th = models.CharField(_("person (Thai)"), max_length=200, blank=True)
    person_en = models.CharField(_("person (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["working_group__code", "institution__code"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True)
                | Q(start__isnull=True)
                | Q(end__gte=models.F("start")),
                name="seat_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution.code} on {self.working_group.code} ({self.role})"

    person = BilingualText()


class StaffRole(models.TextChoices):
    LIBRARY_ADMIN = "library_admin", _("Library administrator")
    LIBRARIAN = "librarian", _("Librarian")
    NETWORK_COORDINATOR = "network_coordinator", _("Network coordinator")
    ASSESSOR = "assessor", _("Assessor")
    # A teacher or officer of a partner school (an institution of kind school) in an outreach
    # programme: sees and reports on their own school's outreach activities only.
    SCHOOL_CONTACT = "school_contact", _("School contact")
    PATRON = "patron", _("Patron")


NETWORK_SCOPED_ROLES = (StaffRole.NETWORK_COORDINATOR, StaffRole.ASSESSOR)


class StaffProfile(models.Model):
    """Who a user acts for: an institution, a role, and for network roles the network."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(_("role"), max_length=24, choices=StaffRole.choices)
    network = models.ForeignKey(
        Network,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("The network a coordinator coordinates or an assessor assesses."),
    )

    class Meta:
        verbose_name = _("staff profile")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in NETWORK_SCOPED_ROLES], network__isnull=False)
                | (~Q(role__in=[r.value for r in NETWORK_SCOPED_ROLES]) & Q(network__isnull=True)),
                name="network_roles_name_their_network",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.institution.code}"
