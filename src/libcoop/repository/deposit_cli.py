"""``libcoop repository deposit`` and ``libcoop repository import``: deposits from the command
line, as the trusted operator (``SYSTEM``; every deposit audited as the system's).

``deposit --library CODE --metadata FILE.json [--access open|network|institution|embargo
--until YYYY-MM-DD [--after LEVEL]] [--publish [--metadata-only]] FILE...`` deposits one item
(the JSON object holds the metadata fields of ``repository.metadata``: title, type, year in
B.E. or C.E., creators, …) and prints its id. With ``--publish`` it is taken through review to
published at once (each step audited), as for a collection moved from another system.

``import CSV --files DIR --library CODE [--publish] [--report OUT.csv]`` deposits each row of a
CSV file (columns in ``batch.py`` and ``docs/repository.md``) and prints the per-row report:
the rows loaded with their item ids, and each problem by row, column and reason in English and
Thai; ``--report`` writes the same as CSV. The exit status is 1 only when no row was loaded
(or the file could not be read at all): a batch with some bad rows loads the good ones, exits
0 and reports the bad ones, so a script sees success when work was done and reads the report
for the rest.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import translation

from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution
from libcoop.repository import batch, services
from libcoop.repository.metadata import messages_of
from libcoop.repository.models import Access

MAX_METADATA_BYTES = 1024 * 1024


def _institution(code: str) -> Institution:
    found = Institution.objects.filter(code=code).first()
    if found is None:
        raise CommandError(f"No library with the code {code!r}.")
    return found


def _problems(exc: ValidationError, lang: str) -> str:
    return "; ".join(
        f"{field}: {message}" if field else message for field, message in messages_of(exc, lang)
    )


def add_deposit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--library", required=True, help="depositing library's code")
    parser.add_argument(
        "--metadata", required=True, type=Path, help="JSON file of the item's metadata"
    )
    parser.add_argument("--access", choices=Access.values, default=Access.OPEN)
    parser.add_argument("--until", default=None, help="embargo's end, YYYY-MM-DD")
    parser.add_argument(
        "--after",
        choices=[a for a in Access.values if a != Access.EMBARGO],
        default=None,
        help="access after the embargo (open)",
    )
    parser.add_argument(
        "--publish", action="store_true", help="take it through review to published"
    )
    parser.add_argument(
        "--metadata-only",
        action="store_true",
        help="with --publish and no file: publish the record without files",
    )
    parser.add_argument("--lang", choices=("th", "en"), default="en", help="messages' language")
    parser.add_argument("files", nargs="*", type=Path, help="the item's files")


def _read_metadata(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_METADATA_BYTES:
            raise CommandError(f"{path} is larger than 1 MB.")
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path} is not a UTF-8 JSON file: {exc}") from exc
    if not isinstance(data, dict):
        raise CommandError(f"{path} must hold one JSON object of metadata fields.")
    return data


def run_deposit(options: dict[str, Any], stdout: TextIO) -> None:
    institution = _institution(options["library"])
    metadata = _read_metadata(options["metadata"])
    for path in options["files"]:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
    uploads = [services.upload_from_path(path) for path in options["files"]]
    lang = options.get("lang") or "en"
    try:
        with transaction.atomic():
            item = services.create_item(
                institution,
                metadata,
                uploads,
                access=options["access"],
                embargo_until=options.get("until"),
                access_after_embargo=options.get("after"),
                acting_user=SYSTEM,
            )
            if options.get("publish"):
                item = services.publish_through(
                    item, acting_user=SYSTEM, metadata_only=bool(options.get("metadata_only"))
                )
    except ValidationError as exc:
        raise CommandError(_problems(exc, lang)) from exc
    stdout.write(f"{item.pk}\n")


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("csv", type=Path, help="CSV file (UTF-8, with or without BOM)")
    parser.add_argument("--files", required=True, type=Path, help="folder of the files")
    parser.add_argument("--library", required=True, help="depositing library's code")
    parser.add_argument(
        "--publish", action="store_true", help="take each loaded item through to published"
    )
    parser.add_argument("--report", type=Path, default=None, help="write the report as CSV")


def run_import(options: dict[str, Any], stdout: TextIO) -> None:
    institution = _institution(options["library"])
    try:
        with translation.override("en"):
            report = batch.import_batch(
                options["csv"],
                options["files"],
                institution,
                acting_user=SYSTEM,
                publish=bool(options.get("publish")),
            )
    except batch.BatchFileError as exc:
        raise CommandError(str(exc)) from exc
    except PermissionDenied as exc:  # pragma: no cover - SYSTEM may deposit
        raise CommandError(str(exc)) from exc
    stdout.write(report.as_text())
    if options.get("report"):
        try:
            options["report"].write_text(report.as_csv(), encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Cannot write {options['report']}: {exc.strerror}") from exc
    if not report.loaded:
        raise CommandError("No row was loaded. / ไม่มีแถวที่นำเข้าได้")
