"""Union catalog models: member records, their holdings, clusters of the same work, and the
import jobs and match decisions that explain how they got there.

Changes go through :mod:`libcoop.catalog.ingest` and :mod:`libcoop.catalog.clustering`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from libcoop.network.models import Institution


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One file (or harvest batch) loaded for one library, with its counts and problems."""

    library = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="imports")
    source_name = models.CharField(max_length=300)
    kind = models.CharField(
        max_length=16, default="records", help_text=_("records, or deletes (a list of 001s)")
    )
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    bytes_total = models.BigIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    seen = models.IntegerField(default=0)
    added = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    deleted = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("import job")

    def __str__(self) -> str:
        return f"{self.library.code} {self.source_name} ({self.status})"

    @property
    def progress(self) -> int:
        if not self.bytes_total:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.bytes_done / self.bytes_total))


class ImportProblem(models.Model):
    """A record that could not be loaded: where it is in the file and why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    position = models.IntegerField(help_text=_("1-based record number in the file"))
    offset = models.BigIntegerField(help_text=_("byte offset (ISO 2709) or line (MARCXML)"))
    local_id = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=32)
    message = models.TextField()
    raw = models.BinaryField(blank=True, help_text=_("the record's bytes, kept for repair"))

    class Meta:
        ordering = ["job", "position"]

    def __str__(self) -> str:
        return f"#{self.position} {self.reason}"


class Cluster(models.Model):
    """One edition in the union catalog: the member records that describe it.

    The display fields are merged from the member records (``merged.refresh_clusters``);
    ``updated`` is the datestamp the OAI-PMH provider reports.  Clusters sharing a
    ``work_key`` are the editions of one work (``works``); their holdings stay apart.
    """

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)  # indexed with id: catalog_cluster_datestamp
    active = models.BooleanField(default=True, help_text=_("False once no active record is left"))
    title = models.TextField(blank=True)
    title_sort = models.CharField(max_length=300, blank=True)
    author = models.CharField(max_length=300, blank=True)
    year = models.IntegerField(null=True, blank=True, db_index=True)
    format = models.CharField(max_length=16, blank=True, db_index=True)
    language = models.CharField(max_length=3, blank=True, db_index=True)
    isbn = models.CharField(max_length=13, blank=True)
    record_count = models.IntegerField(default=0)
    library_count = models.IntegerField(default=0, db_index=True)
    merged = models.JSONField(default=dict, blank=True)
    work_key = models.CharField(
        max_length=400,
        blank=True,
        db_index=True,
        help_text=_("normalised title and main author: clusters sharing it are one work"),
    )

    class Meta:
        verbose_name = _("cluster")
        # Covering for search: the filters and facets of a page's candidates read only this.
        indexes = [
            models.Index(
                fields=["id", "active", "format", "language", "year"], name="catalog_cluster_facts"
            ),
            # The OAI-PMH list order: a page is an index range after the token's key.
            models.Index(fields=["updated", "id"], name="catalog_cluster_datestamp"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title[:60]}"


class BibRecord(models.Model):
    """A member library's MARC record, raw bytes kept losslessly beside the parsed form."""

    library = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="records")
    local_id = models.CharField(max_length=100, help_text=_("001 in the library's system"))
    active = models.BooleanField(default=True, help_text=_("False when withdrawn (deleted)"))
    raw = models.BinaryField(help_text=_("the record exactly as received"))
    raw_format = models.CharField(max_length=16)  # iso2709 | marcxml
    source_encoding = models.CharField(max_length=40)
    checksum = models.CharField(max_length=64)
    marc = models.JSONField(help_text=_("parsed record, MARC-in-JSON, UTF-8"))
    warnings = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(
        default=False, help_text=_("salvaged: damage replaced, for the library to fix")
    )
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)
    # Facts used for matching and display (from facts.extract_facts).
    format = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=3, blank=True)
    title = models.TextField(blank=True)
    title_key = models.CharField(max_length=300, blank=True)
    author = models.CharField(max_length=300, blank=True)
    author_key = models.CharField(max_length=200, blank=True)
    year = models.IntegerField(null=True, blank=True)
    pages = models.IntegerField(null=True, blank=True)
    isbns = models.JSONField(default=list, blank=True)
    issns = models.JSONField(default=list, blank=True)
    other_ids = models.JSONField(default=list, blank=True, help_text=_('e.g. "oclc:123"'))
    subjects = models.JSONField(default=list, blank=True)
    field_count = models.IntegerField(default=0, help_text=_("how full the record is"))

    class Meta:
        verbose_name = _("bibliographic record")
        constraints = [
            models.UniqueConstraint(fields=["library", "local_id"], name="one_record_per_local_id")
        ]
        # Covering for search: a page's facets and "held by" read (cluster, library, active)
        # of its candidates from the index alone.
        indexes = [
            models.Index(fields=["cluster", "library", "active"]),
            # The library's "needs attention" list: only flagged rows are in this index.
            models.Index(
                fields=["library", "local_id"],
                condition=models.Q(flagged=True),
                name="catalog_record_flagged",
            ),
            # An import job's flagged count (its page polls it while the job runs).
            models.Index(
                fields=["job"],
                condition=models.Q(flagged=True),
                name="catalog_record_flagged_job",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.library.code}:{self.local_id}"


class MatchKey(models.Model):
    """A blocking key of an active record: only records sharing a key are compared."""

    record = models.ForeignKey(BibRecord, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["key"])]

    def __str__(self) -> str:
        return self.key


class Holding(models.Model):
    """A library's copy (item or holding statement) of a record (from 852 / 949)."""

    record = models.ForeignKey(BibRecord, on_delete=models.CASCADE, related_name="holdings")
    library = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="holdings")
    location = models.CharField(max_length=200, blank=True)
    call_number = models.CharField(max_length=200, blank=True)
    barcode = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("holding")

    def __str__(self) -> str:
        return f"{self.library.code} {self.call_number}"


class MatchDecision(models.Model):
    """Why a record is in its cluster: the rule, the key and the scores (or a staff choice)."""

    record = models.ForeignKey(BibRecord, on_delete=models.CASCADE, related_name="decisions")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="decisions")
    matched_record = models.ForeignKey(
        BibRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField(max_length=40)
    key = models.CharField(max_length=200, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.record_id} → {self.cluster_id} ({self.rule})"


class OverrideKind(models.TextChoices):
    KEEP_APART = "apart", _("Keep apart")
    KEEP_TOGETHER = "together", _("Keep together")


class ClusterOverride(models.Model):
    """A staff decision about two records that automatic matching must respect forever.

    Splitting record A out of a cluster stores "apart" for A and each other member; merging
    two clusters stores "together" for one record of each. Re-imports and re-matching read
    these before any rule.
    """

    kind = models.CharField(max_length=16, choices=OverrideKind.choices)
    record_a = models.ForeignKey(BibRecord, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(BibRecord, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        indexes = [models.Index(fields=["record_a"]), models.Index(fields=["record_b"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_a_id}/{self.record_b_id}"
