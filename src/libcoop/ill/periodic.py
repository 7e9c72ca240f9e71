"""Interlibrary loan's periodic jobs (``ops.jobs``): lenders that did not answer in time, loans
past their due date, and messages waiting to be sent again."""

from __future__ import annotations

import datetime

from django.utils import timezone

from libcoop.ill import messaging, rota, services
from libcoop.ill.models import PatronRequest, RequesterState, RotaEntry
from libcoop.network.abilities import SYSTEM
from libcoop.ops.jobs import PeriodicJob


def rota_timeouts(now: datetime.datetime | None = None) -> str:
    """A lender asked longer ago than its network's time-out passes the request on."""
    now = now or timezone.now()
    moved = 0
    for request in PatronRequest.objects.filter(state=RequesterState.SENT).select_related(
        "requester"
    ):
        _criteria, days, _network = rota.policy_for(request.requester)
        asked = request.rota.filter(outcome=RotaEntry.Outcome.ASKED).first()
        if asked and asked.asked_at and asked.asked_at <= now - datetime.timedelta(days=days):
            services.perform(request, "lender_timeout", acting_user=SYSTEM)
            moved += 1
    return f"{moved} request(s) passed to the next lender"


def overdue(today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    late = PatronRequest.objects.filter(state=RequesterState.CHECKED_OUT, due_date__lt=today)
    count = 0
    for request in late:
        services.perform(request, "overdue", acting_user=SYSTEM)
        count += 1
    return f"{count} loan(s) overdue"


JOBS = {
    "ill.rota_timeouts": PeriodicJob(rota_timeouts, 60, "ILL: lenders that did not answer in time"),
    "ill.overdue": PeriodicJob(overdue, 24 * 60, "ILL: loans past their due date"),
    "ill.outbox": PeriodicJob(messaging.retry_due, 5, "ILL: messages to send again"),
}
