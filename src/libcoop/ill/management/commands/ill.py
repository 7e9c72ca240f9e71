"""``libcoop ill agencies|peer add`` — interlibrary loan from the command line (scripting and
checks): the member libraries' ISO 18626 agency ids, and outside peers' endpoints."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from libcoop.ill import services
from libcoop.ill.models import Agency
from libcoop.interop.iso18626.messages import VERSIONS


class Command(BaseCommand):
    help = "Interlibrary loan: list the member libraries' agencies, configure outside peers."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "agencies", help="CODE<TAB>TYPE:VALUE for each member library that takes part"
        )
        peer = sub.add_parser("peer", help="outside ISO 18626 peers")
        peer_sub = peer.add_subparsers(dest="peer_action", required=True)
        add = peer_sub.add_parser("add", help="configure (or change) an outside peer")
        add.add_argument("agency", help="its agency id, TYPE:VALUE (e.g. ISIL:US-EX)")
        add.add_argument("url", help="its ISO 18626 endpoint")
        add.add_argument("--name", default="", help="a name to show (default: the agency id)")
        add.add_argument(
            "--version",
            dest="iso_version",
            choices=VERSIONS,
            default="2021-2",
            help="the ISO 18626 version it speaks",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "agencies":
            self.do_agencies()
        else:
            self.do_peer_add(options)

    def do_agencies(self) -> None:
        """Libraries of this LibCoop with an ISO 18626 agency (outside peers left out)."""
        rows = (
            Agency.objects.filter(institution__isnull=False, active=True)
            .order_by("institution__code")
            .values_list("institution__code", "id_type", "id_value")
        )
        for code, id_type, id_value in rows:
            self.stdout.write(f"{code}\t{id_type}:{id_value}")

    def do_peer_add(self, options: dict[str, Any]) -> None:
        try:
            agency = services.add_peer(
                options["agency"],
                options["url"],
                name=options["name"],
                version=options["iso_version"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{agency}\t{agency.endpoint}\t{agency.version}")
