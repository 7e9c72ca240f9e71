"""``libcoop registry load FILE``: load (or update) a network registry from a YAML file.

The file format is that of ``src/libcoop/network/data/demo_network.yaml``; loading is an
idempotent upsert by codes, so a coordinator can edit the file and load it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from libcoop.network.loader import RegistryFileError, load_provinces, load_registry


class Command(BaseCommand):
    help = "Load institutions, networks, working groups, memberships and seats from YAML."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a registry file")
        load.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            load_provinces()
            report = load_registry(path)
        except RegistryFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary() or "nothing in the file")
