"""``libcoop demo``: migrate, load the demo network and demo accounts, print the logins.

Idempotent: run it as often as you like; a second run changes nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from libcoop.core.demo import DEMO_PASSWORD, ensure_demo_accounts
from libcoop.network.loader import load_provinces, load_registry

# Each app's demo loader, in dependency order: ``load_demo() -> str`` (a one-line summary),
# idempotent, acting as SYSTEM through the app's services.
DEMO_MODULES = (
    "libcoop.knowledge.demo",
    "libcoop.events.demo",
    "libcoop.outreach.demo",
    "libcoop.greenlib.demo",
)


class Command(BaseCommand):
    help = "Create the demo database: the seed's library network, with demo staff accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument("--no-catalog", action="store_true", help="skip the demo union catalog")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        provinces = load_provinces()
        registry = load_registry()
        accounts = ensure_demo_accounts()
        self.stdout.write(f"Provinces: {provinces.summary()}")
        self.stdout.write(f"Registry: {registry.summary()}")
        for module_name in DEMO_MODULES:
            summary = import_module(module_name).load_demo()
            if summary:
                self.stdout.write(summary)
        if not options["no_catalog"]:
            self._catalog()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, description in accounts:
            self.stdout.write(f"  {username:22} {description}")

    def _catalog(self) -> None:
        """Each demo library's generated MARC file, imported like a member's upload."""
        from django.conf import settings

        from libcoop.catalog.demo_data import generate_demo_catalog
        from libcoop.catalog.ingest import import_file
        from libcoop.network.abilities import SYSTEM
        from libcoop.network.models import Institution

        folder = settings.VAR_DIR / "demo-catalog"
        files = generate_demo_catalog(folder)
        totals = [0, 0, 0]
        for code, path in sorted(files.items()):
            job = import_file(path, Institution.objects.get(code=code), acting_user=SYSTEM)
            totals[0] += job.added
            totals[1] += job.updated
            totals[2] += job.unchanged
        self.stdout.write(
            f"Catalog: {totals[0]} new, {totals[1]} changed, {totals[2]} same records "
            f"from {len(files)} libraries"
        )
