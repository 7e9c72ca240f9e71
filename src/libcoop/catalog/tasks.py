"""Background work of the catalog, on Django's task framework (``TASKS`` setting).

The default backend runs a task at once, in the request; a deployment that wants imports
off the request thread configures a queue backend (e.g. a database or Redis backend) and a
worker, without code changes.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.tasks import task

from libcoop.catalog.ingest import import_deletes, import_file
from libcoop.catalog.models import ImportJob, ImportStatus
from libcoop.network.abilities import Actor


@task
def run_import(job_id: int, path: str, user_id: int | None) -> int:
    """Run a queued import job; a job that cannot even start is marked failed, with why."""
    job = ImportJob.objects.select_related("library", "created_by").get(pk=job_id)
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
