"""Fixity: are the stored files still the bytes that were deposited?

Every file is named by the SHA-256 of its bytes, so checking one is hashing what the store
holds now and comparing. Each check of each file is recorded (``FixityCheck``: ok, changed
with the hash found, or missing), so a library can show when its files were last seen intact.
Files that share one stored object (the same PDF deposited twice) are hashed once.

Run by ``libcoop repository fixity [--library CODE]`` (exit status 1 when a file is changed or
missing) and weekly by the worker (``ops.jobs``: ``repository.fixity``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.management.base import CommandError
from django.db.models import QuerySet

from libcoop.network.models import Institution
from libcoop.repository import storage
from libcoop.repository.models import FixityCheck, FixityOutcome, ItemFile

logger = logging.getLogger(__name__)

BATCH: Final = 500


@dataclass
class FixityReport:
    checked: int = 0
    changed: list[ItemFile] = field(default_factory=list)
    missing: list[ItemFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.changed and not self.missing

    def summary(self) -> str:
        return (
            f"{self.checked} file(s) checked: {len(self.changed)} changed, "
            f"{len(self.missing)} missing"
        )

    def lines(self) -> list[str]:
        """One line per file that is not intact: outcome, library, item, file, SHA-256."""
        out = []
        for outcome, files in (("CHANGED", self.changed), ("MISSING", self.missing)):
            for f in files:
                out.append(
                    f"{outcome}\t{f.item.institution.code}\titem {f.item_id}\tfile {f.pk}\t"
                    f"{f.original_name}\t{f.sha256}"
                )
        return out


def files_of(library: str | None = None) -> QuerySet[ItemFile]:
    files = ItemFile.objects.select_related("item__institution").order_by("pk")
    if library:
        files = files.filter(item__institution__code=library)
    return files


def _batches(files: QuerySet[ItemFile]) -> Iterable[list[ItemFile]]:
    batch: list[ItemFile] = []
    for f in files.iterator(chunk_size=BATCH):
        batch.append(f)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def check(files: QuerySet[ItemFile]) -> FixityReport:
    """Re-hash each stored file of *files*, record a ``FixityCheck`` per file, report."""
    report = FixityReport()
    found: dict[str, str | None] = {}  # sha256 → hash of what is stored (None: missing)
    for batch in _batches(files):
        checks = []
        for f in batch:
            if f.sha256 not in found:
                found[f.sha256] = storage.hash_stored(f.sha256)
            now = found[f.sha256]
            if now is None:
                outcome = FixityOutcome.MISSING
                report.missing.append(f)
            elif now != f.sha256:
                outcome = FixityOutcome.CHANGED
                report.changed.append(f)
            else:
                outcome = FixityOutcome.OK
            checks.append(FixityCheck(file=f, outcome=outcome, found_sha256=now or ""))
        FixityCheck.objects.bulk_create(checks)
        report.checked += len(batch)
    if not report.ok:
        logger.error("fixity: %s", report.summary())
    return report


def run(library: str | None = None) -> FixityReport:
    return check(files_of(library))


def periodic() -> str:
    """The weekly job (``ops.jobs``): every library's files."""
    return run().summary()


def cli(library: str | None, write: Callable[[str], None]) -> int:
    """The files not intact, one line each, then a summary; the exit status (1 when something
    is wrong)."""
    if library and not Institution.objects.filter(code=library).exists():
        raise CommandError(f"no library with the code {library!r}")
    report = run(library)
    for line in report.lines():
        write(line)
    write(report.summary())
    return 0 if report.ok else 1


def add_fixity_arguments(parser: Any) -> None:
    parser.add_argument("--library", metavar="CODE", help="only this library's files")


def run_fixity(options: dict[str, Any], stdout: Any) -> None:
    """``libcoop repository fixity [--library CODE]``: exit status 1 when a file is changed or
    missing."""
    if cli(options.get("library"), stdout.write) != 0:
        raise CommandError("some stored files are changed or missing", returncode=1)
