"""The digital collection's records: items (qualified Dublin Core), their files, versions,
fixity checks and usage.

* An :class:`Item` belongs to the member library that deposited it. Its metadata is qualified
  Dublin Core (``dc.title``, ``dc.creator``, ``dc.contributor.advisor``,
  ``dc.description.abstract``, ``dc.subject``, ``dc.date.issued``, ``dc.type``,
  ``dc.language.iso``, ``dc.rights``,
  ``thesis.degree.*``), kept in columns where LibCoop filters or sorts on it and in ``extra``
  for the rest. Its life is the table in ``workflow.py`` (draft → submitted → approved →
  published; withdrawn with a reason that stays visible as a tombstone).
* Access is per item (``access``): open, network members, own institution, or embargoed until
  ``embargo_until`` and then ``access_after_embargo``. One rule reads it: ``access.py``.
* An :class:`ItemFile` is one stored file: content-addressed by SHA-256 (``storage.py``), so
  two deposits of the same bytes share one stored object. Its extracted or OCR'd text lives in
  :class:`FileText`, away from the rows lists read.
* Every edit of an item's metadata writes an :class:`ItemVersion` (the metadata as it was after
  the edit) besides its audit entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from libcoop.network.models import Institution


class ItemType(models.TextChoices):
    THESIS = "thesis", _("Thesis")
    RESEARCH_REPORT = "research_report", _("Research report")
    ARTICLE = "article", _("Article")
    LOCAL_INFORMATION = "local_information", _("Local information")
    ARCHIVAL_DOCUMENT = "archival_document", _("Archival document")


class DegreeLevel(models.TextChoices):
    NONE = "", _("Not a thesis")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORAL = "doctoral", _("Doctoral degree")


class Access(models.TextChoices):
    """Who may read an item's files (metadata of a published item is always public)."""

    OPEN = "open", _("Open to everyone")
    NETWORK = "network", _("Staff and patrons of member libraries")
    INSTITUTION = "institution", _("Own institution only")
    EMBARGO = "embargo", _("Embargoed until a date")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", "CC BY 4.0"
    CC_BY_SA = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC_BY_NC = "CC-BY-NC-4.0", "CC BY-NC 4.0"
    CC_BY_NC_ND = "CC-BY-NC-ND-4.0", "CC BY-NC-ND 4.0"
    CC0 = "CC0-1.0", "CC0 1.0"
    ALL_RIGHTS = "all-rights-reserved", _("All rights reserved")


class Item(models.Model):
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="repository_items",
        verbose_name=_("depositing library"),
    )
    item_type = models.CharField(_("type"), max_length=24, choices=ItemType.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ItemStatus.choices,
        default=ItemStatus.DRAFT,
        db_index=True,
    )
    # dc.title in the item's own language; dc.title.alternative, usually its translation
    title = models.CharField(_("title"), max_length=1000)
    title_alternative = models.CharField(
        _("title in the other language"), max_length=1000, blank=True
    )
    # dc.creator: ["Surname, Given names", ...] as written on the item
    creators = models.JSONField(_("authors"), default=list, blank=True)
    # dc.contributor.*: [{"name": "...", "role": "advisor"|"coadvisor"|"editor"|...}, ...]
    contributors = models.JSONField(_("contributors"), default=list, blank=True)
    abstract_th = models.TextField(_("abstract (Thai)"), blank=True)
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    keywords_th = models.JSONField(_("keywords (Thai)"), default=list, blank=True)
    keywords_en = models.JSONField(_("keywords (English)"), default=list, blank=True)
    # dc.language.iso: ISO 639-2 code (tha, eng, ...)
    language = models.CharField(_("language"), max_length=3, default="tha")
    # dc.date.issued: always stored in the Common Era; given in B.E. or C.E. on input
    year = models.PositiveSmallIntegerField(_("year issued (C.E.)"), db_index=True)
    issued = models.DateField(_("date issued"), null=True, blank=True)
    publisher = models.CharField(_("publisher"), max_length=500, blank=True)
    # thesis.degree.*
    degree_level = models.CharField(
        _("degree level"), max_length=16, choices=DegreeLevel.choices, blank=True, default=""
    )
    degree_name = models.CharField(_("degree name"), max_length=300, blank=True)
    discipline = models.CharField(_("discipline"), max_length=300, blank=True, db_index=True)
    degree_grantor = models.CharField(_("degree grantor"), max_length=500, blank=True)
    # dc.rights and the licence
    rights = models.TextField(_("rights statement"), blank=True)
    licence = models.CharField(
        _("licence"), max_length=24, choices=Licence.choices, default=Licence.ALL_RIGHTS
    )
    # dc.identifier.*: {"isbn": [...], "doi": "...", "uri": [...]}
    identifiers = models.JSONField(_("identifiers"), default=dict, blank=True)
    # other qualified DC elements kept as given: {"dc.coverage.spatial": ["เชียงราย"], ...}
    extra = models.JSONField(_("other metadata"), default=dict, blank=True)

    access = models.CharField(
        _("access"), max_length=16, choices=Access.choices, default=Access.OPEN
    )
    embargo_until = models.DateField(_("embargoed until"), null=True, blank=True, db_index=True)
    access_after_embargo = models.CharField(
        _("access after the embargo"),
        max_length=16,
        choices=Access.choices,
        default=Access.OPEN,
    )
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)

    version = models.PositiveIntegerField(_("version"), default=1)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-year", "title", "pk"]
        indexes = [
            models.Index(fields=["status", "institution", "item_type"], name="repo_item_facets"),
            models.Index(fields=["updated", "id"], name="repo_item_oai"),
        ]
        verbose_name = _("digital collection item")

    def __str__(self) -> str:
        return self.title


