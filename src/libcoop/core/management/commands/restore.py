"""``libcoop restore FILE [--force]`` — restore a backup into an empty home.

Refuses a database that has tables or a media directory that has files unless ``--force``
(which replaces them); checks every file's SHA-256 against the manifest before writing.
Stop the server and workers first.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from libcoop.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `libcoop backup` into an empty database and media directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", metavar="FILE")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database and media directory that are not empty",
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore_backup(
                options["archive"], alias=options["database"], force=options["force"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = [f for f in manifest["files"] if f["path"].startswith("media/")]
        self.stdout.write(
            f"Restored the {manifest['database']['vendor']} database and {len(media)} uploaded "
            f"files from the backup of {manifest['created']} (LibCoop "
            f"{manifest['libcoop_version']})"
        )
