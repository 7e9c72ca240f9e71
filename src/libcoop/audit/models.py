"""The audit log: who did what to which object, when, with the changed values."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditVerb(models.TextChoices):
    """Every action code LibCoop records, in one registry (namespaced like pretix's)."""

    # Translators: audit log action
    INSTITUTION_CREATED = "network.institution.created", _("Institution created")
    INSTITUTION_CHANGED = "network.institution.changed", _("Institution changed")
    NETWORK_CREATED = "network.network.created", _("Network created")
    NETWORK_CHANGED = "network.network.changed", _("Network changed")
    WORKING_GROUP_CREATED = "network.working_group.created", _("Working group created")
    WORKING_GROUP_CHANGED = "network.working_group.changed", _("Working group changed")
    MEMBERSHIP_ADDED = "network.membership.added", _("Membership added")
    MEMBERSHIP_CHANGED = "network.membership.changed", _("Membership changed")
    MEMBERSHIP_ENDED = "network.membership.ended", _("Membership ended")
    SEAT_ADDED = "network.seat.added", _("Seat on a working group added")
    SEAT_CHANGED = "network.seat.changed", _("Seat on a working group changed")
    SEAT_ENDED = "network.seat.ended", _("Seat on a working group ended")
    STAFF_CHANGED = "network.staff.changed", _("Staff role changed")
    TOKEN_CREATED = "core.api_token.created", _("API token created")
    CATALOG_IMPORTED = "catalog.import.finished", _("Records imported into the union catalog")
    CATALOG_RECORD_SPLIT = "catalog.record.split", _("Record split out of its cluster")
    CATALOG_CLUSTERS_MERGED = "catalog.clusters.merged", _("Clusters merged")


class AuditEvent(models.Model):
    """One fact changed. Written only through :func:`libcoop.audit.services.record`."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty for system actions such as the demo loader."),
    )
    actor_label = models.CharField(max_length=150, blank=True)
    institution_code = models.CharField(max_length=32, blank=True, db_index=True)
    verb = models.CharField(max_length=64, choices=AuditVerb.choices, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.verb}"
