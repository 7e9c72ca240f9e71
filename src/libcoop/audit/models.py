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
    LOGIN_UNLOCKED = "core.login.unlocked", _("Locked-out login unlocked")
    TOKEN_CHANGED = "core.api_token.changed", _("API token changed")
    # the Django admin, for models without a verb of their own
    ADMIN_CREATED = "admin.object.created", _("Added in the admin")
    ADMIN_CHANGED = "admin.object.changed", _("Changed in the admin")
    ADMIN_DELETED = "admin.object.deleted", _("Deleted in the admin")
    # interoperability
    HARVEST_SOURCE_REGISTERED = "interop.harvest_source.registered", _("Harvest source registered")
    HARVEST_SOURCE_CHANGED = "interop.harvest_source.changed", _("Harvest source changed")
    CATALOG_IMPORTED = "catalog.import.finished", _("Records imported into the union catalog")
    CATALOG_RECORD_SPLIT = "catalog.record.split", _("Record split out of its cluster")
    CATALOG_CLUSTERS_MERGED = "catalog.clusters.merged", _("Clusters merged")
    CATALOG_REMATCHED = "catalog.rematch.finished", _("Library's records matched again")
    ATTACHMENT_STORED = "core.attachment.stored", _("File uploaded")
    ATTACHMENT_REMOVED = "core.attachment.removed", _("File removed")
    # knowledge exchange
    ARTICLE_CREATED = "knowledge.article.created", _("Knowledge article created")
    ARTICLE_CHANGED = "knowledge.article.changed", _("Knowledge article changed")
    ARTICLE_WITHDRAWN = "knowledge.article.withdrawn", _("Knowledge article withdrawn")
    COMMENT_ADDED = "knowledge.comment.added", _("Comment added")
    COMMENT_REMOVED = "knowledge.comment.removed", _("Comment removed")
    # network events
    EVENT_CREATED = "events.event.created", _("Event created")
    EVENT_CHANGED = "events.event.changed", _("Event changed")
    EVENT_CANCELLED = "events.event.cancelled", _("Event cancelled")
    ATTENDANCE_CHANGED = "events.attendance.changed", _("Attendance changed")
    EVENT_OUTPUT_ADDED = "events.output.added", _("Event output added")
    EVENT_REMINDER_SENT = "events.reminder.sent", _("Event reminder sent")
    # outreach
    PROGRAMME_CREATED = "outreach.programme.created", _("Outreach programme created")
    PROGRAMME_CHANGED = "outreach.programme.changed", _("Outreach programme changed")
    ACTIVITY_CREATED = "outreach.activity.created", _("Outreach activity created")
    ACTIVITY_CHANGED = "outreach.activity.changed", _("Outreach activity changed")
    ACTIVITY_REMOVED = "outreach.activity.removed", _("Outreach activity removed")
    ACTIVITY_PHOTO_ADDED = "outreach.activity.photo_added", _("Outreach activity photo added")
    ACTIVITY_FOLLOW_UP_ADDED = "outreach.activity.follow_up_added", _("Follow-up note added")
    # green-library assessment
    STANDARD_LOADED = "greenlib.standard.loaded", _("Assessment standard loaded")
    ASSESSMENT_OPENED = "greenlib.assessment.opened", _("Self-assessment opened")
    ASSESSMENT_CHANGED = "greenlib.assessment.changed", _("Self-assessment changed")
    ASSESSMENT_SUBMITTED = "greenlib.assessment.submitted", _("Self-assessment submitted")
    ASSESSMENT_SCORED = "greenlib.assessment.scored", _("Criterion scored")
    ASSESSMENT_RESULT_PUBLISHED = "greenlib.assessment.published", _("Assessment result published")
    ASSESSMENT_REVIEW_STARTED = "greenlib.assessment.review_started", _("Assessment review started")
    ASSESSMENT_RETURNED = (
        "greenlib.assessment.returned",
        _("Self-assessment returned to the library"),
    )
    ASSESSMENT_REOPENED = "greenlib.assessment.reopened", _("Published assessment reopened")
    EVIDENCE_ADDED = "greenlib.evidence.added", _("Evidence added")
    EVIDENCE_REMOVED = "greenlib.evidence.removed", _("Evidence removed")
    ENV_FIGURE_RECORDED = "greenlib.env_figure.recorded", _("Environmental figure recorded")
    # interlibrary loan
    ILL_REQUEST_CHANGED = "ill.request.changed", _("Interlibrary loan request changed")
    ILL_SUPPLY_CHANGED = "ill.supply.changed", _("Interlibrary loan supply changed")
    ILL_POLICY_CHANGED = "ill.policy.changed", _("Lending policy changed")
    ILL_AGENCY_CHANGED = "ill.agency.changed", _("Interlibrary loan agency changed")
    ILL_DUE_DATE_CORRECTED = "ill.due_date.corrected", _("Loan due date corrected")
    # digital collection (repository)
    REPO_ITEM_DEPOSITED = "repository.item.deposited", _("Item deposited in the collection")
    REPO_ITEM_CHANGED = "repository.item.changed", _("Collection item's metadata changed")
    REPO_ITEM_ACCESS_CHANGED = (
        "repository.item.access_changed",
        _("Collection item's access changed"),
    )
    REPO_ITEM_SUBMITTED = "repository.item.submitted", _("Collection item submitted for review")
    REPO_ITEM_APPROVED = "repository.item.approved", _("Collection item approved")
    REPO_ITEM_PUBLISHED = "repository.item.published", _("Collection item published")
    REPO_ITEM_RETURNED = "repository.item.returned", _("Collection item returned to draft")
    REPO_ITEM_WITHDRAWN = "repository.item.withdrawn", _("Collection item withdrawn")
    REPO_FILE_ADDED = "repository.file.added", _("File added to a collection item")
    REPO_FILE_REMOVED = "repository.file.removed", _("File removed from a collection item")
    REPO_BATCH_IMPORTED = "repository.batch.imported", _("Batch deposit into the collection")
    REPO_EMBARGO_ENDED = "repository.item.embargo_ended", _("Collection item's embargo ended")


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
    # The registry is AuditVerb; it is not a database-level choice list, so that an app adding a
    # verb needs no migration of the audit table. record() accepts only AuditVerb members.
    verb = models.CharField(max_length=64, db_index=True)
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

    def get_verb_display(self) -> str:
        try:
            return str(AuditVerb(self.verb).label)
        except ValueError:
            return self.verb
