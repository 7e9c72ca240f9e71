"""``/health`` for a load balancer, and the operations page for staff (schedules, workers,
queue) at ``/ops/``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from libcoop.network.abilities import require
from libcoop.ops import services
from libcoop.ops.jobs import all_jobs
from libcoop.ops.models import Schedule


def health(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and, with the database queue, a worker is alive; else
    503 with what is down."""
    body: dict[str, Any] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = "ok"
    except DatabaseError as exc:
        body.update(status="down", database=f"down: {type(exc).__name__}")
        return JsonResponse(body, status=503)
    if services.uses_database_queue() or services.uses_redis_queue():
        workers = services.live_workers()
        if services.uses_database_queue():
            body["queue"] = services.queue_state()
        body["workers"] = [
            {"id": w.worker_id, "last_seen": w.last_seen.isoformat()} for w in workers
        ]
        if not workers:
            body["status"] = "down"
            body["reason"] = "no worker has beaten within the stale limit"
            return JsonResponse(body, status=503)
    return JsonResponse(body)


@login_required
def ops_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "ops.view", None)
    services.ensure_schedules()
    jobs = all_jobs()
    rows = [(s, jobs.get(s.key)) for s in Schedule.objects.all()]
    harvests: list[dict[str, Any]] = []
    try:
        from libcoop.interop.harvest.service import harvest_overview

        harvests = harvest_overview()
    except ImportError:  # pragma: no cover - interop is always installed here
        pass
    queue = services.queue_state() if services.uses_database_queue() else None
    return render(
        request,
        "ops/index.html",
        {
            "rows": rows,
            "workers": services.live_workers(),
            "queue": queue,
            "harvests": harvests,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def run_now(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(Schedule, pk=pk)
    require(request.user, "ops.run_now", schedule)
    services.run_now(schedule)
    messages.success(request, _("Queued: a worker runs it next."))
    return redirect("ops:index")
