"""``libcoop unlock USERNAME`` — lift a login lock-out (too many failed logins), audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from libcoop.network.abilities import SYSTEM
from libcoop.network.logins import unlock_login


class Command(BaseCommand):
    help = "Lift the login lock-out of a user (every address); the audit log records it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            removed = unlock_login(options["username"], acting_user=SYSTEM)
        except User.DoesNotExist as exc:
            raise CommandError(f"no user named {options['username']!r}") from exc
        self.stdout.write(
            f"Unlocked {options['username']}: {removed} failed-login record(s) removed"
        )
