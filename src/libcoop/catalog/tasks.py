"""Background work of the catalog, on Django's task framework (``TASKS`` setting).

The default backend runs a task at once, in the request; a deployment that wants imports
off the request thread configures a queue backend (e.g. a database or Redis backend) and a
worker, without code changes.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.tasks import task

from libcoop.catalog.ingest import import_deletes, import_file
from libcoop.catalog.models import ImportJob
from libcoop.network.abilities import Actor


@task
def run_import(job_id: int, path: str, user_id: int | None) -> int:
    job = ImportJob.objects.select_related("library").get(pk=job_id)
    actor: Actor = User.objects.get(pk=user_id) if user_id else job.created_by  # type: ignore[assignment]
    if job.kind == "deletes":
        import_deletes(Path(path), job.library, acting_user=actor, job=job)
    else:
        import_file(Path(path), job.library, acting_user=actor, job=job)
    return job.pk
