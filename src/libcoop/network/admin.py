"""Back-office editing. Saves made here are audited like any other change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
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


class AuditedAdmin(admin.ModelAdmin):
    """Records an audit event for every add or change made in the admin."""

    created_verb: AuditVerb
    changed_verb: AuditVerb

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        verb = self.changed_verb if change else self.created_verb
        record(verb, obj, acting_user=request.user, via="admin", fields=list(form.changed_data))


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
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
class InstitutionAdmin(AuditedAdmin):
    created_verb = AuditVerb.INSTITUTION_CREATED
    changed_verb = AuditVerb.INSTITUTION_CHANGED
    list_display = ["code", "name_th", "name_en", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name_th", "name_en", "short_name"]


@admin.register(Network)
class NetworkAdmin(AuditedAdmin):
    created_verb = AuditVerb.NETWORK_CREATED
    changed_verb = AuditVerb.NETWORK_CHANGED
    list_display = ["code", "name_th", "name_en", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name_th", "name_en", "acronym"]
    inlines = [PurposeInline, WorkingGroupInline, MembershipInline]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(AuditedAdmin):
    created_verb = AuditVerb.WORKING_GROUP_CREATED
    changed_verb = AuditVerb.WORKING_GROUP_CHANGED
    list_display = ["code", "network", "kind", "name_th", "name_en"]
    list_filter = ["network", "kind"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    created_verb = AuditVerb.MEMBERSHIP_ADDED
    changed_verb = AuditVerb.MEMBERSHIP_CHANGED
    list_display = ["institution", "network", "role", "start", "end"]
    list_filter = ["network", "role"]
    autocomplete_fields = ["institution", "network"]


@admin.register(Seat)
class SeatAdmin(AuditedAdmin):
    created_verb = AuditVerb.SEAT_ADDED
    changed_verb = AuditVerb.SEAT_CHANGED
    list_display = ["institution", "working_group", "role", "start", "end"]
    list_filter = ["working_group__network", "role"]
    autocomplete_fields = ["institution", "working_group"]


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    created_verb = AuditVerb.STAFF_CHANGED
    changed_verb = AuditVerb.STAFF_CHANGED
    list_display = ["user", "institution", "role", "network"]
    list_filter = ["role", "institution"]
