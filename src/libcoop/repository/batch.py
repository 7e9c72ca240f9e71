"""Batch deposit: a CSV file of items with a folder of their files, the way libraries migrate
a collection from another system.

The CSV is UTF-8 (with or without a byte-order mark, as Excel writes it), one item per row
under a header row. Columns (``docs/repository.md``):

``title`` (required), ``title_alternative``, ``creators`` (separated by ``;``), ``advisors``
(``;``), ``type`` (required: thesis, research_report, article, local_information,
archival_document, or their Thai or English names), ``degree`` (bachelor, master, doctoral or
ปริญญาตรี/โท/เอก), ``degree_name``, ``degree_grantor``, ``discipline``, ``abstract_th``,
``abstract_en``, ``keywords_th`` and ``keywords_en`` (``;``), ``language`` (tha, eng, …),
``year`` (required, B.E. or C.E.), ``issued`` (YYYY-MM-DD), ``publisher``, ``rights``,
``licence``, ``access`` (open, network, institution, embargo), ``embargo_until``
(YYYY-MM-DD), ``access_after_embargo``, ``files`` (names of files in the folder, separated by
``;``) and ``metadata_only`` (yes when the row has no file on purpose).

Each row is deposited in its own transaction through ``services.create_item`` (and, with
``publish``, taken through the review to published), so a bad row is reported and the next row
goes on: the batch never stops at a row. Rows are numbered as a spreadsheet shows them (the
header is row 1). Each problem names its column and gives the reason in Thai and in English.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution
from libcoop.repository import services
from libcoop.repository.metadata import messages_of

ACCESS_COLUMNS: Final = ("access", "embargo_until", "access_after_embargo")
FILE_COLUMNS: Final = ("files", "metadata_only")
METADATA_COLUMNS: Final = (
    "title",
    "title_alternative",
    "creators",
    "advisors",
    "coadvisors",
    "type",
    "degree",
    "degree_name",
    "degree_grantor",
    "discipline",
    "abstract_th",
    "abstract_en",
    "keywords_th",
    "keywords_en",
    "language",
    "year",
    "issued",
    "publisher",
    "rights",
    "licence",
)
COLUMNS: Final = (*METADATA_COLUMNS, *ACCESS_COLUMNS, *FILE_COLUMNS)
REQUIRED_COLUMNS: Final = ("title", "type", "year")
# Field names of the services that a column stands for, so a problem names the column.
FIELD_TO_COLUMN: Final = {"item_type": "type", "degree_level": "degree", "contributors": "advisors"}
YES: Final = frozenset({"yes", "y", "true", "1", "ใช่", "x"})
MAX_ROWS: Final = 100_000
MAX_FILE_BYTES: Final = 50 * 1024 * 1024


class BatchFileError(Exception):
    """The CSV cannot be read at all (not UTF-8, no header, a required column missing)."""


@dataclass(frozen=True)
class Problem:
    column: str
    th: str
    en: str


@dataclass
class RowResult:
    row: int
    title: str
    item_id: int | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.item_id is not None


@dataclass
class BatchReport:
    rows: list[RowResult] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    def as_text(self) -> str:
        lines = [
            f"{len(self.loaded)} of {len(self.rows)} rows loaded, {len(self.failed)} with "
            f"problems / นำเข้าได้ {len(self.loaded)} จาก {len(self.rows)} แถว "
            f"มีปัญหา {len(self.failed)} แถว"
        ]
        if self.ignored_columns:
            lines.append("ignored columns / คอลัมน์ที่ไม่ได้ใช้: " + ", ".join(self.ignored_columns))
        for r in self.rows:
            if r.ok:
                lines.append(f"row {r.row}: item {r.item_id} — {r.title}")
            for p in r.problems:
                column = p.column or "-"
                lines.append(f"row {r.row} [{column}]: {p.en} / {p.th}")
        return "\n".join(lines) + "\n"

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["row", "status", "item_id", "column", "reason_th", "reason_en", "title"])
        for r in self.rows:
            if r.ok:
                writer.writerow([r.row, "loaded", r.item_id, "", "", "", r.title])
            for p in r.problems:
                writer.writerow([r.row, "error", "", p.column, p.th, p.en, r.title])
        return out.getvalue()


def _problem(column: str, message: object, **params: object) -> Problem:
    """*message* (a lazy translation) with *params*, in Thai and in English."""
    texts = []
    for lang in ("th", "en"):
        with translation.override(lang):
            texts.append(str(message) % params if params else str(message))
    return Problem(column, texts[0], texts[1])


def _problems(error: ValidationError) -> list[Problem]:
    thai = messages_of(error, "th")
    english = messages_of(error, "en")
    return [
        Problem(FIELD_TO_COLUMN.get(name, name), th, en)
        for (name, th), (_name, en) in zip(thai, english, strict=True)
    ]


def _safe_name(folder: Path, name: str) -> Path | None:
    """*name* inside *folder* (no folders of its own, no way out), or None."""
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        return None
    path = folder / name
    try:
        if path.resolve().parent != folder.resolve():
            return None
    except OSError:
        return None
    return path


def _uploads(row: dict[str, str], folder: Path) -> tuple[list[services.Upload], list[Problem]]:
    names = [n.strip() for n in (row.get("files") or "").split(";") if n.strip()]
    uploads, problems = [], []
    for name in names:
        path = _safe_name(folder, name)
        if path is None:
            problems.append(_problem("files", _("%(name)s is not a plain file name."), name=name))
            continue
        if not path.is_file():
            problems.append(
                _problem("files", _("%(name)s is not in the folder of files."), name=name)
            )
            continue
        try:
            uploads.append(services.upload_from_path(path))
        except ValidationError as exc:
            problems += [_problem("files", m) for m in exc.messages]
        except OSError as exc:
            problems.append(
                _problem(
                    "files",
                    _("%(name)s cannot be read: %(error)s"),
                    name=name,
                    error=exc.strerror,
                )
            )
    no_file_on_purpose = (row.get("metadata_only") or "").strip().lower() in YES
    if not names and not no_file_on_purpose and not problems:
        problems.append(
            _problem(
                "files",
                _("No file named; name the files, or write yes under metadata_only."),
            )
        )
    return uploads, problems


def _row(
    number: int,
    row: dict[str, str],
    *,
    institution: Institution,
    folder: Path,
    publish: bool,
    acting_user: Actor,
) -> RowResult:
    title = " ".join((row.get("title") or "").split())[:200]
    result = RowResult(number, title)
    uploads, problems = _uploads(row, folder)
    if problems:
        result.problems = problems
        return result
    metadata = {k: v for k, v in row.items() if k in METADATA_COLUMNS and v not in (None, "")}
    metadata_only = (row.get("metadata_only") or "").strip().lower() in YES
    try:
        with transaction.atomic():
            item = services.create_item(
                institution,
                metadata,
                uploads,
                access=(row.get("access") or "open").strip(),
                embargo_until=(row.get("embargo_until") or "").strip() or None,
                access_after_embargo=(row.get("access_after_embargo") or "").strip() or None,
                acting_user=acting_user,
            )
            if publish:
                services.publish_through(item, acting_user=acting_user, metadata_only=metadata_only)
    except ValidationError as exc:
        result.problems = _problems(exc)
    except PermissionDenied as exc:
        result.problems = [Problem("", str(exc), str(exc))]
    else:
        result.item_id = item.pk
    return result


def read_rows(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a CSV file's bytes (UTF-8, a BOM allowed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BatchFileError(
            f"The file is not UTF-8 (byte {exc.start}); save it as CSV UTF-8. / "
            f"ไฟล์ไม่ได้เข้ารหัส UTF-8 (ไบต์ที่ {exc.start}) กรุณาบันทึกเป็น CSV UTF-8"
        ) from exc
    if "\x00" in text:
        raise BatchFileError("The file holds NUL characters. / ไฟล์มีอักขระ NUL")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise BatchFileError("The file is empty. / ไฟล์ว่างเปล่า") from None
    except csv.Error as exc:
        raise BatchFileError(f"Not a CSV file: {exc}") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise BatchFileError(
            f"Required columns missing: {', '.join(missing)}. / ไม่มีคอลัมน์ที่ต้องมี: {', '.join(missing)}"
        )
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise BatchFileError(
            f"Columns named twice: {', '.join(twice)}. / คอลัมน์ซ้ำ: {', '.join(twice)}"
        )
    rows: list[dict[str, str]] = []
    try:
        for values in reader:
            if len(rows) >= MAX_ROWS:
                raise BatchFileError(f"More than {MAX_ROWS} rows. / เกิน {MAX_ROWS} แถว")
            rows.append(
                {h: v.strip() for h, v in zip(header, values, strict=False) if h}
                if any(v.strip() for v in values)
                else {}
            )
    except csv.Error as exc:
        raise BatchFileError(f"Not a CSV file: {exc}") from exc
    return header, rows


def import_batch(
    csv_path: Path,
    files_dir: Path,
    institution: Institution,
    *,
    acting_user: Actor,
    publish: bool = False,
) -> BatchReport:
    """Deposit every row of *csv_path* (files from *files_dir*) for *institution*; a row's
    problems go into the report and the next row is read. Raises ``BatchFileError`` only when
    the file as a whole cannot be read, ``PermissionDenied`` when *acting_user* may not
    deposit for *institution*."""
    require(acting_user, "repository.deposit", institution)
    if not files_dir.is_dir():
        raise BatchFileError(f"No such folder: {files_dir} / ไม่พบโฟลเดอร์: {files_dir}")
    try:
        size = csv_path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BatchFileError(f"The CSV file is larger than {MAX_FILE_BYTES // 2**20} MB.")
        data = csv_path.read_bytes()
    except OSError as exc:
        raise BatchFileError(f"Cannot read {csv_path}: {exc.strerror}") from exc
    header, rows = read_rows(data)
    report = BatchReport(ignored_columns=[h for h in header if h and h not in COLUMNS])
    for index, row in enumerate(rows):
        if not row:
            continue  # an empty line
        report.rows.append(
            _row(
                index + 2,
                row,
                institution=institution,
                folder=files_dir,
                publish=publish,
                acting_user=acting_user,
            )
        )
    with transaction.atomic():
        record(
            AuditVerb.REPO_BATCH_IMPORTED,
            institution,
            acting_user=acting_user,
            institution_code=institution.code,
            file=csv_path.name,
            rows=len(report.rows),
            loaded=[r.item_id for r in report.loaded],
            failed=[r.row for r in report.failed],
        )
    return report
