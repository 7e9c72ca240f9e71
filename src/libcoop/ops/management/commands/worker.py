"""``libcoop worker`` — run the background work: queued imports and harvests, and the periodic
jobs of ``ops.jobs`` when they are due.

It is django-tasks-db's worker loop plus LibCoop's keeping: a thread beside it beats every few
seconds (``ops.WorkerHeartbeat``), hands the tasks of workers that stopped beating back to the
queue, and queues the schedules that are due. Run one or more per deployment; stop with
SIGTERM or Ctrl+C (the task in hand is finished first).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string

from libcoop.ops import services

logger = logging.getLogger("libcoop.worker")


class Keeper(threading.Thread):
    """Heartbeat, recovery and schedules, every ``interval`` seconds, until stopped."""

    def __init__(self, worker_id: str, interval: float, *, recover: bool = True) -> None:
        super().__init__(name="libcoop-keeper", daemon=True)
        self.worker_id = worker_id
        self.recover = recover
        self.interval = interval
        self.started = timezone.now()
        self.stop = threading.Event()

    def tick(self) -> None:
        services.beat(self.worker_id, self.started)
        recovery = services.recover_lost_tasks() if self.recover else services.Recovery()
        if recovery.requeued or recovery.failed:
            logger.warning(
                "tasks of stopped workers: %d queued again, %d given up",
                len(recovery.requeued),
                len(recovery.failed),
            )
        services.queue_due()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                close_old_connections()
                try:
                    self.tick()
                except OperationalError as exc:  # a busy SQLite file: try again next tick
                    logger.info("keeper tick skipped: %s", exc)
                self.stop.wait(self.interval)
        finally:
            connections.close_all()


class Command(BaseCommand):
    help = "Run a background worker: queued tasks and the periodic jobs that are due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=services.HEARTBEAT_SECONDS,
            help="seconds between heartbeats and schedule checks",
        )
        parser.add_argument("--worker-id", default="", help="default: host, pid and a random id")
        parser.add_argument(
            "--batch", action="store_true", help="run the queued tasks, then exit (for scripts)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        redis = services.uses_redis_queue()
        if not (services.uses_database_queue() or redis):
            raise CommandError(
                "The task backend is neither the database queue nor RQ (LIBCOOP_TASKS_BACKEND): "
                "a worker of that backend's own runs its tasks."
            )
        worker_id = options["worker_id"] or f"w-{get_random_string(12)}"
        services.ensure_schedules()
        keeper = Keeper(worker_id, options["heartbeat"], recover=not redis)
        keeper.tick()  # beat before the first task is claimed
        keeper.start()
        if redis:
            # RQ keeps its own registry of started jobs and moves those of a dead worker to
            # its failed registry; the keeper beats and queues the schedules.
            try:
                call_command(
                    "rqworker",
                    "default",
                    burst=options["batch"],
                    name=worker_id,
                    job_class="django_tasks_rq.backend.Job",
                )
            finally:
                keeper.stop.set()
                keeper.join(timeout=10)
                services.forget_worker(worker_id)
            return
        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"libcoop worker {worker_id} started")
        try:
            worker.run()
        finally:
            keeper.stop.set()
            keeper.join(timeout=10)
            services.forget_worker(worker_id)
            self.stdout.write(f"libcoop worker {worker_id} stopped")
