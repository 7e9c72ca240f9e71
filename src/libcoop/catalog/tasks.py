"""Background work of the catalog, on Django's task framework (``TASKS`` setting).

Imports run in a ``libcoop worker`` from the database queue. A worker that dies in the middle
of one leaves its task running with no heartbeat; ``ops.services.recover_lost_tasks`` queues
it again, and :func:`run_import` then runs the file again from the start: records already
written are unchanged (same library and 001, same raw bytes), so the job ends with the same
records as an uninterrupted import. After the last attempt the job is marked failed.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.tasks import task
from django.utils import timezone

from libcoop.catalog.ingest import import_deletes, import_file
from libcoop.catalog.models import ImportJob, ImportStatus
from libcoop.network.abilities import Actor


@task
def run_import(job_id: int, path: str, user_id: int | None) -> int:
    """Run a queued import job; a job that cannot even start is marked failed, with why."""
    job = ImportJob.objects.select_related("library", "created_by").get(pk=job_id)
    if job.status == ImportStatus.RUNNING:
        # An earlier attempt's worker stopped: start again from the first record.
        job.problems.all().delete()
        job.added = job.updated = job.unchanged = job.deleted = job.rejected = job.seen = 0
        job.bytes_done = 0
        job.message = "Resumed after the worker running it stopped."
        job.save()
    actor: Actor | None = User.objects.get(pk=user_id) if user_id else job.created_by
    try:
        if actor is None:
            raise PermissionDenied("The import job has no user to act for.")
        if job.kind == "deletes":
            import_deletes(Path(path), job.library, acting_user=actor, job=job)
        else:
            import_file(Path(path), job.library, acting_user=actor, job=job)
    except Exception as exc:
        job.refresh_from_db()
        if job.status == ImportStatus.QUEUED:
            job.status = ImportStatus.FAILED
            job.message = f"{type(exc).__name__}: {exc}"
            job.save(update_fields=["status", "message"])
        raise
    return job.pk


def abandon_import(job_id: int, reason: str) -> None:
    """The queue gave up on a job's task (its workers kept dying): the job says so."""
    ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).update(status=ImportStatus.FAILED, message=f"Gave up: {reason}", finished=timezone.now())
