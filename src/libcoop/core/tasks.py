"""A task backend for the single-machine server: each task runs in a background thread.

Django's ``ImmediateBackend`` runs a task inside the request, so an import page could only
show its progress bar once the import is over. ``ThreadBackend`` starts the task after the
request's transaction commits, in a daemon thread of the serving process, so the page polls
a job that is really running. A deployment with many staff or several machines sets
``LIBCOOP_TASKS_BACKEND`` to a queue backend with workers instead; no code changes.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import connections, transaction
from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.base import TaskResult, TaskResultStatus
from django.utils.crypto import get_random_string


class ThreadBackend(ImmediateBackend):
    def enqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        result: TaskResult[Any, Any] = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )

        def run() -> None:
            try:
                self._execute_task(result)  # type: ignore[attr-defined]
            finally:
                connections.close_all()  # the thread's own connections

        transaction.on_commit(lambda: threading.Thread(target=run, daemon=True).start())
        return result
