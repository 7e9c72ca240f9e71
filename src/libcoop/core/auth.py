"""Bearer-token authentication for the JSON API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from libcoop.core.tokens import user_for_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer lc_…``; the request's user becomes the token's owner."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)  # a User (never AnonymousUser) or None
        if user is not None:
            request.user = user
        return user
