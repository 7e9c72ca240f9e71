"""The bulk load: a library's first load or a large file, in three passes (RecordManager's
shape) instead of matching and indexing batch by batch.

1. **Stage.** The file is read and prepared as for an incremental import (``prepare``, in its
   worker process for a large file) and its new records are written in bounded batches with
   their holdings and blocking keys (``bulk.insert``: ``COPY`` on PostgreSQL, ``executemany``
   on SQLite), ids reserved up front, no cluster yet. A record the library already has (a
   re-import, or a 001 repeated in the file) goes through the incremental writer
   (``ingest``) at once, as it would without ``--bulk``.
2. **Match.** The library's active records without a cluster, in id order (the file's
   order), in chunks: each chunk is matched set-wise - one query finds the candidates of all
   its blocking keys - and assigned by ``clustering.assign``, the incremental path's own
   function, with the rules of ``matching``; so the decisions are the incremental path's.
   (The staged records of later chunks share keys but have no cluster yet: never a candidate
   cluster. The library's own records can never share a cluster, so leaving them out of a
   chunk's candidates changes nothing.) Each chunk's clusters get their display fields
   (``merged.refresh_clusters``).
3. **Index.** Every cluster this load touched (its datestamp moved since the match began) is
   indexed in chunks; on PostgreSQL, when the load at least doubles the index, its GIN index
   is dropped first and built once at the end (then ``ANALYZE``, which the search's plan
   choice reads). The command returns when the catalog is searchable.

Every batch and chunk is its own transaction under the catalog's write lock; memory stays
flat (nothing of the file is kept between batches). A load interrupted after staging is
finished by importing the file again: its records are then unchanged, and pass 2 picks up
every active record of the library still without a cluster.

``import_file`` chooses this path on its own for a first load (the library has no record)
of a file of ``BULK_MIN_BYTES`` or more; ``libcoop catalog import --bulk`` asks for it.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any, BinaryIO

from django.db import connection, transaction

from libcoop.catalog import bulk, clustering, index
from libcoop.catalog.ingest import (
    RECORD_INSERT,
    finish_recorded,
    start_job,
    write_batch,
    write_problems,
)
from libcoop.catalog.merged import ClusterDisplay, refresh_clusters
from libcoop.catalog.models import BibRecord, Cluster, Holding, ImportJob
from libcoop.catalog.prepare import HOLDING_COLUMNS, Batch, prepared_batches
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution
from libcoop.textsearch.backends import backend_for

# A first load of a file this large is a bulk load unless asked otherwise: about 30,000
# records. Below it the incremental path's per-batch progress (searchable as it goes) costs
# little; above it the bulk load is faster (docs/benchmarks.md, ingest).
BULK_MIN_BYTES = 10_000_000
STAGE_BATCH = 2000  # records per staging transaction
MATCH_CHUNK = 2000  # records matched per transaction
INDEX_CHUNK = 2000  # clusters indexed per transaction
# PostgreSQL: drop the GIN index and build it once when the load adds at least this share of
# the documents already indexed.
GIN_REBUILD_SHARE = 1.0
RECORD_BYTES = 1000  # a MARC record's usual size, to estimate a file's records from its bytes
# Match, cluster and index each staged batch at once (set-wise, with the worker's text
# analysis), instead of in passes after the whole file is staged: the same decisions, and
# on two cores the worker keeps preparing while the writer matches.
PIPELINE = True
log = logging.getLogger(__name__)


def chosen(source: str | Path | BinaryIO, library: Institution) -> bool:
    """Whether ``import_file`` takes the bulk path by itself: a first load of a large file."""
    if not isinstance(source, str | Path):
        return False
    try:
        if Path(source).stat().st_size < BULK_MIN_BYTES:
            return False
    except OSError:
        return False
    return not BibRecord.objects.filter(library=library).exists()


def load_file(
    source: str | Path | BinaryIO,
    library: Institution,
    *,
    acting_user: Actor,
    job: ImportJob | None = None,
    batch_size: int = STAGE_BATCH,
    parallel: bool | None = None,
    source_name: str | None = None,
) -> ImportJob:
    """Bulk-load one ISO 2709 or MARCXML file for *library*; returns the finished job, once
    every record is matched, clustered and searchable. Same job, problems, counts and audit
    entry as ``ingest.import_file``."""
    require(acting_user, "catalog.import", library)
    job = start_job(source, library, acting_user, job, source_name=source_name)
    with finish_recorded(job, acting_user), bulk.bulk_writes():
        start = time.perf_counter()
        gin = _drop_gin(job.bytes_total) if bulk.postgres() else None
        try:
            for n, batch in enumerate(
                prepared_batches(source, batch_size, parallel=parallel, analyse=PIPELINE)
            ):
                with transaction.atomic():
                    _stage(job, library, batch, acting_user, match=PIPELINE)
                if n == 4 and bulk.postgres():  # the planner's first view of the new rows
                    _analyse(
                        f"{bulk.table(BibRecord)} (id, library_id, local_id, cluster_id, active)",
                        f"{bulk.table(clustering.MatchKey)} (record_id, key)",
                    )
            staged = time.perf_counter()
            since = bulk.now_value()
            # Records staged without a cluster (all of them without the pipeline; those of an
            # interrupted earlier load with it): matched and indexed now.
            matched = cluster_staged(library, acting_user=acting_user)
            clustered = time.perf_counter()
            indexed = index_since(since) if matched else 0
        finally:
            if gin:
                _build_gin(gin)
        log.info(
            "bulk load of %s for %s: %d records staged in %.1f s, %d matched after in %.1f s,"
            " %d clusters indexed after and index built in %.1f s",
            job.source_name,
            library.code,
            job.seen,
            staged - start,
            matched,
            clustered - staged,
            indexed,
            time.perf_counter() - clustered,
        )
    return job


def _stage(
    job: ImportJob, library: Institution, batch: Batch, acting_user: Actor, *, match: bool
) -> None:
    """Write one prepared batch's new records, holdings and keys; with *match*, then match
    them set-wise, cluster and index them (else they wait for ``cluster_staged``)."""
    bulk.lock_catalog_writes()
    known = {
        row[0]
        for row in bulk.select(
            f"SELECT local_id FROM {bulk.table(BibRecord)}"  # noqa: S608
            " WHERE local_id {ids} AND library_id = %s",
            list(batch.rows),
            library.pk,
            texts=True,
        )
    }
    if known:  # already in the catalog: the incremental writer updates it now
        write_batch(
            job,
            library,
            {lid: row for lid, row in batch.rows.items() if lid in known},
            [],
            acting_user,
            last_offset=batch.last_offset,
            seen=0,
        )
    new = [row for lid, row in batch.rows.items() if lid not in known]
    ids = bulk.reserve_ids(BibRecord, len(new))
    now = bulk.now_value()
    bulk.insert(
        BibRecord,
        ["id", *RECORD_INSERT],
        [
            (pk, library.pk, r.local_id, r.active, job.pk, now, now, *r.values)
            for pk, r in zip(ids, new, strict=True)
        ],
    )
    bulk.insert(
        Holding,
        ["record", "library", *HOLDING_COLUMNS],
        [(pk, library.pk, *h) for pk, r in zip(ids, new, strict=True) for h in r.holdings],
    )
    active = [(pk, r) for pk, r in zip(ids, new, strict=True) if r.active]
    clustering.replace_keys({pk: r.keys for pk, r in active})
    if match and active:
        touched = clustering.assign_infos(
            {pk: r.match_info(pk, library.pk) for pk, r in active},
            dict.fromkeys((pk for pk, _ in active), None),
            acting_user=acting_user,
        )
        # One hand-over for the whole batch: the primed results are kept for one batch.
        index.prime([terms for _, r in active for terms in r.terms])
        index.refresh(refresh_clusters(touched))
    write_problems(job, batch.problems)
    job.seen += batch.seen
    job.added += sum(1 for r in new if r.active)
    job.deleted += sum(1 for r in new if not r.active)
    job.rejected += len(batch.problems)
    job.bytes_done = max(job.bytes_done, batch.last_offset)
    job.save(update_fields=["seen", "added", "deleted", "rejected", "bytes_done"])


def cluster_staged(library: Institution, *, acting_user: Actor, chunk: int = MATCH_CHUNK) -> int:
    """Match and cluster *library*'s active records that have no cluster, in id order, a
    chunk per transaction; returns how many. Display fields are refreshed, not indexed."""
    table = bulk.table(BibRecord)
    sql = (
        f"SELECT id FROM {table} WHERE cluster_id IS NULL AND library_id = %s AND active"  # noqa: S608
        " AND id > %s ORDER BY id LIMIT %s"
    )
    last, count = 0, 0
    while True:
        with transaction.atomic():
            bulk.lock_catalog_writes()
            with connection.cursor() as cursor:
                cursor.execute(sql, [library.pk, last, chunk])
                ids = [int(row[0]) for row in cursor.fetchall()]
            if not ids:
                return count
            refresh_clusters(clustering.assign(ids, acting_user=acting_user))
        last = ids[-1]
        count += len(ids)


def index_since(since: Any, *, chunk: int = INDEX_CHUNK) -> int:
    """Index every cluster whose datestamp is *since* or later (a bulk load's clusters), a
    chunk per transaction, in datestamp order; returns how many."""
    table = bulk.table(Cluster)
    sql = (
        f"SELECT id, updated, active, title, author, merged FROM {table}"  # noqa: S608
        " WHERE (updated, id) > (%s, %s) ORDER BY updated, id LIMIT %s"
    )
    count = 0
    key: tuple[Any, int] = (since, 0)
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [*key, chunk])
                rows = cursor.fetchall()
            if not rows:
                return count
            index.refresh(
                ClusterDisplay(
                    id=cid,
                    active=bool(active),
                    title=title,
                    author=author,
                    merged=bulk.from_json(merged) or {},
                )
                for cid, _, active, title, author, merged in rows
            )
        key = (rows[-1][1], rows[-1][0])
        count += len(rows)


def _analyse(*targets: str) -> None:
    """PostgreSQL: fresh planner statistics for tables a load has just filled ("table" or
    "table (columns)": only the columns queries filter on, not the MARC and raw bytes, whose
    sampled values would be read out of TOAST for nothing). Names come from the models."""
    with connection.cursor() as cursor:
        for target in targets:
            cursor.execute(f"ANALYZE {target}")


def _gin_statement() -> tuple[str, str] | None:
    """The search back end's GIN index: its name and the statement that builds it."""
    for statement in getattr(backend_for(connection), "install_statements", ()):
        found = re.search(r"INDEX IF NOT EXISTS (\w+)\s+ON \w+ USING gin", statement)
        if found:
            return found.group(1), statement
    return None


def _drop_gin(file_bytes: int) -> tuple[str, str] | None:
    """PostgreSQL: drop the search's GIN index when the file may bring at least as many
    documents as the index holds (it is then built once, after the load: ``_build_gin``);
    the index's name and statement, or None when it stays."""
    gin = _gin_statement()
    if gin is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM textsearch_document")
        indexed = int(cursor.fetchone()[0])
    if file_bytes // RECORD_BYTES < max(1, indexed) * GIN_REBUILD_SHARE:
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(gin[0])}")
    return gin


def _build_gin(gin: tuple[str, str]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(gin[1])
    _analyse("textsearch_document")
