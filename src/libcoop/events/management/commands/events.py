"""``libcoop events remind [--days N] [--dry-run]`` — e-mail reminders of upcoming events."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from libcoop.events.reminders import DEFAULT_DAYS, send_reminders
from libcoop.network.abilities import SYSTEM


class Command(BaseCommand):
    help = "Network events: send reminder e-mails for upcoming events."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser(
            "remind", help="e-mail the staff of organising and attending institutions"
        )
        remind.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"remind of events starting within N days (default {DEFAULT_DAYS})",
        )
        remind.add_argument("--dry-run", action="store_true", help="list, send nothing")
        remind.add_argument("--today", help="YYYY-MM-DD (for testing; default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_remind(self, options: dict[str, Any]) -> None:
        if options["days"] < 0:
            raise CommandError("--days must be 0 or more")
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today: not a date: {options['today']!r}") from exc
        run = send_reminders(
            days=options["days"], dry_run=options["dry_run"], today=today, acting_user=SYSTEM
        )
        for event, address in run.sent:
            self.stdout.write(f"{event.start_date.isoformat()} {event.pk} {address}")
        self.stdout.write(run.summary())
