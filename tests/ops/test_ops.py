"""Operations as data: lost tasks queued again or given up, schedules queued once when due and
their outcome recorded, the health check, and the operations page with its permissions."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from libcoop.catalog.models import ImportJob, ImportStatus
from libcoop.catalog.tasks import run_import
from libcoop.network.models import StaffRole
from libcoop.ops import jobs, services
from libcoop.ops.models import RunStatus, Schedule, WorkerHeartbeat
from libcoop.ops.tasks import run_periodic
from tests.factories import InstitutionFactory, NetworkFactory, UserFactory, staff

pytestmark = pytest.mark.django_db
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def db_queue(settings: Any) -> None:
    settings.TASKS = DB_QUEUE
    settings.LIBCOOP_WORKER_STALE_SECONDS = 60


def _claimed_import(worker_id: str, attempts: int = 1) -> tuple[ImportJob, Any]:
    from django_tasks_db.models import DBTaskResult

    job = ImportJob.objects.create(
        library=InstitutionFactory(), source_name="a.mrc", status=ImportStatus.RUNNING
    )
    result = run_import.enqueue(job.pk, "/nonexistent", None)
    row = DBTaskResult.objects.get(pk=result.id)
    row.worker_ids = [f"earlier-{n}" for n in range(attempts - 1)]
    row.save(update_fields=["worker_ids"])
    row.claim(worker_id)
    return job, row


def test_a_task_of_a_live_worker_is_left_alone(db_queue: None) -> None:
    now = timezone.now()
    services.beat("alive", now)
    _, row = _claimed_import("alive")
    assert services.recover_lost_tasks() == services.Recovery()
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_a_task_of_a_worker_that_stopped_beating_is_queued_again(db_queue: None) -> None:
    old = timezone.now() - datetime.timedelta(minutes=5)
    services.beat("gone", old)
    WorkerHeartbeat.objects.filter(worker_id="gone").update(last_seen=old)
    job, row = _claimed_import("gone")
    recovery = services.recover_lost_tasks()
    row.refresh_from_db()
    assert recovery.requeued == [str(row.id)] and row.status == "READY"
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING  # the next attempt resumes it


def test_a_task_whose_workers_keep_dying_is_given_up_and_its_job_says_so(db_queue: None) -> None:
    job, row = _claimed_import("never-seen", attempts=services.MAX_ATTEMPTS)
    recovery = services.recover_lost_tasks()
    row.refresh_from_db()
    assert recovery.failed == [str(row.id)] and row.status == "FAILED"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "Gave up" in job.message


def test_schedules_are_data_and_run_once_when_due(db_queue: None) -> None:
    from django_tasks_db.models import DBTaskResult

    services.ensure_schedules()
    assert set(Schedule.objects.values_list("key", flat=True)) == set(jobs.all_jobs())
    Schedule.objects.update(next_run=timezone.now() + datetime.timedelta(hours=1))
    assert services.queue_due() == []
    Schedule.objects.filter(key="events.remind").update(next_run=timezone.now())
    assert services.queue_due() == ["events.remind"]
    assert services.queue_due() == []  # moved on: a second worker finds nothing to queue
    schedule = Schedule.objects.get(key="events.remind")
    assert schedule.last_status == RunStatus.QUEUED
    assert schedule.next_run > timezone.now() + datetime.timedelta(minutes=59)
    assert DBTaskResult.objects.filter(task_path="libcoop.ops.tasks.run_periodic").count() == 1


def test_a_periodic_job_records_its_result_and_its_error(monkeypatch: Any) -> None:
    services.ensure_schedules()
    run_periodic.enqueue("catalog.sweep_uploads")  # immediate backend in tests
    ok = Schedule.objects.get(key="catalog.sweep_uploads")
    assert ok.last_status == RunStatus.OK and "removed" in ok.last_summary
    assert ok.last_started is not None and ok.last_finished is not None

    def broken() -> str:
        raise RuntimeError("mail server unreachable")

    table = dict(jobs.JOBS)
    table["events.remind"] = jobs.PeriodicJob(broken, 60, "x")
    monkeypatch.setattr(jobs, "JOBS", table)
    run_periodic.enqueue("events.remind")
    failed = Schedule.objects.get(key="events.remind")
    assert failed.last_status == RunStatus.FAILED
    assert "mail server unreachable" in failed.last_error


def test_health_answers_for_the_database_and_the_workers(db_queue: None) -> None:
    down = Client().get("/health")
    assert down.status_code == 503 and down.json()["reason"].startswith("no worker")
    services.beat("w1", timezone.now())
    up = Client().get("/health")
    assert up.status_code == 200
    body = up.json()
    assert body["database"] == "ok" and [w["id"] for w in body["workers"]] == ["w1"]
    assert body["queue"]["ready"] == 0


def test_health_without_a_database_queue_needs_no_worker() -> None:
    assert Client().get("/health").json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("patron", 403),
        ("librarian", 403),
        ("coordinator", 200),
        ("staff_user", 200),
        ("superuser", 200),
    ],
)
def test_the_operations_page(role: str, status: int, db_queue: None) -> None:
    client = Client()
    library = InstitutionFactory()
    if role in ("patron", "librarian"):
        client.force_login(staff(StaffRole[role.upper()], library))
    elif role == "coordinator":
        client.force_login(staff(StaffRole.NETWORK_COORDINATOR, library, network=NetworkFactory()))
    elif role in ("staff_user", "superuser"):
        user = UserFactory(is_staff=True, is_superuser=role == "superuser")
        user.save()
        client.force_login(user)
    response = client.get("/ops/")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "events.remind" in page and 'id="no-workers"' in page
        assert ("Run now" in page or "เรียกใช้" in page) == (role == "superuser")


def test_run_now_is_for_superusers(db_queue: None) -> None:
    from django_tasks_db.models import DBTaskResult

    services.ensure_schedules()
    schedule = Schedule.objects.get(key="core.sweep_attachments")
    coordinator = staff(
        StaffRole.NETWORK_COORDINATOR, InstitutionFactory(), network=NetworkFactory()
    )
    client = Client()
    client.force_login(coordinator)
    assert client.post(f"/ops/schedules/{schedule.pk}/run/").status_code == 403
    assert not DBTaskResult.objects.exists()
    admin = UserFactory(is_staff=True, is_superuser=True)
    admin.save()
    client.force_login(admin)
    assert client.post(f"/ops/schedules/{schedule.pk}/run/").status_code == 302
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_worker_refuses_another_backend(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="neither the database queue nor RQ"):
        call_command("worker", "--batch")
