"""The digital collection's periodic job (``ops.jobs``): embargoes that have ended.

The access rule reads the date (``access.effective_access``), so an item's files are served
from the day its embargo ends without anyone saving it again. Its text, though, sits in the
restricted index until the item is indexed again; this daily job does that for every
published item whose embargo ended on or before today and has not been handled yet, and
records one audit entry per item and embargo date.

"Not handled yet" is read from the audit log itself (an ``embargo_ended`` entry for the item
with that ``embargo_until``), not from the time of the last run: a run missed (no worker for a
week) or a run twice in one day changes nothing, and an embargo moved to a later date is
handled again when that date comes. The item's ``updated`` moves on, so that OAI-PMH
harvesters (which harvest by datestamp) see the record with its files now linked.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.audit.services import record
from libcoop.network.abilities import SYSTEM
from libcoop.ops.jobs import PeriodicJob
from libcoop.repository import access, search
from libcoop.repository.models import Access, Item, ItemStatus


def _handled(items: list[Item]) -> set[tuple[str, str]]:
    """(item id, embargo date) pairs that already have their audit entry."""
    events = AuditEvent.objects.filter(
        verb=AuditVerb.REPO_EMBARGO_ENDED,
        object_type=Item._meta.label_lower,
        object_id__in=[str(item.pk) for item in items],
    ).values_list("object_id", "data")
    return {(object_id, str((data or {}).get("embargo_until", ""))) for object_id, data in events}


def end_embargoes(on: datetime.date | None = None) -> str:
    """Index again, and audit once, every published item whose embargo has ended by ``on``."""
    on = on or access.today()
    ended = list(
        Item.objects.filter(
            status=ItemStatus.PUBLISHED, access=Access.EMBARGO, embargo_until__lte=on
        )
        .select_related("institution")
        .order_by("pk")
    )
    done = _handled(ended)
    count = 0
    for item in ended:
        assert item.embargo_until is not None
        until = item.embargo_until.isoformat()
        if (str(item.pk), until) in done:
            continue
        with transaction.atomic():
            search.index_item(item.pk, on=on)
            # the record changed for harvesters (OAI-PMH datestamp): its files are now linked
            Item.objects.filter(pk=item.pk).update(updated=timezone.now())
            record(
                AuditVerb.REPO_EMBARGO_ENDED,
                item,
                acting_user=SYSTEM,
                institution_code=item.institution.code,
                embargo_until=until,
                access_now=access.effective_access(item, on),
            )
        count += 1
    return f"{count} embargo(es) ended"


JOBS = {
    "repository.end_embargoes": PeriodicJob(
        end_embargoes, 24 * 60, _("Digital collection: items whose embargo has ended")
    ),
}
