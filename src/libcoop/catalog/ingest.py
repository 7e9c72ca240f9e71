"""Loading a member library's MARC file into the union catalog.

Streams the file (``marc.read_marc``), works in batches of a few hundred records, each batch
in its own transaction: upsert by (library, 001) with a checksum so that re-importing the
same file changes nothing, withdraw records marked deleted (leader/05 = d) without losing
them, keep holdings per library, match and cluster incrementally, and report every broken
record with its position and reason. One broken record never stops the file.

Reading and preparing the records (``prepare``: no database) runs in a worker process for
large files while this process writes; writes are set-based (``bulk``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.utils import timezone

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record as audit
from libcoop.audit.services import user_of
from libcoop.catalog import bulk, clustering, index
from libcoop.catalog.merged import refresh_clusters
from libcoop.catalog.models import (
    BibRecord,
    Holding,
    ImportJob,
    ImportProblem,
    ImportStatus,
)
from libcoop.catalog.prepare import (
    HOLDING_COLUMNS,
    RAW_PROBLEM_LIMIT,
    RECORD_COLUMNS,
    Prepared,
    Problem,
    holdings_of,
    prepared_batches,
    record_fields,
)
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution

BATCH_SIZE = 500

__all__ = [
    "BATCH_SIZE",
    "RAW_PROBLEM_LIMIT",
    "holdings_of",
    "import_deletes",
    "import_file",
    "record_fields",
    "withdraw_records",
]


def import_file(
    source: str | Path | BinaryIO,
    library: Institution,
    *,
    acting_user: Actor,
    job: ImportJob | None = None,
    batch_size: int = BATCH_SIZE,
    parallel: bool | None = None,
    source_name: str | None = None,
    bulk_load: bool | None = None,
) -> ImportJob:
    """Import one ISO 2709 or MARCXML file for *library*; returns the finished job.

    A large file is read and prepared by a worker process while this one writes
    (``parallel``: None decides by the file's size; the result is the same either way).
    ``bulk_load``: stage every record, then match and index them set-wise
    (``bulkload.load_file``); None takes that path for a library's first load of a large
    file (``bulkload.chosen``), False never. The clusters are the same either way.
    """
    from libcoop.catalog import bulkload

    if bulk_load is None:
        bulk_load = bulkload.chosen(source, library)
    if bulk_load:
        return bulkload.load_file(
            source,
            library,
            acting_user=acting_user,
            job=job,
            batch_size=bulkload.STAGE_BATCH if batch_size == BATCH_SIZE else batch_size,
            parallel=parallel,
            source_name=source_name,
        )
    require(acting_user, "catalog.import", library)
    job = start_job(source, library, acting_user, job, source_name=source_name)
    with finish_recorded(job, acting_user), bulk.bulk_writes():
        for batch in prepared_batches(source, batch_size, parallel=parallel):
            with transaction.atomic():
                write_batch(
                    job,
                    library,
                    batch.rows,
                    batch.problems,
                    acting_user,
                    last_offset=batch.last_offset,
                    seen=batch.seen,
                )
    return job


def import_deletes(
    source: str | Path,
    library: Institution,
    *,
    acting_user: Actor,
    job: ImportJob | None = None,
    source_name: str | None = None,
) -> ImportJob:
    """Withdraw the records listed in a delete file (one 001 per line)."""
    require(acting_user, "catalog.import", library)
    job = start_job(source, library, acting_user, job, kind="deletes", source_name=source_name)
    with finish_recorded(job, acting_user), open(source, encoding="utf-8") as lines:
        wanted = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]
        with transaction.atomic():
            bulk.lock_catalog_writes()
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
def finish_recorded(job: ImportJob, acting_user: Actor) -> Iterator[None]:
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


def start_job(
    source: object,
    library: Institution,
    acting_user: Actor,
    job: ImportJob | None,
    kind: str = "records",
    source_name: str | None = None,
) -> ImportJob:
    name = source_name or Path(str(getattr(source, "name", source))).name
    if job is None:
        job = ImportJob(
            library=library,
            source_name=name[:300],
            kind=kind,
            created_by=user_of(acting_user),
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


def write_problems(job: ImportJob, problems: list[Problem]) -> None:
    bulk.insert(
        ImportProblem,
        ["job", "position", "offset", "local_id", "reason", "message", "raw"],
        [(job.pk, p.position, p.offset, p.local_id, p.reason, p.message, p.raw) for p in problems],
    )


@dataclass(slots=True)
class _Written:
    """A record of the batch as it is now in the database."""

    pk: int
    row: Prepared
    previous_cluster: int | None  # its cluster before this batch (None for a new record)


RECORD_INSERT = ["library", "local_id", "active", "job", "created", "updated", *RECORD_COLUMNS]
_RECORD_UPDATE = ["active", *RECORD_COLUMNS, "job", "updated"]


def write_batch(
    job: ImportJob,
    library: Institution,
    rows: dict[str, Prepared],
    problems: list[Problem],
    acting_user: Actor,
    *,
    last_offset: int,
    seen: int | None = None,
) -> None:
    """Write one prepared batch: records, holdings, keys, clusters and search documents."""
    bulk.lock_catalog_writes()
    table = bulk.table(BibRecord)
    existing = {
        lid: (pk, checksum, active, cluster_id)
        for lid, pk, checksum, active, cluster_id in bulk.select(
            f"SELECT local_id, id, checksum, active, cluster_id FROM {table}"  # noqa: S608
            " WHERE local_id {ids} AND library_id = %s",
            list(rows),
            library.pk,
            texts=True,
        )
    }
    now = bulk.now_value()
    new: list[Prepared] = []
    changed: list[tuple[int, Prepared, int | None]] = []
    withdrawn: list[int] = []
    unchanged = 0
    for lid, row in rows.items():
        ex = existing.get(lid)
        if ex is not None and ex[1] == row.checksum:
            unchanged += 1
            continue
        if ex is None:
            new.append(row)
        else:
            changed.append((ex[0], row, ex[3]))
            if not row.active and ex[2]:
                withdrawn.append(ex[0])
    bulk.insert(
        BibRecord,
        RECORD_INSERT,
        [(library.pk, r.local_id, r.active, job.pk, now, now, *r.values) for r in new],
    )
    written: list[_Written] = []
    if new:
        ids = dict(
            bulk.select(
                f"SELECT local_id, id FROM {table} WHERE local_id {{ids}} AND library_id = %s",  # noqa: S608
                [r.local_id for r in new],
                library.pk,
                texts=True,
            )
        )
        written = [_Written(ids[r.local_id], r, None) for r in new]
    if changed:
        bulk.update(
            BibRecord,
            _RECORD_UPDATE,
            [(r.active, *r.values, job.pk, now, pk) for pk, r, _ in changed],
        )
        written += [_Written(pk, r, cluster) for pk, r, cluster in changed]
    _write_holdings(written, [pk for pk, _, _ in changed], library)
    active = [w for w in written if w.row.active]
    infos = {w.pk: w.row.match_info(w.pk, library.pk) for w in active}
    clustering.replace_keys(
        {w.pk: w.row.keys for w in active}, replaced=[pk for pk, _, _ in changed]
    )
    old_clusters = _detach([w.pk for w in written if not w.row.active])
    touched = clustering.assign_infos(
        infos, {w.pk: w.previous_cluster for w in active}, acting_user=acting_user
    )
    for w in active:
        index.prime(w.row.terms)
    index.refresh(refresh_clusters(touched | old_clusters))
    write_problems(job, problems)
    job.seen += len(rows) + len(problems) if seen is None else seen
    job.added += sum(1 for r in new if r.active)
    job.updated += sum(1 for _, r, _ in changed if r.active)
    job.deleted += sum(1 for r in new if not r.active) + len(withdrawn)
    job.unchanged += unchanged
    job.rejected += len(problems)
    job.bytes_done = max(job.bytes_done, last_offset)
    job.save(
        update_fields=["seen", "added", "updated", "deleted", "unchanged", "rejected", "bytes_done"]
    )


def _write_holdings(written: list[_Written], replaced: list[int], library: Institution) -> None:
    bulk.execute(
        f"DELETE FROM {bulk.table(Holding)} WHERE record_id {{ids}}",  # noqa: S608
        replaced,
    )
    bulk.insert(
        Holding,
        ["record", "library", *HOLDING_COLUMNS],
        [(w.pk, library.pk, *h) for w in written for h in w.row.holdings],
    )


def _detach(record_ids: Iterable[int]) -> set[int]:
    """Take withdrawn records out of matching and out of their clusters."""
    ids = list(record_ids)
    if not ids:
        return set()
    table = bulk.table(BibRecord)
    clusters = {
        row[0]
        for row in bulk.select(
            f"SELECT cluster_id FROM {table} WHERE id {{ids}} AND cluster_id IS NOT NULL",  # noqa: S608
            ids,
        )
    }
    clustering.replace_keys({}, replaced=ids)
    bulk.execute(f"UPDATE {table} SET cluster_id = NULL WHERE id {{ids}}", ids)  # noqa: S608
    return clusters


def withdraw_records(library: Institution, local_ids: Iterable[str], *, acting_user: Actor) -> int:
    """Withdraw *library*'s records with these 001s (a harvested deletion, a delete list);
    returns how many were active. One transaction under the catalog's write lock."""
    require(acting_user, "catalog.import", library)
    wanted = set(local_ids)
    if not wanted:
        return 0
    with transaction.atomic():
        bulk.lock_catalog_writes()
        ids = list(
            BibRecord.objects.filter(library=library, local_id__in=wanted).values_list(
                "id", flat=True
            )
        )
        return _withdraw(ids)


def _withdraw(record_ids: list[int]) -> int:
    active = list(
        BibRecord.objects.filter(id__in=record_ids, active=True).values_list("id", flat=True)
    )
    BibRecord.objects.filter(id__in=active).update(active=False, updated=timezone.now())
    index.refresh(refresh_clusters(_detach(active)))
    return len(active)
