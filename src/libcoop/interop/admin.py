"""Back-office view of harvest sources and runs (runs are read-only records); every write
is audited (``core.admin_audit.AuditedModelAdmin``)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from libcoop.audit.models import AuditVerb
from libcoop.core.admin_audit import AuditedModelAdmin
from libcoop.interop.models import HarvestRun, HarvestSource

_RUN_FIELDS = ("started", "status", "pages", "records_seen", "deleted_seen", "retries", "message")


class HarvestRunInline(admin.TabularInline):
    model = HarvestRun
    extra = 0
    can_delete = False
    fields = _RUN_FIELDS
    readonly_fields = _RUN_FIELDS
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(HarvestSource)
class HarvestSourceAdmin(AuditedModelAdmin):
    created_verb = AuditVerb.HARVEST_SOURCE_REGISTERED
    changed_verb = AuditVerb.HARVEST_SOURCE_CHANGED
    list_display = ["library", "base_url", "set_spec", "schedule", "enabled", "last_datestamp"]
    list_filter = ["schedule", "enabled"]
    search_fields = ["library__code", "base_url"]
    readonly_fields = ["last_datestamp", "resume_token", "created", "updated"]
    inlines = [HarvestRunInline]


@admin.register(HarvestRun)
class HarvestRunAdmin(AuditedModelAdmin):
    list_display = ["source", "started", "status", "pages", "records_seen", "deleted_seen"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in HarvestRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
