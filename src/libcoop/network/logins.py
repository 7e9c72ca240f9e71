"""Login lock-outs (django-axes): lifting one is an audited act of an operator.

After ``AXES_FAILURE_LIMIT`` failed logins for one username from one address, that
combination is refused until the cool-off ends (``settings.AXES_COOLOFF_TIME``);
:func:`unlock_login` lifts every lock-out of a username at once (``libcoop unlock USERNAME``).
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from axes.utils import reset
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
from libcoop.network.abilities import Actor, require


def unlock_login(username: str, *, acting_user: Actor) -> int:
    """Remove the failed-login records of *username* (every address); return how many.

    Raises ``PermissionDenied`` unless *acting_user* may (operators: superusers, SYSTEM) and
    ``User.DoesNotExist`` for a username that names no account.
    """
    require(acting_user, "accounts.unlock", None)
    user = User.objects.get(username=username)
    with transaction.atomic():
        removed = reset(username=username)
        record(AuditVerb.LOGIN_UNLOCKED, user, acting_user=acting_user, attempts_removed=removed)
    return removed


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The lock-out page (``AXES_LOCKOUT_CALLABLE``), in the user's language, status 429."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
