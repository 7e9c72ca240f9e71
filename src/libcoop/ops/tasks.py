"""The task that runs one periodic job and records how it went on its schedule."""

from __future__ import annotations

import traceback

from django.tasks import task
from django.utils import timezone

from libcoop.ops.jobs import all_jobs
from libcoop.ops.models import RunStatus, Schedule


@task
def run_periodic(key: str) -> str:
    job = all_jobs()[key]
    Schedule.objects.filter(key=key).update(
        last_status=RunStatus.RUNNING, last_started=timezone.now()
    )
    try:
        summary = job.run()
    except Exception as exc:
        Schedule.objects.filter(key=key).update(
            last_status=RunStatus.FAILED,
            last_finished=timezone.now(),
            last_error="".join(traceback.format_exception_only(exc)).strip()[-4000:],
        )
        raise
    Schedule.objects.filter(key=key).update(
        last_status=RunStatus.OK,
        last_finished=timezone.now(),
        last_error="",
        last_summary=str(summary)[:500],
    )
    return str(summary)
