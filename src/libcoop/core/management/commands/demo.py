"""``libcoop demo``: migrate, load each app's demo data, print the logins.

Idempotent: run it as often as you like; a second run changes nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Each app's demo loader, in dependency order: ``load_demo() -> str`` (a summary), idempotent,
# acting as SYSTEM through the app's services; a module may also offer ``logins() -> str``,
# printed after every module has loaded. Named here, not imported: core imports no app.
DEMO_MODULES = (
    "libcoop.network.demo",
    "libcoop.knowledge.demo",
    "libcoop.events.demo",
    "libcoop.outreach.demo",
    "libcoop.greenlib.demo",
    "libcoop.repository.demo",  # the digital collection: PDFs generated, files processed
    "libcoop.catalog.demo",
    "libcoop.ill.demo",  # a year of interlibrary loans: needs the catalog's clusters
)
CATALOG_DEMO = "libcoop.catalog.demo"
# Left out with --no-catalog too: they build on the catalog's clusters.
NEEDS_CATALOG = frozenset({CATALOG_DEMO, "libcoop.ill.demo"})


class Command(BaseCommand):
    help = "Create the demo database: the seed's library network, with demo staff accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument("--no-catalog", action="store_true", help="skip the demo union catalog")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        modules = [
            import_module(name)
            for name in DEMO_MODULES
            if not (options["no_catalog"] and name in NEEDS_CATALOG)
        ]
        for module in modules:
            summary = module.load_demo()
            if summary:
                self.stdout.write(summary)
        for module in modules:
            logins = getattr(module, "logins", None)
            if logins is not None:
                self.stdout.write(logins())
