"""Writing to the audit log. Every service that changes data calls :func:`record`.

Beside it, what every service needs to make an audit entry: :func:`user_of` (the user behind
an acting user, or None for SYSTEM and anonymous actors) and :func:`apply_changes` (set the
fields that really change and return them as ``{field: [old, new]}`` for the entry's data).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models

from libcoop.audit.models import AuditEvent, AuditVerb


def user_of(actor: object) -> User | None:
    """The user to store as author, creator or actor; None for SYSTEM and anonymous actors."""
    return actor if isinstance(actor, User) else None


def audit_value(value: Any) -> Any:
    """A field's value as the audit log's JSON keeps it: dates and times in ISO 8601, a row
    by its code (or primary key), anything else as it is."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(getattr(value, "code", value.pk))
    return value


def apply_changes(
    obj: models.Model, changes: Mapping[str, Any], allowed: Iterable[str]
) -> dict[str, list[Any]]:
    """Set on *obj* the fields of *changes* that really change; return them as
    ``{field: [old, new]}`` in audit form. A field outside *allowed* is a ValidationError.
    Nothing is saved: the caller checks, saves and records."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(f"Cannot change: {', '.join(sorted(unknown))}")
    diff: dict[str, list[Any]] = {}
    for field, new in changes.items():
        model_field = obj._meta.get_field(field)
        if new is None and not getattr(model_field, "null", True):
            # full_clean skips an empty value of a blank=True field, so it must be said here
            # (a JSON null once reached the database as a NOT NULL failure).
            messages = getattr(model_field, "error_messages", {})
            raise ValidationError({field: messages.get("null", "This field cannot be null.")})
        old = getattr(obj, field)
        if old != new:
            setattr(obj, field, new)
            diff[field] = [audit_value(old), audit_value(new)]
    return diff


def record(
    verb: AuditVerb,
    obj: models.Model,
    *,
    acting_user: object,
    institution_code: str = "",
    **data: Any,
) -> AuditEvent:
    """Store one audit event for *obj*; *data* holds old/new values (JSON-serialisable).

    *acting_user* is a user, an anonymous user or the SYSTEM actor of trusted code.
    """
    verb = AuditVerb(verb)  # ValueError for a verb outside the registry, on purpose
    actor = user_of(acting_user)
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "system",
        institution_code=institution_code,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(obj)[:300],
        data=data,
    )


def history_of(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
