"""Match the catalog's records again, after the match rules changed.

An import writes a record's match facts (keys, names, publisher, date spans …) once, and a
record whose bytes do not change is never prepared again: records loaded before a rule change
keep the facts and clusters of the old rules. ``rematch`` reads each record's stored MARC,
writes its match columns and blocking keys afresh where they differ, and assigns its cluster
again with the incremental rules (``clustering.assign_infos``), so staff splits and merges
(``ClusterOverride`` rows) win as they do on import. One transaction (``dry_run`` rolls it
back); one audit event per library whose records changed; a second run changes nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from pymarc import JSONReader, Record

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record as audit
from libcoop.catalog import bulk, clustering, index
from libcoop.catalog.facts import extract_facts
from libcoop.catalog.matching import MatchInfo, blocking_keys, match_fields
from libcoop.catalog.merged import refresh_clusters
from libcoop.catalog.models import BibRecord, MatchKey
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution

BATCH = 500
MATCH_COLUMNS = ("format", "title_key", "author_key", "year", "pages", "isbns", "issns")
_JSON_COLUMNS = frozenset({"isbns", "issns", "other_ids"})


@dataclass
class RematchReport:
    """What a rematch changed (or, on a dry run, would change)."""

    dry_run: bool = False
    libraries: list[str] = field(default_factory=list)
    records: int = 0  # active records matched again
    refreshed: int = 0  # records whose match facts or keys were written afresh
    moved: list[tuple[int, int | None, int]] = field(default_factory=list)  # record, from, to
    merged: dict[int, list[int]] = field(default_factory=dict)  # cluster -> clusters it joined
    split: dict[int, list[int]] = field(default_factory=dict)  # cluster -> clusters it became

    @property
    def changed(self) -> bool:
        return bool(self.refreshed or self.moved)

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "libraries": self.libraries,
            "records": self.records,
            "refreshed": self.refreshed,
            "moved": len(self.moved),
            "merged": len(self.merged),
            "split": len(self.split),
        }


class _Rollback(Exception):
    """Leaves the dry run's transaction."""


def rematch(
    *, acting_user: Actor, library: Institution | None = None, dry_run: bool = False
) -> RematchReport:
    """Match the active records of *library* (every library when None) again under the
    current rules. Needs ``catalog.import`` on each library whose records are matched."""
    report = RematchReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            bulk.lock_catalog_writes()
            _run(report, library, acting_user)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _libraries(library: Institution | None) -> list[Institution]:
    if library is not None:
        return [library]
    ids = set(BibRecord.objects.filter(active=True).values_list("library_id", flat=True).distinct())
    return list(Institution.objects.filter(pk__in=ids).order_by("code"))


def _run(report: RematchReport, library: Institution | None, acting_user: Actor) -> None:
    libraries = _libraries(library)
    for lib in libraries:
        require(acting_user, "catalog.import", lib)
    report.libraries = [lib.code for lib in libraries]
    before: dict[int, int | None] = dict(
        BibRecord.objects.filter(active=True).values_list("id", "cluster_id")
    )
    # First every record's facts and keys, so that each library is matched against the
    # others' new facts; then the clusters, one library at a time (records of one library
    # never share a cluster, so a batch of one library is never its own candidate).
    refreshed: dict[int, set[int]] = defaultdict(set)  # library -> records written afresh
    for lib in libraries:
        refreshed[lib.pk] = _refresh_facts(lib)
        report.records += BibRecord.objects.filter(library=lib, active=True).count()
    touched: set[int] = set()
    for lib in libraries:
        ids = list(
            BibRecord.objects.filter(library=lib, active=True)
            .order_by("id")
            .values_list("id", flat=True)
        )
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            touched |= clustering.assign(batch, acting_user=acting_user, quiet=True)
        touched |= {c for r in refreshed[lib.pk] if (c := before.get(r)) is not None}
    after: dict[int, int | None] = dict(
        BibRecord.objects.filter(active=True).values_list("id", "cluster_id")
    )
    _compare(report, before, after)
    touched |= {c for _, old, new in report.moved for c in (old, new) if c}
    index.refresh(refresh_clusters(touched))
    report.refreshed = sum(len(r) for r in refreshed.values())
    moved_by_library: dict[int, int] = defaultdict(int)
    library_of = dict(
        bulk.select(
            f"SELECT id, library_id FROM {bulk.table(BibRecord)} WHERE id {{ids}}",  # noqa: S608
            [m[0] for m in report.moved],
        )
    )
    for rid, _old, _new in report.moved:
        moved_by_library[library_of[rid]] += 1
    for lib in libraries:
        if refreshed[lib.pk] or moved_by_library[lib.pk]:
            audit(
                AuditVerb.CATALOG_REMATCHED,
                lib,
                acting_user=acting_user,
                institution_code=lib.code,
                refreshed=len(refreshed[lib.pk]),
                moved=moved_by_library[lib.pk],
                clusters_merged=len(report.merged),
                clusters_split=len(report.split),
            )


