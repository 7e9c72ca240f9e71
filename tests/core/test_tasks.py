"""An import task that cannot start marks its job failed, with why."""

from __future__ import annotations

from pathlib import Path

import pytest

from libcoop.catalog.models import ImportJob
from libcoop.catalog.tasks import run_import
from libcoop.network.models import StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import InstitutionFactory, staff


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
