"""Writing to the audit log. Every service that changes data calls :func:`record`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import models

from libcoop.audit.models import AuditEvent, AuditVerb


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
    actor = acting_user if isinstance(acting_user, User) else None
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
