"""Issuing, checking and revoking API tokens.

A token has an owner, a scope (``read``: GET only; ``write``: whatever the owner may do), an
optional expiry and can be revoked; only its hash is stored and the key is shown once. A user
issues and revokes their own tokens (from their account page or ``libcoop tokens issue``);
operators (superusers, trusted code) may issue for anyone. Every issue and revocation is
audited.
"""

from __future__ import annotations

import datetime
from typing import Final

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
from libcoop.core.models import ApiToken, hash_token

SCOPES: Final = ("read", "write")
MAX_DAYS: Final = 3650


def _may_act_for(acting_user: object, user: User) -> bool:
    """A person acts for themselves; a superuser or trusted code (not a User) for anyone."""
    if isinstance(acting_user, AnonymousUser):
        return False
    if isinstance(acting_user, User):
        return acting_user.pk == user.pk or acting_user.is_superuser
    return True


@transaction.atomic
def create_token(
    user: User,
    name: str,
    *,
    acting_user: object,
    scope: str = "write",
    days: float | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for *user*: the row and the plain key, which is never stored."""
    if not _may_act_for(acting_user, user):
        raise PermissionDenied(_("You may issue tokens only for yourself."))
    if scope not in SCOPES:
        raise ValidationError(_("The scope is read or write."))
    if days is not None and not (0 < days <= MAX_DAYS):
        raise ValidationError(_("A token lasts between 1 and 3650 days."))
    expires = timezone.now() + datetime.timedelta(days=days) if days else None
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=key[:8],
        key_hash=hash_token(key),
        scope=scope,
        expires=expires,
    )
    record(
        AuditVerb.TOKEN_CREATED,
        token,
        acting_user=acting_user,
        for_user=user.get_username(),
        scope=scope,
        expires=expires.isoformat() if expires else None,
    )
    return token, key


def issue_token(
    user: User, name: str, *, acting_user: object, scope: str = "write", days: float | None = None
) -> str:
    """Create a token for *user*; the plain key is returned once and never stored."""
    return create_token(user, name, acting_user=acting_user, scope=scope, days=days)[1]


@transaction.atomic
def revoke_token(token: ApiToken, *, acting_user: object) -> None:
    if not _may_act_for(acting_user, token.user):
        raise PermissionDenied(_("You may revoke only your own tokens."))
    if token.revoked:
        return
    token.revoked = True
    token.save(update_fields=["revoked"])
    record(AuditVerb.TOKEN_CHANGED, token, acting_user=acting_user, revoked=[False, True])


def token_for_key(key: str) -> ApiToken | None:
    """The live token with this key (not revoked, not expired, its user active), or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(key), revoked=False, user__is_active=True)
        .filter(Q(expires__isnull=True) | Q(expires__gt=timezone.now()))
        .first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token


def user_for_token(key: str) -> User | None:
    token = token_for_key(key)
    return token.user if token is not None else None
