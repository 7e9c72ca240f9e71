"""Keeping background work alive: worker heartbeats, tasks of lost workers, due schedules.

A ``libcoop worker`` beats every ``HEARTBEAT_SECONDS``. A task still marked running whose
worker has not beaten for ``LIBCOOP_WORKER_STALE_SECONDS`` (default 60) was lost with its
worker (killed, machine gone): :func:`recover_lost_tasks` hands it back to the queue, and after
``MAX_ATTEMPTS`` marks it failed — so no task, and no import job, shows "running" once its
worker is gone. Imports are idempotent (a record is keyed by library and 001, unchanged raw
bytes are a no-op), so running one again ends with the same records as an uninterrupted run.
"""

from __future__ import annotations

import datetime
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.tasks.base import TaskResultStatus
from django.utils import timezone

from libcoop.ops.jobs import all_jobs
from libcoop.ops.models import RunStatus, Schedule, WorkerHeartbeat

HEARTBEAT_SECONDS: Final = 5
MAX_ATTEMPTS: Final = 3


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(getattr(settings, "LIBCOOP_WORKER_STALE_SECONDS", 60)))


def beat(worker_id: str, started: datetime.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started": started,
            "last_seen": now,
        },
    )


def live_workers(now: datetime.datetime | None = None) -> list[WorkerHeartbeat]:
    now = now or timezone.now()
    return list(WorkerHeartbeat.objects.filter(last_seen__gte=now - stale_after()))


def forget_worker(worker_id: str) -> None:
    """A worker that stops cleanly says so (its tasks have finished)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


# What to do when a task is given up: the task's path → a function of its arguments.
ABANDON_HOOKS: dict[str, Callable[[list[Any], str], None]] = {}


def _abandon_import(args: list[Any], reason: str) -> None:
    from libcoop.catalog.tasks import abandon_import

    if args:
        abandon_import(int(args[0]), reason)


ABANDON_HOOKS["libcoop.catalog.tasks.run_import"] = _abandon_import


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def recover_lost_tasks(now: datetime.datetime | None = None) -> Recovery:
    """Queue again (or fail, after ``MAX_ATTEMPTS``) the tasks whose worker is gone."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    alive = {w.worker_id for w in live_workers(now)}
    result = Recovery()
    grace = now - stale_after()
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        for row in running:
            worker = row.worker_ids[-1] if row.worker_ids else None
            if worker in alive or (row.started_at and row.started_at >= grace and worker is None):
                continue
            args = list((row.args_kwargs or {}).get("args", []))
            if len(row.worker_ids) < MAX_ATTEMPTS:
                row.status = TaskResultStatus.READY
                row.started_at = None
                row.run_after = now
                row.save(update_fields=["status", "started_at", "run_after"])
                result.requeued.append(str(row.id))
                continue
            reason = f"worker {worker} stopped while running it, {len(row.worker_ids)} times"
            row.status = TaskResultStatus.FAILED
            row.finished_at = now
            row.exception_class_path = "libcoop.ops.services.WorkerLost"
            row.traceback = reason
            row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            hook = ABANDON_HOOKS.get(row.task_path)
            if hook is not None:
                hook(args, reason)
            result.failed.append(str(row.id))
    return result


def ensure_schedules(now: datetime.datetime | None = None) -> None:
    """One schedule row per registered job, with its default interval (kept once edited)."""
    now = now or timezone.now()
    known = set(Schedule.objects.values_list("key", flat=True))
    Schedule.objects.bulk_create(
        [
            Schedule(key=key, every_minutes=job.every_minutes, next_run=now)
            for key, job in all_jobs().items()
            if key not in known
        ]
    )


def queue_due(now: datetime.datetime | None = None) -> list[str]:
    """Queue every enabled schedule that is due, and move its next run on; the row lock makes
    a second worker skip what the first has queued."""
    from libcoop.ops.tasks import run_periodic

    now = now or timezone.now()
    jobs = all_jobs()
    queued = []
    with transaction.atomic():
        due = Schedule.objects.select_for_update().filter(enabled=True, next_run__lte=now)
        for schedule in due:
            if schedule.key not in jobs:
                continue
            schedule.next_run = now + datetime.timedelta(minutes=schedule.every_minutes)
            schedule.last_status = RunStatus.QUEUED
            schedule.save(update_fields=["next_run", "last_status"])
            queued.append(schedule.key)
    for key in queued:
        run_periodic.enqueue(key)
    return queued


def run_now(schedule: Schedule) -> None:
    """Queue a schedule's job at once (staff's "run now"); the next run stays as it was."""
    from libcoop.ops.tasks import run_periodic

    Schedule.objects.filter(pk=schedule.pk).update(last_status=RunStatus.QUEUED)
    run_periodic.enqueue(schedule.key)


def queue_state() -> dict[str, Any]:
    """Counts of the database queue, for the health check and the operations page."""
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {
        "ready": ready.count(),
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "failed": DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count(),
        "oldest_ready_seconds": (
            round((timezone.now() - oldest).total_seconds(), 1) if oldest else None
        ),
    }


def uses_database_queue() -> bool:
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return str(backend).startswith("django_tasks_db.")


def uses_redis_queue() -> bool:
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return str(backend).startswith("django_tasks_rq.")
