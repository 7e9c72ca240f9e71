"""The fixity check finds a stored file changed on disk and one gone, and records each check."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from libcoop.ops.jobs import all_jobs
from libcoop.repository import fixity, storage
from libcoop.repository.models import FixityCheck, FixityOutcome
from tests.repository.files_world import a_file, an_item
from tests.repository.test_storage import a_pdf

pytestmark = pytest.mark.django_db


def on_disk(root: Path, sha: str) -> Path:
    return root / sha[:2] / sha[2:4] / sha


def test_a_file_changed_on_disk_and_a_missing_one_are_found(_repository_store: Path) -> None:
    intact = a_file(a_pdf(1), name="intact.pdf")
    corrupt = a_file(a_pdf(2), name="corrupt.pdf")
    gone = a_file(a_pdf(3), name="gone.pdf")
    shared = a_file(a_pdf(1), name="same-bytes.pdf")  # the same stored object as `intact`

    first = fixity.run()
    assert first.ok and first.checked == 4

    # One byte flipped in the middle of the stored PDF, as a failing disk would
    path = on_disk(_repository_store, corrupt.sha256)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    on_disk(_repository_store, gone.sha256).unlink()

    report = fixity.run()
    assert not report.ok
    assert [f.pk for f in report.changed] == [corrupt.pk]
    assert [f.pk for f in report.missing] == [gone.pk]
    latest = {c.file_id: c for c in FixityCheck.objects.filter(pk__gt=0).order_by("pk")}
    assert latest[intact.pk].outcome == latest[shared.pk].outcome == FixityOutcome.OK
    assert latest[corrupt.pk].outcome == FixityOutcome.CHANGED
    assert latest[corrupt.pk].found_sha256 == storage.hash_stored(corrupt.sha256)
    assert latest[corrupt.pk].found_sha256 != corrupt.sha256
    assert (latest[gone.pk].outcome, latest[gone.pk].found_sha256) == (FixityOutcome.MISSING, "")
    assert FixityCheck.objects.count() == 8  # every file, every run


def test_the_command_reports_by_library_and_fails_when_something_is_wrong(
    _repository_store: Path,
) -> None:
    mine = a_file(a_pdf(1), name="mine.pdf")
    theirs = a_file(a_pdf(2), name="theirs.pdf", item=an_item())
    on_disk(_repository_store, theirs.sha256).unlink()
    lines: list[str] = []
    code = mine.item.institution.code
    assert fixity.cli(code, lines.append) == 0
    assert lines == ["1 file(s) checked: 0 changed, 0 missing"]

    lines.clear()
    assert fixity.cli(None, lines.append) == 1
    assert lines[0].startswith(f"MISSING\t{theirs.item.institution.code}\titem {theirs.item_id}")
    assert lines[0].endswith(f"theirs.pdf\t{theirs.sha256}")
    assert lines[-1] == "2 file(s) checked: 0 changed, 1 missing"

    with pytest.raises(CommandError, match="no library"):
        fixity.cli("NO-SUCH-LIB", lines.append)


def test_the_weekly_job_checks_every_file() -> None:
    a_file(a_pdf(1))
    job = all_jobs()["repository.fixity"]
    assert job.every_minutes == 7 * 24 * 60
    assert job.run() == "1 file(s) checked: 0 changed, 0 missing"


def test_the_command_line(_repository_store: Path) -> None:
    from django.core.management import call_command

    f = a_file(a_pdf(1))
    out = io.StringIO()
    call_command("repository", "fixity", "--library", f.item.institution.code, stdout=out)
    assert "1 file(s) checked: 0 changed, 0 missing" in out.getvalue()
    on_disk(_repository_store, f.sha256).write_bytes(b"%PDF-1.7 changed")
    with pytest.raises(CommandError, match="changed or missing") as err:
        call_command("repository", "fixity", stdout=out)
    assert err.value.returncode == 1
    assert f"CHANGED\t{f.item.institution.code}" in out.getvalue()
