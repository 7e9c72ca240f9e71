"""Loading a member library's MARC file into the union catalog.

Streams the file (``marc.read_marc``), works in batches of a few hundred records, each batch
in its own transaction: upsert by (library, 001) with a checksum so that re-importing the
same file changes nothing, withdraw records marked deleted (leader/05 = d) without losing
them, keep holdings per library, match and cluster incrementally, and report every broken
record with its position and reason. One broken record never stops the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record as audit
from libcoop.catalog import clustering, index
from libcoop.catalog.facts import BibFacts, extract_facts
from libcoop.catalog.marc import ParsedRecord, RecordProblem, read_marc
from libcoop.catalog.merged import refresh_clusters
from libcoop.catalog.models import (
    BibRecord,
    Holding,
    ImportJob,
    ImportProblem,
    ImportStatus,
    MatchKey,
)
from libcoop.core.bulk import fast_insert, fast_update
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution
from libcoop.textsearch.keys import author_key, text_key

BATCH_SIZE = 500
RAW_PROBLEM_LIMIT = 64 * 1024


@dataclass
class _Row:
    """One parsed record ready to be written."""

    item: ParsedRecord
    local_id: str
    checksum: str
    facts: BibFacts
    deleted: bool


def record_fields(item: ParsedRecord, facts: BibFacts, checksum: str) -> dict[str, Any]:
    """The BibRecord columns for a parsed record."""
    other_ids = [f"oclc:{n}" for n in facts.oclc_numbers]
    if facts.lccn:
        other_ids.append(f"lccn:{facts.lccn}")
    return {
        "raw": item.raw,
        "raw_format": "marcxml" if item.raw.lstrip()[:1] == b"<" else "iso2709",
        "source_encoding": item.encoding[:40],
        "checksum": checksum,
        "marc": item.record.as_dict(),
        "warnings": list(item.warnings),
        "format": facts.format,
        "language": (facts.language or "")[:3],
        "title": facts.title,
        "title_key": text_key(facts.title_sort)[:300],
        "author": (facts.main_author or "")[:300],
        "author_key": author_key(facts.main_author or "")[:200],
        "year": facts.year,
        "pages": facts.pages,
        "isbns": list(facts.isbns),
        "issns": list(facts.issns),
        "other_ids": other_ids,
        "subjects": list(facts.subjects),
        "field_count": len(item.record.fields),
    }


def holdings_of(item: ParsedRecord, library: Institution) -> list[dict[str, str]]:
    """Holdings from 852 (MARC holdings) or 949 (common local item field); else one per library."""
    out = []
    for field in item.record.get_fields("852"):
        out.append(
            {
                "location": " ".join(field.get_subfields("a", "b", "c"))[:200],
                "call_number": " ".join(field.get_subfields("h", "i", "j", "k"))[:200],
                "barcode": " ".join(field.get_subfields("p"))[:100],
                "note": " ".join(field.get_subfields("z"))[:300],
            }
        )
    for field in item.record.get_fields("949"):
        out.append(
            {
                "location": " ".join(field.get_subfields("l", "m"))[:200],
                "call_number": " ".join(field.get_subfields("a", "b"))[:200],
                "barcode": " ".join(field.get_subfields("i", "p"))[:100],
                "note": " ".join(field.get_subfields("z"))[:300],
            }
        )
    return out or [{"location": "", "call_number": "", "barcode": "", "note": ""}]


def import_file(
    source: str | Path | BinaryIO,
    library: Institution,
    *,
    acting_user: Actor,
    job: ImportJob | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportJob:
    """Import one ISO 2709 or MARCXML file for *library*; returns the finished job."""
    require(acting_user, "catalog.import", library)
    job = _start_job(source, library, acting_user, job)
    with _recorded(job, acting_user):
        for batch in _batches(read_marc(source), batch_size):
            with transaction.atomic():
                _load_batch(job, library, batch, acting_user)
    return job


def import_deletes(
    source: str | Path, library: Institution, *, acting_user: Actor, job: ImportJob | None = None
) -> ImportJob:
    """Withdraw the records listed in a delete file (one 001 per line)."""
    require(acting_user, "catalog.import", library)
    job = _start_job(source, library, acting_user, job, kind="deletes")
    with _recorded(job, acting_user), open(source, encoding="utf-8") as lines:
        wanted = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]
        with transaction.atomic():
            found = dict(
                BibRecord.objects.filter(
                    library=library, local_id__in=[w for _, w in wanted]
                ).values_list("local_id", "id")
            )
            problems = [
                ImportProblem(
                    job=job,
                    position=n,
                    offset=n,
                    local_id=lid,
                    reason="unknown_001",
                    message=f"No record {lid!r} of {library.code} to delete.",
                )
                for n, lid in wanted
                if lid not in found
            ]
            ImportProblem.objects.bulk_create(problems)
            job.rejected += len(problems)
            job.seen += len(wanted)
            job.deleted += _withdraw([found[lid] for _, lid in wanted if lid in found])
    return job


@contextmanager
def _recorded(job: ImportJob, acting_user: Actor) -> Iterator[None]:
    """Mark the job done or failed (with the error), save it and audit it, whatever happens."""
    try:
        yield
        job.status = ImportStatus.DONE
    except Exception as exc:
        job.status = ImportStatus.FAILED
        job.message = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _finish_job(job, acting_user)


def _start_job(
    source: object,
    library: Institution,
    acting_user: Actor,
    job: ImportJob | None,
    kind: str = "records",
) -> ImportJob:
    name = Path(str(getattr(source, "name", source))).name
    if job is None:
        job = ImportJob(
            library=library,
            source_name=name[:300],
            kind=kind,
            created_by=acting_user if isinstance(acting_user, User) else None,
        )
    job.status = ImportStatus.RUNNING
    job.started = timezone.now()
    if isinstance(source, (str, Path)):
        job.bytes_total = Path(source).stat().st_size
    job.save()
    return job


def _finish_job(job: ImportJob, acting_user: Actor) -> None:
    job.finished = timezone.now()
    if job.status == ImportStatus.DONE:
        job.bytes_done = job.bytes_total
    job.save()
    audit(
        AuditVerb.CATALOG_IMPORTED,
        job,
        acting_user=acting_user,
        institution_code=job.library.code,
        status=job.status,
        added=job.added,
        updated=job.updated,
        unchanged=job.unchanged,
        deleted=job.deleted,
        rejected=job.rejected,
    )


def _batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _problem(
    job: ImportJob, item: RecordProblem | ParsedRecord, reason: str, message: str
) -> ImportProblem:
    return ImportProblem(
        job=job,
        position=item.position,
        offset=item.offset,
        local_id=(item.local_id or "")[:100],
        reason=reason[:32],
        message=message,
        raw=item.raw[:RAW_PROBLEM_LIMIT],
    )


def _prepare(job: ImportJob, batch: list[Any]) -> tuple[dict[str, _Row], list[ImportProblem]]:
    rows: dict[str, _Row] = {}
    problems: list[ImportProblem] = []
    for item in batch:
        if isinstance(item, RecordProblem):
            problems.append(_problem(job, item, item.reason, item.message))
            continue
        local_id = item.local_id or _fallback_id(item)
        if len(local_id) > 100:
            problems.append(
                _problem(job, item, "bad_001", "The 001 is longer than 100 characters.")
            )
            continue
        try:
            facts = extract_facts(item.record)
        except Exception as exc:  # a parsed record whose fields defeat extraction
            problems.append(_problem(job, item, "bad_fields", f"{type(exc).__name__}: {exc}"))
            continue
        if not item.local_id:
            item.warnings.append(f"no 001: stored under {local_id}")
        if local_id in rows:
            earlier = rows[local_id].item
            problems.append(
                _problem(
                    job,
                    earlier,
                    "duplicate_001",
                    f"Record {item.position} has the same 001; the later record is kept "
                    "and this one is stored here only.",
                )
            )
        rows[local_id] = _Row(
            item=item,
            local_id=local_id,
            checksum=hashlib.sha256(item.raw).hexdigest(),
            facts=facts,
            deleted=facts.deleted,
        )
    return rows, problems


def _fallback_id(item: ParsedRecord) -> str:
    """A stable id for a record without 001: its first 035, else a digest of its bytes (so a
    re-import of the same file still changes nothing)."""
    for field in item.record.get_fields("035"):
        for value in field.get_subfields("a"):
            if value.strip():
                return "035:" + value.strip()[:90]
    return "sha1:" + hashlib.sha1(item.raw, usedforsecurity=False).hexdigest()[:20]


def _load_batch(job: ImportJob, library: Institution, batch: list[Any], acting_user: Actor) -> None:
    rows, problems = _prepare(job, batch)
    existing = {
        r["local_id"]: r
        for r in BibRecord.objects.filter(library=library, local_id__in=list(rows)).values(
            "id", "local_id", "checksum", "active", "cluster_id"
        )
    }
    new: list[BibRecord] = []
    changed: list[BibRecord] = []
    withdrawn: list[int] = []
    unchanged = 0
    for lid, row in rows.items():
        ex = existing.get(lid)
        if ex is not None and ex["checksum"] == row.checksum:
            unchanged += 1
            continue
        fields = record_fields(row.item, row.facts, row.checksum)
        fields["active"] = not row.deleted
        if ex is None:
            new.append(BibRecord(library=library, local_id=lid, job=job, **fields))
        else:
            changed.append(
                BibRecord(
                    id=ex["id"],
                    library=library,
                    local_id=lid,
                    job=job,
                    updated=timezone.now(),
                    **fields,
                )
            )
            if row.deleted and ex["active"]:
                withdrawn.append(ex["id"])
    fast_insert(new)
    if new:
        ids = dict(
            BibRecord.objects.filter(
                library=library, local_id__in=[r.local_id for r in new]
            ).values_list("local_id", "id")
        )
        for r in new:
            r.pk = ids[r.local_id]
    if changed:
        fast_update(changed, [*_UPDATE_FIELDS, "job", "updated"])
    written = new + changed
    _write_holdings(written, rows, library)
    active = [r for r in written if r.active]
    clustering.write_keys(clustering.info_from_record(r) for r in active)
    old_clusters = _detach([r.pk for r in written if not r.active])
    touched = clustering.assign([r.pk for r in active], acting_user=acting_user)
    index.refresh(refresh_clusters(touched | old_clusters))
    ImportProblem.objects.bulk_create(problems)
    job.seen += len(batch)
    job.added += sum(1 for r in new if r.active)
    job.updated += sum(1 for r in changed if r.active)
    job.deleted += sum(1 for r in new if not r.active) + len(withdrawn)
    job.unchanged += unchanged
    job.rejected += len(problems)
    last = batch[-1]
    job.bytes_done = max(job.bytes_done, int(getattr(last, "offset", 0)))
    job.save(
        update_fields=["seen", "added", "updated", "deleted", "unchanged", "rejected", "bytes_done"]
    )


_UPDATE_FIELDS = [
    "active",
    "raw",
    "raw_format",
    "source_encoding",
    "checksum",
    "marc",
    "warnings",
    "format",
    "language",
    "title",
    "title_key",
    "author",
    "author_key",
    "year",
    "pages",
    "isbns",
    "issns",
    "other_ids",
    "subjects",
    "field_count",
]


def _write_holdings(records: list[BibRecord], rows: dict[str, _Row], library: Institution) -> None:
    Holding.objects.filter(record_id__in=[r.pk for r in records]).delete()
    fast_insert(
        [
            Holding(record_id=r.pk, library=library, **h)
            for r in records
            for h in holdings_of(rows[r.local_id].item, library)
        ]
    )


def _detach(record_ids: Iterable[int]) -> set[int]:
    """Take withdrawn records out of matching and out of their clusters."""
    ids = list(record_ids)
    if not ids:
        return set()
    clusters = set(
        BibRecord.objects.filter(id__in=ids, cluster__isnull=False).values_list(
            "cluster_id", flat=True
        )
    )
    MatchKey.objects.filter(record_id__in=ids).delete()
    BibRecord.objects.filter(id__in=ids).update(cluster=None)
    return clusters


def _withdraw(record_ids: list[int]) -> int:
    active = list(
        BibRecord.objects.filter(id__in=record_ids, active=True).values_list("id", flat=True)
    )
    BibRecord.objects.filter(id__in=active).update(active=False, updated=timezone.now())
    index.refresh(refresh_clusters(_detach(active)))
    return len(active)
