"""Operations as data: the workers that are alive, and the periodic work with its schedule."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One running ``libcoop worker``; written every few seconds while it lives. A task whose
    worker stopped beating is handed to another worker (``ops.recovery``)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class RunStatus(models.TextChoices):
    NEVER = "never", _("Never run")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    OK = "ok", _("Succeeded")
    FAILED = "failed", _("Failed")


class Schedule(models.Model):
    """A periodic job (``ops.jobs``) and when it runs: every *every_minutes*, from *next_run*.
    The worker queues a due job and moves *next_run* on, so it runs once however many workers
    there are."""

    key = models.CharField(max_length=64, unique=True)
    every_minutes = models.PositiveIntegerField(_("every (minutes)"))
    enabled = models.BooleanField(_("enabled"), default=True)
    next_run = models.DateTimeField(_("next run"))
    last_started = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_status = models.CharField(
        _("last status"), max_length=16, choices=RunStatus.choices, default=RunStatus.NEVER
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_summary = models.CharField(_("last result"), max_length=500, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key
