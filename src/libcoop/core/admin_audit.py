"""One base class for every ModelAdmin of LibCoop: each write made in the admin is audited.

Adds and changes (with the changed fields), deletes (one by one and the list's bulk delete)
and inline rows added, changed or deleted on the parent's page each make one audit event,
in the admin's own transaction. A subclass names its verbs (``created_verb``,
``changed_verb``, ``deleted_verb``); the defaults are the admin's generic verbs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import audit_value, record


def institution_code_of(obj: models.Model) -> str:
    """The institution an object belongs to, for the audit entry (blank when none)."""
    institution = getattr(obj, "institution", None) or getattr(obj, "library", None)
    if institution is not None:
        return str(getattr(institution, "code", ""))
    if obj._meta.label_lower == "network.institution":
        return str(getattr(obj, "code", ""))
    return ""


def _changes(form: Any) -> dict[str, list[Any]]:
    """{field: [old, new]} of a bound model form's changed fields."""
    out = {}
    for name in form.changed_data:
        new = form.cleaned_data.get(name)
        if isinstance(new, models.QuerySet):
            new = [str(o.pk) for o in new]
        elif isinstance(new, models.Model):
            new = str(new.pk)
        out[name] = [_plain(form.initial.get(name)), _plain(new)]
    return out


def _plain(value: Any) -> Any:
    value = audit_value(value)
    if isinstance(value, str | int | float | bool | type(None) | list | dict):
        return value
    return str(value)


class AuditedModelAdmin(admin.ModelAdmin):
    """Records an audit event for every add, change and delete, inline rows included."""

    created_verb: AuditVerb = AuditVerb.ADMIN_CREATED
    changed_verb: AuditVerb = AuditVerb.ADMIN_CHANGED
    deleted_verb: AuditVerb = AuditVerb.ADMIN_DELETED

    def _record(
        self, verb: AuditVerb, obj: models.Model, request: HttpRequest, **data: Any
    ) -> None:
        record(
            verb,
            obj,
            acting_user=request.user,
            institution_code=institution_code_of(obj),
            via="admin",
            **data,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        verb = self.changed_verb if change else self.created_verb
        self._record(verb, obj, request, fields=list(form.changed_data), changes=_changes(form))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._record(self.deleted_verb, obj, request)  # before: the row still has its id
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self._record(self.deleted_verb, obj, request)
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        parent = {"parent": form.instance._meta.label_lower, "parent_id": str(form.instance.pk)}
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                self._record(AuditVerb.ADMIN_DELETED, deleted.instance, request, **parent)
        super().save_formset(request, form, formset, change)
        changed_forms = {f.instance.pk: f for f in formset.forms if f.instance.pk is not None}
        for obj in formset.new_objects:
            inline = changed_forms.get(obj.pk)
            fields = list(inline.changed_data) if inline is not None else []
            self._record(AuditVerb.ADMIN_CREATED, obj, request, fields=fields, **parent)
        for obj, fields in formset.changed_objects:
            inline = changed_forms.get(obj.pk)
            changes = _changes(inline) if inline is not None else {}
            self._record(
                AuditVerb.ADMIN_CHANGED, obj, request, fields=fields, changes=changes, **parent
            )
