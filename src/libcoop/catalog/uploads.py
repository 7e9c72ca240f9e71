"""MARC files uploaded through the web: queued as an import job, kept for a while, removed.

The one write path for an upload (page and any future caller): :func:`queue_import` checks the
ability, stores the file under ``MEDIA_ROOT/imports/<job id>-<random>.upload`` (the uploaded
name never becomes a path), creates the job and hands it to the task queue.

Retention (``LIBCOOP_IMPORT_UPLOAD_RETENTION_DAYS``, default 30): the raw bytes of every
record are stored with the record, so the file is needed for nothing once its job has ended;
it is kept that many days for the library's own checks, then :func:`sweep_uploads` removes it
(run on every new upload and by ``libcoop catalog sweep-uploads``). A job that is still queued
or running keeps its file whatever its age. ``0`` removes a file as soon as its job has ended.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from libcoop.audit.services import user_of
from libcoop.catalog.models import ImportJob, ImportStatus
from libcoop.catalog.tasks import run_import
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution

SUFFIX = ".upload"
# The most a MARC file may weigh, on every path (page, API).
MAX_UPLOAD_BYTES = 512 * 1024 * 1024


class Upload(Protocol):
    name: str | None

    def chunks(self) -> object: ...


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def queue_import(
    library: Institution, upload: Upload, kind: str, *, acting_user: Actor
) -> ImportJob:
    """Store *upload* and queue its import for *library*; returns the queued job."""
    require(acting_user, "catalog.import", library)
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.")
            % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    sweep_uploads()
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        job = ImportJob.objects.create(
            library=library,
            source_name=Path(upload.name or "upload").name[:300],
            kind="deletes" if kind == "deletes" else "records",
            created_by=user_of(acting_user),
        )
        path = folder / f"{job.pk}-{uuid.uuid4().hex}{SUFFIX}"
        with open(path, "wb") as out:
            for chunk in upload.chunks():  # type: ignore[attr-defined]
                out.write(chunk)
        job.bytes_total = path.stat().st_size
        job.save(update_fields=["bytes_total"])
    # Queued once the job row is committed (the worker must find it).
    user = user_of(acting_user)
    run_import.enqueue(job.pk, str(path), user.pk if user is not None else None)
    return job


@dataclass
class SweepResult:
    removed: list[Path] = field(default_factory=list)
    kept_running: int = 0


def sweep_uploads(retention_days: float | None = None, *, dry_run: bool = False) -> SweepResult:
    """Remove uploaded files whose job has ended and that are older than the retention."""
    if retention_days is None:
        retention_days = settings.LIBCOOP_IMPORT_UPLOAD_RETENTION_DAYS
    result = SweepResult()
    folder = upload_dir()
    if not folder.is_dir():
        return result
    cutoff = time.time() - retention_days * 86400
    candidates: dict[int | None, list[Path]] = {}
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            if path.stat().st_mtime > cutoff:
                continue
        except FileNotFoundError:
            continue
        head = path.name.split("-", 1)[0]
        job_id = int(head) if head.isascii() and head.isdigit() and "-" in path.name else None
        candidates.setdefault(job_id, []).append(path)
    active = set(
        ImportJob.objects.filter(
            pk__in=[k for k in candidates if k is not None],
            status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING],
        ).values_list("pk", flat=True)
    )
    for job_id, paths in candidates.items():
        if job_id in active:
            result.kept_running += len(paths)
            continue
        for path in paths:
            if not dry_run:
                path.unlink(missing_ok=True)
            result.removed.append(path)
    return result
