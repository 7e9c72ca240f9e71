"""Back-office editing. Every write made here (saves, inline rows, deletes) is audited
(``core.admin_audit.AuditedModelAdmin``)."""

from __future__ import annotations

from django.contrib import admin

from libcoop.audit.models import AuditVerb
from libcoop.core.admin_audit import AuditedModelAdmin
from libcoop.network.models import (
    Institution,
    Membership,
    Network,
    NetworkPurpose,
    Province,
    Seat,
    StaffProfile,
    WorkingGroup,
)


@admin.register(Province)
class ProvinceAdmin(AuditedModelAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["institution"]


class WorkingGroupInline(admin.TabularInline):
    model = WorkingGroup
    extra = 0


class PurposeInline(admin.TabularInline):
    model = NetworkPurpose
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(AuditedModelAdmin):
    created_verb = AuditVerb.INSTITUTION_CREATED
    changed_verb = AuditVerb.INSTITUTION_CHANGED
    list_display = ["code", "name_th", "name_en", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name_th", "name_en", "short_name"]


@admin.register(Network)
class NetworkAdmin(AuditedModelAdmin):
    created_verb = AuditVerb.NETWORK_CREATED
    changed_verb = AuditVerb.NETWORK_CHANGED
    list_display = ["code", "name_th", "name_en", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name_th", "name_en", "acronym"]
    inlines = [PurposeInline, WorkingGroupInline, MembershipInline]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(AuditedModelAdmin):
    created_verb = AuditVerb.WORKING_GROUP_CREATED
    changed_verb = AuditVerb.WORKING_GROUP_CHANGED
    list_display = ["code", "network", "kind", "name_th", "name_en"]
    list_filter = ["network", "kind"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    created_verb = AuditVerb.MEMBERSHIP_ADDED
    changed_verb = AuditVerb.MEMBERSHIP_CHANGED
    list_display = ["institution", "network", "role", "start", "end"]
    list_filter = ["network", "role"]
    autocomplete_fields = ["institution", "network"]


@admin.register(Seat)
class SeatAdmin(AuditedModelAdmin):
    created_verb = AuditVerb.SEAT_ADDED
    changed_verb = AuditVerb.SEAT_CHANGED
    list_display = ["institution", "working_group", "role", "start", "end"]
    list_filter = ["working_group__network", "role"]
    autocomplete_fields = ["institution", "working_group"]


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedModelAdmin):
    created_verb = AuditVerb.STAFF_CHANGED
    changed_verb = AuditVerb.STAFF_CHANGED
    list_display = ["user", "institution", "role", "network"]
    list_filter = ["role", "institution"]
