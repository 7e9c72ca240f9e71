"""Harvesting a member library's OAI-PMH 2.0 repository into the union catalog.

``harvest(source)`` asks ``ListRecords`` (§4.5) for the source's set and MARCXML format,
``from`` the previous complete harvest's ``responseDate`` (§3.3 selective harvesting: the
bounds are inclusive, so nothing falls between two harvests), and follows resumption
tokens (§3.5). Each page is one transaction: its records go through the catalog's ingest
(``import_file`` with the run's one ``ImportJob``: same checks, problems and clustering as a
file), its deleted headers (§2.5) withdraw records, and the next token is saved, so an
interrupted harvest resumes after the last committed page.

Which local record a deleted header means: the 001 stored when that identifier was last
harvested with metadata (``HarvestedItem``); failing that, the identifier's last segment
after ``:`` or ``/`` (``oai:lib.example.ac.th:1234`` → ``1234``, as Koha and most ILS
providers build identifiers from the record number).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from lxml import etree

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import apply_changes, record, user_of
from libcoop.catalog.ingest import import_file, withdraw_records
from libcoop.catalog.models import ImportJob, ImportProblem, ImportStatus
from libcoop.interop.harvest.client import NS, Client, HarvestError, OAIError, Opener, Page
from libcoop.interop.models import (
    INGESTIBLE_PREFIXES,
    HarvestedItem,
    HarvestRun,
    HarvestSource,
    RunStatus,
    Schedule,
)
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution

MARC = "http://www.loc.gov/MARC21/slim"
INTERVALS = {Schedule.DAILY: dt.timedelta(days=1), Schedule.WEEKLY: dt.timedelta(days=7)}


def register_source(
    library: Institution,
    base_url: str,
    *,
    acting_user: Actor,
    set_spec: str = "",
    metadata_prefix: str = "marc21",
    schedule: str = Schedule.DAILY,
) -> HarvestSource:
    """Register (or change) *library*'s OAI-PMH source; its admin or an operator may."""
    require(acting_user, "institution.edit", library)
    with transaction.atomic():
        source = HarvestSource.objects.select_for_update().filter(library=library).first()
        created = source is None
        if source is None:
            source = HarvestSource(library=library)
        changes = apply_changes(
            source,
            {
                "base_url": base_url,
                "set_spec": set_spec,
                "metadata_prefix": metadata_prefix,
                "schedule": schedule,
            },
            allowed=("base_url", "set_spec", "metadata_prefix", "schedule"),
        )
        source.full_clean()
        source.save()
        if created or changes:
            verb = AuditVerb.HARVEST_SOURCE_CHANGED
            if created:
                verb = AuditVerb.HARVEST_SOURCE_REGISTERED
            record(
                verb,
                source,
                acting_user=acting_user,
                institution_code=library.code,
                changes=changes,
            )
    return source


def due_sources(now: dt.datetime | None = None) -> list[HarvestSource]:
    """Enabled, scheduled sources whose last run started longer ago than their interval."""
    now = now or timezone.now()
    out = []
    for source in HarvestSource.objects.filter(enabled=True).exclude(schedule=Schedule.MANUAL):
        last = source.runs.order_by("-started").values_list("started", flat=True).first()
        if last is None or now - last >= INTERVALS[Schedule(source.schedule)]:
            out.append(source)
    return out


