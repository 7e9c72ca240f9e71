"""Records that need attention: salvaged records, flagged for their library to fix.

A record whose damage was local (a few characters, one field's tag or indicators, one
subfield code, a blank leader/10-11) is loaded with the damage replaced (``marc.salvage``)
and flagged: its ``warnings`` list starts with ``{"repaired": reason, "detail": ...}``
entries.  This module finds them — the library's list (``/catalog/attention/``) and an
import job's count — and labels the reasons in the reader's language.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from libcoop.catalog.models import BibRecord, ImportJob
from libcoop.network.abilities import can, profile_of
from libcoop.network.models import Institution

PAGE_SIZE = 100

REPAIR_LABELS = {
    "bad_encoding": _("Characters that could not be read were replaced by �"),
    "bad_tag": _("A field with a damaged tag was dropped"),
    "bad_indicator": _("Damaged indicators were replaced by blanks"),
    "bad_subfield": _("A damaged subfield code was repaired or its subfield dropped"),
    "bad_directory": _("Fields were located by their terminators (directory lengths wrong)"),
    "not_marc21": _("Leader positions 10-11 were blank and were read as 22"),
    "bad_leader": _("A damaged MARCXML leader was replaced (type of record unknown)"),
}


def flagged(records: QuerySet[BibRecord]) -> QuerySet[BibRecord]:
    """The records among *records* flagged by a salvage."""
    return records.filter(flagged=True)


def flagged_count(job: ImportJob) -> int:
    """Records loaded (or updated) by *job* that were salvaged and need attention."""
    return flagged(BibRecord.objects.filter(job=job)).count()


def repairs_of(record: BibRecord) -> list[dict[str, Any]]:
    """The record's repairs, each with its reason's label."""
    out = []
    for entry in record.warnings or ():
        if isinstance(entry, dict) and "repaired" in entry:
            reason = str(entry.get("repaired", ""))
            out.append(
                {
                    "reason": reason,
                    "label": REPAIR_LABELS.get(reason, reason),
                    "detail": str(entry.get("detail", "")),
                }
            )
    return out


@login_required
def attention_page(request: HttpRequest) -> HttpResponse:
    """The library's flagged records (its own staff; ``?library=CODE`` for a superuser)."""
    code = request.GET.get("library", "")
    library: Institution | None
    if code:
        library = get_object_or_404(Institution, code=code)
    else:
        profile = profile_of(request.user)
        library = profile.institution if profile is not None else None
    if library is None or not can(request.user, "catalog.view_import", library):
        return render(request, "403.html", status=403)
    records = flagged(BibRecord.objects.filter(library=library, active=True)).order_by("local_id")
    page = Paginator(
        records.only("id", "local_id", "title", "warnings", "job_id", "cluster_id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [{"record": r, "repairs": repairs_of(r)} for r in page.object_list]
    return render(
        request,
        "catalog/attention.html",
        {"library": library, "page": page, "rows": rows, "total": page.paginator.count},
    )
