"""Issuing and checking API tokens."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
from libcoop.core.models import ApiToken, hash_token


@transaction.atomic
def create_token(user: User, name: str, *, acting_user: object) -> tuple[ApiToken, str]:
    """Create a token for *user*: the row and the plain key, which is never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_token(key))
    record(AuditVerb.TOKEN_CREATED, token, acting_user=acting_user, for_user=user.get_username())
    return token, key


def issue_token(user: User, name: str, *, acting_user: object) -> str:
    """Create a token for *user*; the plain key is returned once and never stored."""
    return create_token(user, name, acting_user=acting_user)[1]


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user
