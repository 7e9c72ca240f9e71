"""Interlibrary loan's periodic jobs (``ops.jobs``): lenders that did not answer in time, loans
past their due date, and messages waiting to be sent again."""

from __future__ import annotations

import datetime

from django.db import transaction
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


def due_soon(today: datetime.date | None = None, days: int = 3) -> str:
    """Tell patrons three days before a loan is due (once per loan)."""
    from libcoop.ill import notify

    today = today or timezone.localdate()
    soon = PatronRequest.objects.filter(
        state=RequesterState.CHECKED_OUT,
        due_date__gte=today,
        due_date__lte=today + datetime.timedelta(days=days),
        due_soon_sent=False,
    ).select_related("patron", "requester")
    count = 0
    for request in soon:
        with transaction.atomic():
            notify.patron(request, "due_soon")
            PatronRequest.objects.filter(pk=request.pk).update(due_soon_sent=True)
        count += 1
    return f"{count} patron(s) told a loan is due soon"


def expire_copies(now: datetime.datetime | None = None) -> str:
    """Delete the files of copies whose link expired or was used up."""
    from django.db.models import Q

    from libcoop.core.attachments import remove
    from libcoop.ill.models import CopyFile

    now = now or timezone.now()
    done = CopyFile.objects.filter(Q(expires__lte=now) | Q(downloads_left=0)).filter(
        attachment__isnull=False
    )
    count = 0
    for copy in done.select_related("attachment", "attachment__institution"):
        attachment = copy.attachment
        assert attachment is not None
        remove(attachment, acting_user=SYSTEM)
        count += 1
    return f"{count} copy file(s) deleted"


JOBS = {
    "ill.rota_timeouts": PeriodicJob(rota_timeouts, 60, "ILL: lenders that did not answer in time"),
    "ill.overdue": PeriodicJob(overdue, 24 * 60, "ILL: loans past their due date"),
    "ill.outbox": PeriodicJob(messaging.retry_due, 5, "ILL: messages to send again"),
    "ill.due_soon": PeriodicJob(due_soon, 24 * 60, "ILL: loans due in three days"),
    "ill.expire_copies": PeriodicJob(expire_copies, 60, "ILL: delete expired copies"),
}
