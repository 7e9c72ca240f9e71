"""``libcoop backup -o FILE`` — a consistent snapshot of the database and the uploaded files.

Safe while the server and workers run (SQLite's online backup API; ``pg_dump`` on
PostgreSQL). ``libcoop restore FILE`` puts it back. See ``libcoop.core.backup``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from libcoop.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write a backup (database snapshot and uploaded files) to one archive file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FILE",
            help="the archive to write (a tar; gzip-compressed when it ends in .gz or .tgz)",
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = create_backup(options["output"], alias=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = manifest["files"]
        media = [f for f in files if f["path"].startswith("media/")]
        size = sum(f["size"] for f in files)
        self.stdout.write(
            f"Backup written to {options['output']}: {manifest['database']['vendor']} "
            f"database, {len(media)} uploaded files, {size / 1e6:.1f} MB before compression"
        )
