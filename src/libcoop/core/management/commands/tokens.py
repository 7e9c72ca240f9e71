"""``libcoop tokens issue USERNAME --scope read|write [--days N] [--name TEXT]`` prints a new API
token (for scripts and checks); ``libcoop tokens revoke PREFIX`` revokes one. Operator commands:
they act as trusted code, for any user."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from libcoop.core.models import ApiToken
from libcoop.core.tokens import SCOPES, issue_token, revoke_token


class _Operator:
    """The trusted operator running this command (not a person: audited as "system"; core
    imports no app, so not ``network.abilities.SYSTEM``)."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _Operator()


class Command(BaseCommand):
    help = "API tokens: issue one for a user (printed once), or revoke one."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="issue a token and print its key")
        issue.add_argument("username")
        issue.add_argument("--scope", choices=SCOPES, default="read")
        issue.add_argument("--days", type=float, help="expires after so many days")
        issue.add_argument("--name", default="command line")
        revoke = sub.add_parser("revoke", help="revoke the token whose key starts with PREFIX")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "issue":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user {options['username']!r}")
            days = options["days"]
            if days is not None and not math.isfinite(days):
                raise CommandError("--days must be a number of days")
            try:
                key = issue_token(
                    user, options["name"], acting_user=SYSTEM, scope=options["scope"], days=days
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(key)
            return
        token = ApiToken.objects.filter(prefix=options["prefix"][:8], revoked=False).first()
        if token is None:
            raise CommandError("No live token with that prefix")
        revoke_token(token, acting_user=SYSTEM)
        self.stdout.write(f"revoked {token.prefix}… of {token.user.get_username()}")