def harvest_overview(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Each source with its schedule, last run (status, error) and next due time, for the
    operations page."""
    now = now or timezone.now()
    rows = []
    for source in HarvestSource.objects.select_related("library").order_by("library__code"):
        last = source.runs.order_by("-started").first()
        interval = INTERVALS.get(Schedule(source.schedule))
        due = None
        if source.enabled and interval is not None:
            due = now if last is None else last.started + interval
        rows.append(
            {
                "library": source.library.code,
                "base_url": source.base_url,
                "schedule": source.get_schedule_display(),
                "enabled": source.enabled,
                "last_run": last,
                "next_due": due,
            }
        )
    return rows


@dataclass
class _Plan:
    run: HarvestRun
    token: str | None
    start: dt.datetime | None


def harvest(
    source: HarvestSource,
    *,
    acting_user: Actor,
    sleep: Callable[[float], None] = time.sleep,
    opener: Opener | None = None,
    from_date: dt.datetime | None = None,
    full: bool = False,
    client: Client | None = None,
) -> HarvestRun:
    """Harvest *source* (resuming an interrupted run unless *full*); returns the run, whose
    status says how it ended. Only the library's staff, superusers and SYSTEM may."""
    require(acting_user, "catalog.import", source.library)
    if source.metadata_prefix not in INGESTIBLE_PREFIXES:
        raise ValueError(
            f"metadataPrefix {source.metadata_prefix!r} cannot be ingested: the catalog reads "
            "MARCXML only (use marc21)."
        )
    client = client or Client(source.base_url, opener=opener, sleep=sleep)
    plan = _plan(source, client, acting_user, from_date, full)
    run, job = plan.run, plan.run.import_job
    retries_before = run.retries
    try:
        from_ = _from_argument(client, plan.start) if plan.start else None
        pages = client.list_records(
            source.metadata_prefix, set_spec=source.set_spec, from_=from_, token=plan.token
        )
        for page in pages:
            with transaction.atomic():
                _store_page(run, page, acting_user)
                run.retries = retries_before + client.retries
                source.resume_token = page.token or ""
                source.save(update_fields=["resume_token", "updated"])
                run.save()
    except HarvestError as exc:
        return _stopped(run, source, exc, retries_before + client.retries)
    except BaseException as exc:
        _stopped(run, source, exc, retries_before + client.retries)
        raise
    source.last_datestamp = run.response_date or source.last_datestamp
    source.resume_token = ""
    source.save(update_fields=["last_datestamp", "resume_token", "updated"])
    job.status, job.finished = ImportStatus.DONE, timezone.now()
    job.save(update_fields=["status", "finished"])
    run.status, run.finished = RunStatus.DONE, timezone.now()
    run.save()
    return run


def _plan(
    source: HarvestSource,
    client: Client,
    acting_user: Actor,
    from_date: dt.datetime | None,
    full: bool,
) -> _Plan:
    interrupted = source.runs.filter(status=RunStatus.INTERRUPTED).order_by("-id").first()
    if source.resume_token and interrupted is not None and not full and from_date is None:
        interrupted.status, interrupted.resumed = RunStatus.RUNNING, interrupted.resumed + 1
        interrupted.save(update_fields=["status", "resumed"])
        ImportJob.objects.filter(pk=interrupted.import_job_id).update(status=ImportStatus.RUNNING)
        return _Plan(interrupted, source.resume_token, None)
    source.runs.filter(status=RunStatus.INTERRUPTED).update(status=RunStatus.FAILED)
    start = from_date if from_date is not None else (None if full else source.last_datestamp)
    job = ImportJob.objects.create(
        library=source.library,
        source_name=f"OAI-PMH {source.base_url}"[:300],
        kind="harvest",
        status=ImportStatus.RUNNING,
        started=timezone.now(),
        created_by=user_of(acting_user),
    )
    run = HarvestRun.objects.create(source=source, import_job=job, from_date=start)
    return _Plan(run, None, start)


def _from_argument(client: Client, start: dt.datetime) -> str:
    """``from`` at the repository's granularity (§3.3.2, from Identify §4.2)."""
    root = client.identify()
    granularity = root.findtext("oai:Identify/oai:granularity", namespaces=NS) or ""
    utc = start.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%d" if granularity.strip() == "YYYY-MM-DD" else "%Y-%m-%dT%H:%M:%SZ")


def _stopped(
    run: HarvestRun, source: HarvestSource, exc: BaseException, retries: int
) -> HarvestRun:
    """Record why the run stopped; it resumes next time if a page was committed."""
    source.refresh_from_db(fields=["resume_token"])
    if isinstance(exc, OAIError) and "badResumptionToken" in exc.codes:
        source.resume_token = ""
        source.save(update_fields=["resume_token", "updated"])
    run.refresh_from_db(fields=["pages", "records_seen", "deleted_seen", "response_date"])
    run.status = RunStatus.INTERRUPTED if source.resume_token else RunStatus.FAILED
    run.retries, run.finished = retries, timezone.now()
    run.message = f"{type(exc).__name__}: {exc}"[:4000]
    run.save()
    job = run.import_job
    job.refresh_from_db()
    job.status, job.finished, job.message = ImportStatus.FAILED, timezone.now(), run.message
    job.save(update_fields=["status", "finished", "message"])
    return run


def _store_page(run: HarvestRun, page: Page, acting_user: Actor) -> None:
    source, job = run.source, run.import_job
    if run.response_date is None:
        run.response_date = page.response_date
    run.pages += 1
    run.records_seen += len(page.records)
    marc: list[tuple[str, etree._Element]] = []
    deleted: list[str] = []
    problems: list[ImportProblem] = []
    for n, rec in enumerate(page.records, 1):
        ident = (rec.findtext("oai:header/oai:identifier", namespaces=NS) or "").strip()
        header = rec.find("oai:header", NS)
        if header is not None and header.get("status") == "deleted":
            deleted.append(ident)
            continue
        found = _marc_records(rec)
        if not found:
            problems.append(_not_marc(job, n, ident, rec))
        marc.extend((ident, m) for m in found)
    run.deleted_seen += len(deleted)
    if marc:
        collection = etree.Element(f"{{{MARC}}}collection", nsmap={None: MARC})
        collection.extend(copy.deepcopy(m) for _, m in marc)
        etree.cleanup_namespaces(collection)
        body = etree.tostring(collection, xml_declaration=True, encoding="utf-8")
        import_file(io.BytesIO(body), source.library, acting_user=acting_user, job=job)
    ImportProblem.objects.bulk_create(problems)
    job.rejected += len(problems)
    _remember(source, [(i, _control_001(m)) for i, m in marc], deleted)
    job.deleted += _withdraw_deleted(source, deleted, acting_user)
    job.status = ImportStatus.RUNNING
    job.save(update_fields=["rejected", "deleted", "status"])


def _marc_records(rec: etree._Element) -> list[etree._Element]:
    """The MARCXML record(s) in a record's metadata (a record, or a collection of one)."""
    metadata = rec.find("oai:metadata", NS)
    if metadata is None:
        return []
    out = []
    for child in metadata:
        if child.tag == f"{{{MARC}}}record":
            out.append(child)
        elif child.tag == f"{{{MARC}}}collection":
            out.extend(child.iterfind(f"{{{MARC}}}record"))
    return out


def _not_marc(job: ImportJob, n: int, ident: str, rec: etree._Element) -> ImportProblem:
    return ImportProblem(
        job=job,
        position=n,
        offset=n,
        local_id=ident[-100:],
        reason="not_marcxml",
        message=f"{ident}: the record's metadata is not MARCXML (MARC21/slim).",
        raw=etree.tostring(rec)[: 64 * 1024],
    )


def _control_001(record: etree._Element) -> str:
    for cf in record.iterfind(f"{{{MARC}}}controlfield"):
        if cf.get("tag") == "001":
            return (cf.text or "").strip()
    return ""


def last_segment(identifier: str) -> str:
    """The local part of an OAI identifier: what follows its last ``:`` or ``/``."""
    return re.split(r"[:/]", identifier)[-1]


def _remember(source: HarvestSource, pairs: list[tuple[str, str]], deleted: list[str]) -> None:
    wanted = {i: lid[:100] for i, lid in pairs if i and lid}
    known = {h.identifier: h for h in source.items.filter(identifier__in=[*wanted, *deleted])}
    for ident in deleted:
        if ident in known:
            known[ident].deleted = True
    new = []
    for ident, lid in wanted.items():
        if ident in known:
            known[ident].local_id, known[ident].deleted = lid, False
        else:
            new.append(HarvestedItem(source=source, identifier=ident[:500], local_id=lid))
    HarvestedItem.objects.bulk_create(new)
    HarvestedItem.objects.bulk_update(list(known.values()), ["local_id", "deleted"])


def _withdraw_deleted(source: HarvestSource, deleted: list[str], acting_user: Actor) -> int:
    if not deleted:
        return 0
    mapped = dict(source.items.filter(identifier__in=deleted).values_list("identifier", "local_id"))
    local_ids = {mapped.get(i) or last_segment(i) for i in deleted}
    return withdraw_records(source.library, local_ids, acting_user=acting_user)
