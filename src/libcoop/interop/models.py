"""Harvesting member libraries over OAI-PMH 2.0: where each library's records come from
(``HarvestSource``), what each harvest did (``HarvestRun``) and which OAI identifier became
which local record (``HarvestedItem``, so a later deleted header can withdraw it).

Records themselves go through the catalog's ingest; a run's counts and per-record problems
live in its ``catalog.ImportJob``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from libcoop.catalog.models import ImportJob
from libcoop.network.models import Institution

#: Metadata formats the catalog's ingest can read: MARCXML (``MARC21slim``) only.
INGESTIBLE_PREFIXES = ("marc21", "marcxml", "MARC21")


class Schedule(models.TextChoices):
    MANUAL = "manual", _("Manual")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class HarvestSource(models.Model):
    """A member library's OAI-PMH endpoint (one per library)."""

    library = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="harvest_source"
    )
    base_url = models.URLField(max_length=500, help_text=_("OAI-PMH base URL (§3.1.1)"))
    set_spec = models.CharField(max_length=200, blank=True, help_text=_("setSpec; blank = all"))
    metadata_prefix = models.CharField(
        max_length=40, default="marc21", help_text=_("must be MARCXML (usually marc21)")
    )
    schedule = models.CharField(max_length=16, choices=Schedule.choices, default=Schedule.DAILY)
    enabled = models.BooleanField(default=True)
    last_datestamp = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("responseDate of the last complete harvest; the next harvest's 'from'"),
    )
    resume_token = models.TextField(
        blank=True, help_text=_("resumptionToken of an interrupted harvest")
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("harvest source")

    def __str__(self) -> str:
        return f"{self.library.code} ← {self.base_url}"

    def clean(self) -> None:
        if self.metadata_prefix not in INGESTIBLE_PREFIXES:
            raise ValidationError(
                {
                    "metadata_prefix": _(
                        "Only MARCXML can be loaded into the catalog (use marc21), not %(p)s."
                    )
                    % {"p": self.metadata_prefix}
                }
            )


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    INTERRUPTED = "interrupted", _("Interrupted (will resume)")
    FAILED = "failed", _("Failed")


class HarvestRun(models.Model):
    """One harvest of one source: its list requests, counts and outcome."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs")
    import_job = models.OneToOneField(
        ImportJob, on_delete=models.PROTECT, related_name="harvest_run"
    )
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    from_date = models.DateTimeField(null=True, blank=True, help_text=_("'from' sent"))
    until_date = models.DateTimeField(null=True, blank=True, help_text=_("'until' sent"))
    response_date = models.DateTimeField(
        null=True, blank=True, help_text=_("responseDate of the list's first page")
    )
    pages = models.IntegerField(default=0)
    records_seen = models.IntegerField(default=0)
    deleted_seen = models.IntegerField(default=0)
    retries = models.IntegerField(default=0)
    resumed = models.IntegerField(default=0, help_text=_("times continued after interruption"))
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = _("harvest run")

    def __str__(self) -> str:
        return f"{self.source.library.code} harvest {self.started:%Y-%m-%d %H:%M} ({self.status})"


class HarvestedItem(models.Model):
    """OAI identifier → the local id (001) its record was stored under."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="items")
    identifier = models.CharField(max_length=500)
    local_id = models.CharField(max_length=100)
    datestamp = models.CharField(max_length=32, blank=True)
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "identifier"], name="harvested_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.identifier} → {self.local_id}"
