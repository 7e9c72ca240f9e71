"""``libcoop demo``: migrate, load the demo network and demo accounts, print the logins.

Idempotent: run it as often as you like; a second run changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from libcoop.core.demo import DEMO_PASSWORD, ensure_demo_accounts
from libcoop.network.loader import load_provinces, load_registry


class Command(BaseCommand):
    help = "Create the demo database: the seed's library network, with demo staff accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        provinces = load_provinces()
        registry = load_registry()
        accounts = ensure_demo_accounts()
        self.stdout.write(f"Provinces: {provinces.summary()}")
        self.stdout.write(f"Registry: {registry.summary()}")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, description in accounts:
            self.stdout.write(f"  {username:22} {description}")
