"""An import's problem report as a librarian can act on it.

Each refused record is explained in plain words in the page's language (``PLAIN``, by the
reader's reason code), with the reader's technical message one click away; its place in
the file is given as its record number (1, 2, 3 …) beside the byte offset (ISO 2709) or
line (MARCXML). The report downloads as CSV (UTF-8 with a BOM, so Excel reads Thai), and
the records the job loaded are listed on their own page.

Who may see any of this: the job's library's catalog staff (``catalog.view_import``);
anyone else gets a 404, as for a job that does not exist.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from libcoop.catalog.models import BibRecord, ImportJob, ImportProblem
from libcoop.network.abilities import can

PLAIN: dict[str, Any] = {
    "bad_encoding": _(
        "Some characters could not be read: the record is not in the character encoding "
        "it declares (UTF-8 or MARC-8). Export it again from your system as UTF-8."
    ),
    "bad_leader": _("The record's leader (its first 24 characters) is damaged or missing."),
    "bad_length": _(
        "The record is cut short or its length is wrong: the file may be truncated, or was "
        "changed by a program that does not know MARC."
    ),
    "bad_directory": _("The record's directory (the list of its fields) is damaged."),
    "no_fields": _("The record has no fields."),
    "bad_indicator": _("A field's indicators are missing or damaged."),
    "bad_subfield": _("A subfield code is damaged."),
    "bad_tag": _("A field's tag is damaged (a tag is three letters or digits)."),
    "not_marc21": _("This is not a MARC 21 record (UNIMARC or another format?)."),
    "not_well_formed_xml": _("The MARCXML is not well-formed XML at this point."),
    "hostile_xml": _("The XML declares entities or a DOCTYPE, which are refused for safety."),
    "unparseable": _("The record could not be read."),
    "bad_001": _("The record's 001 (control number) is longer than 100 characters."),
    "bad_fields": _("The record's fields could not be read for cataloguing."),
    "duplicate_001": _(
        "Another record in the file has the same 001 (control number): the later one was "
        "kept, this one was not loaded."
    ),
    "duplicate_no_001": _(
        "This record and a later one both lack a 001 (control number) and cannot be told "
        "apart (same 035, or identical): the later one was kept, this one was not loaded."
    ),
    "unknown_001": _("No record with this 001 in your catalog, so nothing was deleted."),
}


def plain_reason(reason: str, detail: str = "") -> str:
    """The reason in words in the page's language (a generic sentence for a new code); a
    decoding error met anywhere ("'ascii' codec can't decode byte 0xc3") is an encoding one."""
    if "codec can't decode" in detail or "codec can't encode" in detail:
        reason = "bad_encoding"
    text = PLAIN.get(reason)
    return str(text) if text is not None else gettext("The record could not be loaded.")


def job_message(job: ImportJob) -> str:
    """A failed job's message in words when it is a decoding error ("" otherwise: the
    message is then shown as written)."""
    if "codec can't" in job.message:
        return gettext(
            "The file is not in the character encoding it declares, so it could not be read. "
            "Export it again from your system as UTF-8 (MARC 21, leader position 9 = a)."
        )
    return ""


@dataclass(frozen=True)
class ProblemRow:
    number: int
    offset: int
    local_id: str
    reason: str
    plain: str
    detail: str


def rows(job: ImportJob, limit: int | None = None) -> list[ProblemRow]:
    problems = job.problems.order_by("position", "id")
    if limit is not None:
        problems = problems[:limit]
    return [_row(p) for p in problems.only("position", "offset", "local_id", "reason", "message")]


def _row(p: ImportProblem) -> ProblemRow:
    return ProblemRow(
        p.position, p.offset, p.local_id, p.reason, plain_reason(p.reason, p.message), p.message
    )


def place_label(job: ImportJob) -> str:
    """What the offset column counts: bytes in an ISO 2709 file, lines in MARCXML."""
    if job.source_name.lower().endswith(".xml"):
        return gettext("Line")
    return gettext("Byte offset")


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("library"), pk=pk)
    if not can(request.user, "catalog.view_import", job.library):
        raise Http404
    return job


@login_required
def problems_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole problem report as CSV, UTF-8 with a BOM (Excel then reads Thai correctly)."""
    job = _job_for(request, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            gettext("Record no."),
            place_label(job),
            "001",
            gettext("Reason"),
            gettext("Reason code"),
            gettext("Technical detail"),
        ]
    )
    for r in rows(job):
        writer.writerow([r.number, r.offset, r.local_id, r.plain, r.reason, r.detail])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response


@login_required
def job_records(request: HttpRequest, pk: int) -> HttpResponse:
    """The records this import loaded (added or changed), linked to their clusters."""
    job = _job_for(request, pk)
    records = (
        BibRecord.objects.filter(job=job, active=True)
        .only("id", "local_id", "title", "cluster_id", "created", "updated")
        .order_by("local_id")
    )
    page = Paginator(records, 100).get_page(request.GET.get("page"))
    return render(request, "catalog/job_records.html", {"job": job, "page": page})
