"""``libcoop attachments sweep [--older-than HOURS] [--dry-run]`` — remove orphaned files.

An upload whose transaction rolled back after its file was written leaves the file with no
row; run this now and then (daily, say) to remove such files.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from libcoop.core.attachments import sweep_orphans

DEFAULT_HOURS = 24


class Command(BaseCommand):
    help = "Uploaded files: remove the ones no attachment record names (rolled-back uploads)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="delete files that no attachment record names")
        sweep.add_argument(
            "--older-than",
            type=float,
            default=DEFAULT_HOURS,
            metavar="HOURS",
            help=f"only files last written more than HOURS ago (default {DEFAULT_HOURS}: "
            "younger ones may belong to an upload in progress; 0 is safe only when no "
            "upload is running)",
        )
        sweep.add_argument("--dry-run", action="store_true", help="list, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["older_than"]
        if not math.isfinite(hours) or hours < 0 or hours > 24 * 365 * 100:
            raise CommandError("--older-than must be a number of hours, 0 or more")
        age = datetime.timedelta(hours=hours)
        removed = sweep_orphans(age, dry_run=options["dry_run"])
        for name in removed:
            self.stdout.write(name)
        verb = "would remove" if options["dry_run"] else "removed"
        self.stdout.write(f"Orphaned files: {verb} {len(removed)}")