class ItemVersion(models.Model):
    """The item's metadata as it stood after one edit (``number`` = ``Item.version`` then)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    metadata = models.JSONField()
    note = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="repo_version_unique")
        ]
        ordering = ["item", "-number"]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class TextStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for text extraction")
    EXTRACTED = "extracted", _("Text extracted")
    OCR_QUEUED = "ocr_queued", _("Waiting for OCR")
    OCR_DONE = "ocr_done", _("Text recognised by OCR")
    NO_TEXT = "no_text", _("No text (not a document)")
    OCR_UNAVAILABLE = "ocr_unavailable", _("No text layer; OCR is not installed")
    FAILED = "failed", _("Text could not be read")


class ItemFile(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="files")
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    # the kind sniffed from the bytes (core.attachments.KINDS names: pdf, png, docx, ...)
    kind = models.CharField(max_length=16)
    content_type = models.CharField(max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    label = models.CharField(_("label"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    pages = models.PositiveIntegerField(null=True, blank=True)
    text_status = models.CharField(
        max_length=16, choices=TextStatus.choices, default=TextStatus.PENDING, db_index=True
    )
    text_error = models.CharField(max_length=500, blank=True)
    # sha256 of the page-1 thumbnail (PNG) in the same store, "" when there is none
    thumbnail_sha256 = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return self.original_name


class FileText(models.Model):
    """The text of one file, normalised through ``textsearch`` (one string per page)."""

    file = models.OneToOneField(
        ItemFile, on_delete=models.CASCADE, related_name="text", primary_key=True
    )
    pages = models.JSONField(default=list)
    ocr = models.BooleanField(default=False)
    extracted = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"text of file {self.file_id}"


class FixityOutcome(models.TextChoices):
    OK = "ok", _("Unchanged")
    CHANGED = "changed", _("Changed")
    MISSING = "missing", _("Missing")


class FixityCheck(models.Model):
    file = models.ForeignKey(ItemFile, on_delete=models.CASCADE, related_name="fixity_checks")
    checked = models.DateTimeField(auto_now_add=True, db_index=True)
    outcome = models.CharField(max_length=8, choices=FixityOutcome.choices)
    found_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-checked", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.outcome} {self.checked:%Y-%m-%d}"


class UsageKind(models.TextChoices):
    VIEW = "view", _("View")
    DOWNLOAD = "download", _("Download")


class UsageEvent(models.Model):
    """One counted use (COUNTER-style: robots, double clicks and staff views never get here)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="usage")
    file = models.ForeignKey(
        ItemFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=UsageKind.choices)
    at = models.DateTimeField(db_index=True)
    # a hash of the session or of address + user agent, for the 30-second double-click rule
    client = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["item", "kind", "at"], name="repo_usage_item")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.item_id} at {self.at:%Y-%m-%d %H:%M}"