def _refresh_facts(library: Institution) -> set[int]:
    """Write the match columns and blocking keys of *library*'s active records where the
    current rules derive other ones from the stored MARC; return those records' ids."""
    rows = (
        BibRecord.objects.filter(library=library, active=True)
        .order_by("id")
        .values_list("id", "marc", *MATCH_COLUMNS, "other_ids")
    )
    changed: list[tuple[Any, ...]] = []
    keys: dict[int, set[str]] = {}
    ids: list[int] = []
    written: set[int] = set()

    def flush() -> None:
        stored: dict[int, set[str]] = defaultdict(set)
        for rid, key in bulk.select(
            f"SELECT record_id, key FROM {bulk.table(MatchKey)} WHERE record_id {{ids}}",  # noqa: S608
            ids,
        ):
            stored[rid].add(key)
        rekey = {rid: ks for rid, ks in keys.items() if stored.get(rid, set()) != ks}
        if changed:
            bulk.update(
                BibRecord,
                [*MATCH_COLUMNS, "other_ids"],
                changed,
            )
        clustering.replace_keys(rekey, replaced=list(rekey))
        written.update(row[-1] for row in changed)
        written.update(rekey)
        changed.clear()
        keys.clear()
        ids.clear()

    for rid, marc, *old in rows.iterator(chunk_size=BATCH):
        record = _record(marc)
        if record is None:
            continue  # keeps the facts it has; still assigned again below
        new = match_fields(extract_facts(record))
        values = [new[c] for c in (*MATCH_COLUMNS, "other_ids")]
        if list(old) != values:
            changed.append(
                (
                    *(
                        bulk.to_json(v) if c in _JSON_COLUMNS else v
                        for c, v in zip((*MATCH_COLUMNS, "other_ids"), values, strict=True)
                    ),
                    rid,
                )
            )
        info = MatchInfo(
            rid,
            library.pk,
            str(new["format"]),
            str(new["title_key"]),
            str(new["author_key"]),
            new["year"],
            new["pages"],
            frozenset(new["isbns"]),
            frozenset(new["issns"]),
            frozenset(new["other_ids"]),
        )
        keys[rid] = blocking_keys(info)
        ids.append(rid)
        if len(ids) >= BATCH:
            flush()
    flush()
    return written


def _record(marc: Any) -> Record | None:
    """The stored MARC-in-JSON as a pymarc record (None if it cannot be read back)."""
    try:
        return next(iter(JSONReader(json.dumps(marc))), None)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _compare(
    report: RematchReport, before: dict[int, int | None], after: dict[int, int | None]
) -> None:
    """Moved records, and the clusters that merged (took in records of other clusters) or
    split (their records now in more than one cluster)."""
    sources: dict[int, set[int]] = defaultdict(set)  # new cluster -> old clusters
    targets: dict[int, set[int]] = defaultdict(set)  # old cluster -> new clusters
    for rid, new in after.items():
        old = before.get(rid)
        if new is None:
            continue
        if old != new:
            report.moved.append((rid, old, new))
        if old is not None:
            sources[new].add(old)
            targets[old].add(new)
    moved_to = {new for _, _, new in report.moved}
    moved_from = {old for _, old, _ in report.moved if old is not None}
    report.merged = {
        new: sorted(olds - {new})
        for new, olds in sources.items()
        if new in moved_to and len(olds) > 1
    }
    report.split = {
        old: sorted(news) for old, news in targets.items() if old in moved_from and len(news) > 1
    }
    report.moved.sort()
