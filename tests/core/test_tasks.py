"""The server's default task backend runs an import in a background thread after commit."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.tasks.base import TaskResultStatus

from libcoop.catalog.models import ImportJob
from libcoop.catalog.tasks import run_import
from libcoop.network.models import StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import InstitutionFactory, staff


@pytest.mark.django_db(transaction=True)
def test_thread_backend_runs_the_import_after_commit(settings: Any, tmp_path: Path) -> None:
    settings.TASKS = {"default": {"BACKEND": "libcoop.core.tasks.ThreadBackend"}}
    library = InstitutionFactory(code="THR-LIB")
    librarian = staff(StaffRole.LIBRARIAN, library)
    path = write(tmp_path / "a.mrc", book("t1", "Threads"), book("t2", "More threads"))
    with transaction.atomic():
        job = ImportJob.objects.create(library=library, source_name="a.mrc", bytes_total=1)
        result = run_import.enqueue(job.pk, str(path), librarian.pk)
        time.sleep(0.2)
        job.refresh_from_db()
        assert job.status == "queued"  # nothing runs before the request's transaction commits
    # Wait on the task's own result, not by reading the job: the test database is in-memory
    # SQLite with a shared cache, where a read racing the thread's write fails at once
    # ("table is locked") instead of waiting as a file database does.
    for _ in range(300):
        if result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
            break
        time.sleep(0.1)
    job.refresh_from_db()
    assert (job.status, job.added) == ("done", 2)
    assert result.backend == "default"


@pytest.mark.django_db
def test_a_job_that_cannot_start_is_marked_failed(tmp_path: Path) -> None:
    library = InstitutionFactory(code="FAIL-LIB")
    path = write(tmp_path / "a.mrc", book("t1", "Threads"))
    job = ImportJob.objects.create(library=library, source_name="a.mrc")
    outsider = staff(StaffRole.LIBRARIAN, InstitutionFactory(code="OTHER-LIB"))
    result = run_import.enqueue(job.pk, str(path), outsider.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "PermissionDenied" in job.message
    assert result.status == "FAILED"
