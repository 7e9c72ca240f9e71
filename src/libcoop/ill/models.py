"""Interlibrary loan: agencies, lending policies, the requester's and the supplier's side of a
request, the rota, and the ISO 18626 messages between them.

A member library is both a requester (its patrons borrow) and a supplier (it lends). Each side
has its own row and its own state machine (``workflow.py``), as in ISO 18626 and ReShare: the
two sides talk only through messages, so a LibCoop library talks to an outside ISO 18626 system
exactly as it talks to another member.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from libcoop.network.models import Institution, Network


class Agency(models.Model):
    """A party to ISO 18626: a member library (``institution`` set; messages to it are handled
    in this LibCoop) or an outside peer (``endpoint`` set; messages go over HTTP)."""

    id_type = models.CharField(_("agency id type"), max_length=32)
    id_value = models.CharField(_("agency id value"), max_length=64)
    institution = models.OneToOneField(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="ill_agency"
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    endpoint = models.URLField(_("ISO 18626 endpoint"), max_length=500, blank=True)
    version = models.CharField(_("ISO 18626 version"), max_length=8, default="2021-2")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_value"], name="ill_agency_unique_id")
        ]
        ordering = ["id_type", "id_value"]

    def __str__(self) -> str:
        return f"{self.id_type}:{self.id_value}"

    @property
    def local(self) -> bool:
        return self.institution_id is not None and not self.endpoint


class LendingPolicy(models.Model):
    """What a library lends and on what terms; edited by its own staff."""

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="lending_policy"
    )
    open_for_lending = models.BooleanField(_("open for lending"), default=True)
    loan_days = models.PositiveIntegerField(_("loan period (days)"), default=28)
    renewals = models.PositiveIntegerField(_("renewals allowed"), default=1)
    renewal_days = models.PositiveIntegerField(_("renewal period (days)"), default=14)
    # Catalog formats it lends (catalog's Cluster.format values); copies of articles always.
    lends_formats = models.JSONField(_("formats lent"), default=list, blank=True)
    supplies_copies = models.BooleanField(_("supplies copies"), default=True)
    copy_fee = models.DecimalField(
        _("fee per copy (THB)"), max_digits=8, decimal_places=2, default=0
    )
    copy_max_pages = models.PositiveIntegerField(_("most pages per copy"), default=50)
    # A scanned copy is a download link for the patron: for so many days, so many downloads.
    copy_link_days = models.PositiveIntegerField(_("days a copy's link works"), default=14)
    copy_downloads = models.PositiveIntegerField(_("downloads of a copy"), default=5)

    def __str__(self) -> str:
        return f"{self.institution.code}: {self.loan_days} days"


class RotaPolicy(models.Model):
    """How a network orders the lenders of a request: data, not code (``rota.CRITERIA``)."""

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="rota_policy")
    timeout_days = models.PositiveIntegerField(_("days a lender has to answer"), default=3)
    criteria = models.JSONField(
        _("order of criteria"), default=list, blank=True, help_text=_("e.g. load, turnaround")
    )

    def __str__(self) -> str:
        return f"{self.network.code}: {', '.join(self.criteria)}"


class ServiceType(models.TextChoices):
    LOAN = "Loan", _("Loan")
    COPY = "Copy", _("Copy (not returned)")


class RequesterState(models.TextChoices):
    NEW = "new", _("New")
    VALIDATED = "validated", _("Validated")
    SENT = "sent", _("Sent to a lender")
    EXPECTS_TO_SUPPLY = "expects_to_supply", _("Lender expects to supply")
    CONDITIONAL = "conditional", _("Lender offers conditions")
    SHIPPED = "shipped", _("Shipped by the lender")
    RECEIVED = "received", _("Received")
    CHECKED_OUT = "checked_out", _("Checked out to the patron")
    RENEW_REQUESTED = "renew_requested", _("Renewal requested")
    OVERDUE = "overdue", _("Overdue")
    RECALLED = "recalled", _("Recalled by the lender")
    RETURNED_BY_PATRON = "returned_by_patron", _("Returned by the patron")
    RETURN_SHIPPED = "return_shipped", _("Shipped back to the lender")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    UNFILLED = "unfilled", _("Unfilled")
    LOST = "lost", _("Lost")


class SupplierState(models.TextChoices):
    NEW = "new", _("New request")
    WILL_SUPPLY = "will_supply", _("Will supply")
    CONDITIONAL = "conditional", _("Conditions offered")
    AWAITING_PICK = "awaiting_pick", _("Awaiting pick")
    SHIPPED = "shipped", _("Shipped")
    CHECKED_IN = "checked_in", _("Checked in (returned)")
    COMPLETED = "completed", _("Completed")
    UNFILLED = "unfilled", _("Unfilled")
    CANCELLED = "cancelled", _("Cancelled")


class Citation(models.Model):
    """What is asked for: a catalog cluster, or a citation typed in (book or article)."""

    title = models.CharField(_("title"), max_length=500)
    author = models.CharField(_("author"), max_length=300, blank=True)
    journal = models.CharField(_("journal"), max_length=300, blank=True)
    article_title = models.CharField(_("article or chapter"), max_length=500, blank=True)
    volume = models.CharField(_("volume"), max_length=32, blank=True)
    issue = models.CharField(_("issue"), max_length=32, blank=True)
    pages = models.CharField(_("pages"), max_length=32, blank=True)
    year = models.CharField(_("year"), max_length=16, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=32, blank=True)
    issn = models.CharField(_("ISSN"), max_length=16, blank=True)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    service_type = models.CharField(
        _("service"), max_length=8, choices=ServiceType.choices, default=ServiceType.LOAN
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True


class PatronRequest(Citation):
    """The requester's side: a patron of *requester* wants an item another library holds."""

    requester = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="ill_borrowing"
    )
    # Our requestingAgencyRequestId: unique in this LibCoop and stable over the wire.
    request_id = models.CharField(max_length=64, unique=True)
    patron = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ill_requests",
    )
    patron_name = models.CharField(_("patron"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cluster_id = models.BigIntegerField(_("catalog cluster"), null=True, blank=True)
    pickup_location = models.CharField(_("pickup location"), max_length=200, blank=True)
    copyright_confirmed = models.BooleanField(_("copyright statement confirmed"), default=False)
    state = models.CharField(
        max_length=24, choices=RequesterState.choices, default=RequesterState.NEW
    )
    supplier = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supplier_request_id = models.CharField(max_length=64, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    renewals = models.PositiveIntegerField(default=0)
    # Where the patron downloads a copy the lender sent electronically (deliveryInfo itemId).
    copy_url = models.URLField(_("copy download link"), max_length=500, blank=True)
    due_soon_sent = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            # Statistics and the rota's load: a library's requests by time.
            models.Index(fields=["requester", "created"], name="ill_req_requester_created"),
            models.Index(fields=["state", "due_date"], name="ill_req_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.title[:60]}"


class RotaEntry(models.Model):
    """One lender in a request's rota, in order, with why it was chosen and what it answered."""

    class Outcome(models.TextChoices):
        WAITING = "waiting", _("Not asked yet")
        ASKED = "asked", _("Asked")
        SUPPLYING = "supplying", _("Supplying")
        UNFILLED = "unfilled", _("Answered unfilled")
        TIMED_OUT = "timed_out", _("Did not answer in time")
        SKIPPED = "skipped", _("Skipped")

    request = models.ForeignKey(PatronRequest, on_delete=models.CASCADE, related_name="rota")
    position = models.PositiveIntegerField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.JSONField(default=dict, blank=True)
    added_by_hand = models.BooleanField(default=False)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.WAITING)
    asked_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="ill_rota_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.agency_id} ({self.outcome})"


class SupplyRequest(Citation):
    """The supplier's side: a request that reached *lender* (from a member or a peer)."""

    lender = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="ill_lending")
    requesting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requesting_request_id = models.CharField(max_length=64)
    # Our supplyingAgencyRequestId.
    supply_id = models.CharField(max_length=64, unique=True)
    patron_name = models.CharField(_("patron"), max_length=200, blank=True)
    supplier_record_id = models.CharField(max_length=100, blank=True)
    state = models.CharField(
        max_length=24, choices=SupplierState.choices, default=SupplierState.NEW
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    renewals = models.PositiveIntegerField(default=0)
    reason_unfilled = models.CharField(max_length=100, blank=True)
    conditions = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lender", "requesting_agency", "requesting_request_id"],
                name="ill_supply_unique_request",
            )
        ]
        indexes = [
            models.Index(fields=["lender", "created"], name="ill_sup_lender_created"),
            models.Index(fields=["lender", "state"], name="ill_sup_lender_state"),
        ]

    def __str__(self) -> str:
        return f"{self.supply_id}: {self.title[:60]}"


class CopyFile(models.Model):
    """A scan the lender sends as a copy: a capability link that works until *expires* or until
    *downloads_left* reaches 0; then the file is deleted (``periodic.expire_copies``)."""

    supply = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE, related_name="copies")
    attachment = models.OneToOneField(
        "core.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    expires = models.DateTimeField()
    downloads_left = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"copy of {self.supply_id} until {self.expires:%Y-%m-%d}"


class Outgoing(models.Model):
    """An ISO 18626 message to send (outbox): kept until the peer confirms it, retried with
    back-off, visible to staff when it is not getting through."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Confirmed by the peer")
        ERROR = "error", _("Refused by the peer")
        FAILED = "failed", _("Not getting through")

    sender = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)  # request | supplyingAgencyMessage | …
    summary = models.CharField(max_length=200)  # e.g. "Loaned" or "ShippedReturn"
    payload = models.JSONField()  # the message, as messages.* fields
    request_id = models.CharField(max_length=64, db_index=True)  # requestingAgencyRequestId
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.summary} → {self.recipient}"
