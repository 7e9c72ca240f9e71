"""Incremental clustering: put each new or changed record into the cluster of its work.

Only the records of one batch are matched, against candidates found through shared blocking
keys (no full rebuild). Invariants, enforced here and tested on both databases:

* two records of the same library are never in one cluster;
* staff overrides (``ClusterOverride``) win over every rule, across re-imports;
* every assignment is explained by a ``MatchDecision`` (rule, key, scores).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q

from libcoop.catalog.matching import HARD_REJECTIONS, MatchInfo, Verdict, blocking_keys, compare
from libcoop.catalog.models import (
    BibRecord,
    Cluster,
    ClusterOverride,
    MatchDecision,
    MatchKey,
    OverrideKind,
)
from libcoop.core.bulk import fast_insert, fast_update

MAX_CANDIDATES_PER_KEY = 200
INFO_FIELDS = (
    "id",
    "library_id",
    "format",
    "title_key",
    "author_key",
    "year",
    "pages",
    "isbns",
    "issns",
    "other_ids",
    "cluster_id",
)


def info_from_row(row: dict[str, Any]) -> MatchInfo:
    return MatchInfo(
        record_id=row["id"],
        library_id=row["library_id"],
        format=row["format"],
        title_key=row["title_key"],
        author_key=row["author_key"],
        year=row["year"],
        pages=row["pages"],
        isbns=frozenset(row["isbns"] or ()),
        issns=frozenset(row["issns"] or ()),
        other_ids=frozenset(row["other_ids"] or ()),
    )


def info_from_record(record: BibRecord) -> MatchInfo:
    return info_from_row({name: getattr(record, name) for name in INFO_FIELDS})


def write_keys(records: Iterable[MatchInfo]) -> None:
    """Replace the blocking keys of *records* (all of them active)."""
    records = list(records)
    MatchKey.objects.filter(record_id__in=[r.record_id for r in records]).delete()
    fast_insert(
        [MatchKey(record_id=r.record_id, key=k) for r in records for k in sorted(blocking_keys(r))]
    )


@dataclass
class _State:
    """What the batch knows about the clusters it touches, kept current as it assigns."""

    libraries: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    members: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    cluster_of: dict[int, int | None] = field(default_factory=dict)
    touched: set[int] = field(default_factory=set)

    def move(self, info: MatchInfo, new_cluster: int) -> None:
        old = self.cluster_of.get(info.record_id)
        if old is not None:
            self.libraries[old].discard(info.library_id)
            self.members[old].discard(info.record_id)
            self.touched.add(old)
        self.cluster_of[info.record_id] = new_cluster
        self.libraries[new_cluster].add(info.library_id)
        self.members[new_cluster].add(info.record_id)
        self.touched.add(new_cluster)


def _load_overrides(record_ids: set[int]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    apart: dict[int, set[int]] = defaultdict(set)
    together: dict[int, set[int]] = defaultdict(set)
    rows = ClusterOverride.objects.filter(
        Q(record_a_id__in=record_ids) | Q(record_b_id__in=record_ids)
    ).values_list("kind", "record_a_id", "record_b_id")
    for kind, a, b in rows:
        table = apart if kind == OverrideKind.KEEP_APART else together
        table[a].add(b)
        table[b].add(a)
    return apart, together


def assign(record_ids: Iterable[int], *, acting_user: object = None) -> set[int]:
    """Match the given active records and (re)assign their clusters; return touched clusters.

    Call inside the caller's transaction, after the records and their keys are written.
    """
    ids = set(record_ids)
    if not ids:
        return set()
    rows = {
        r["id"]: r for r in BibRecord.objects.filter(id__in=ids, active=True).values(*INFO_FIELDS)
    }
    infos = {rid: info_from_row(r) for rid, r in rows.items()}
    # The keys write_keys stored for these records, derived again rather than read back.
    keys_of = {rid: blocking_keys(info) for rid, info in infos.items()}
    all_keys = set().union(*keys_of.values()) if keys_of else set()
    candidates_by_key: dict[str, list[int]] = defaultdict(list)
    for rid, key in (
        MatchKey.objects.filter(key__in=all_keys, record__active=True)
        .exclude(record_id__in=infos)
        .values_list("record_id", "key")
        .order_by("record_id")
    ):
        if len(candidates_by_key[key]) < MAX_CANDIDATES_PER_KEY:
            candidates_by_key[key].append(rid)
    candidate_ids = {rid for rids in candidates_by_key.values() for rid in rids}
    apart, together = _load_overrides(set(infos))
    partner_ids = {p for ps in together.values() for p in ps} - set(infos)
    cand_rows = {
        r["id"]: r
        for r in BibRecord.objects.filter(id__in=candidate_ids | partner_ids, active=True).values(
            *INFO_FIELDS
        )
    }
    cand_infos = {rid: info_from_row(r) for rid, r in cand_rows.items()}

    state = _State()
    cluster_ids = {
        r["cluster_id"] for r in [*rows.values(), *cand_rows.values()] if r["cluster_id"]
    }
    for cid, rid, lib in BibRecord.objects.filter(
        cluster_id__in=cluster_ids, active=True
    ).values_list("cluster_id", "id", "library_id"):
        state.libraries[cid].add(lib)
        state.members[cid].add(rid)
        state.cluster_of[rid] = cid
    for rid, row in rows.items():
        state.cluster_of.setdefault(rid, row["cluster_id"])
    # Every member of a candidate cluster is checked for hard conflicts before joining it.
    missing = {m for ms in state.members.values() for m in ms} - set(cand_infos) - set(infos)
    for r in BibRecord.objects.filter(id__in=missing, active=True).values(*INFO_FIELDS):
        cand_infos[r["id"]] = info_from_row(r)

    decisions: list[MatchDecision] = []
    pending: list[int] = []
    for rid in sorted(infos):
        info = infos[rid]
        choice = _choose(info, keys_of[rid], candidates_by_key, cand_infos, apart, together, state)
        current = state.cluster_of.get(rid)
        if current is not None:
            state.touched.add(current)  # its record changed: the display must follow
        if choice is None:
            if current is not None and state.members[current] == {rid}:
                continue  # already alone in its own cluster
            placeholder = -1 - len(pending)  # a new cluster, created in bulk below
            pending.append(placeholder)
            state.move(info, placeholder)
            decisions.append(
                MatchDecision(record_id=rid, cluster_id=placeholder, rule="new_cluster", scores={})
            )
            continue
        cluster_id, verdict, matched = choice
        if cluster_id != current:
            state.move(info, cluster_id)
        decisions.append(
            MatchDecision(
                record_id=rid,
                cluster_id=cluster_id,
                matched_record_id=matched,
                rule=verdict.rule,
                key=verdict.key,
                scores=verdict.scores,
                acting_user=acting_user if isinstance(acting_user, User) else None,
            )
        )
    created = Cluster.objects.bulk_create([Cluster() for _ in pending], batch_size=1000)
    real = {placeholder: c.pk for placeholder, c in zip(pending, created, strict=True)}
    for rid, maybe in state.cluster_of.items():
        if maybe is not None and maybe < 0:
            state.cluster_of[rid] = real[maybe]
    for d in decisions:
        d.cluster_id = real.get(d.cluster_id, d.cluster_id)
    state.touched = {real.get(c, c) for c in state.touched}
    _save_assignments(infos, state)
    fast_insert(decisions)
    return state.touched


def _choose(
    info: MatchInfo,
    keys: set[str],
    candidates_by_key: dict[str, list[int]],
    cand_infos: dict[int, MatchInfo],
    apart: dict[int, set[int]],
    together: dict[int, set[int]],
    state: _State,
) -> tuple[int, Verdict, int | None] | None:
    """The best cluster for *info*, or None for a cluster of its own."""
    current = state.cluster_of.get(info.record_id)

    def allowed(cluster_id: int) -> bool:
        others = state.libraries[cluster_id] - (
            {info.library_id} if cluster_id == current else set()
        )
        if info.library_id in others:
            return False
        members = state.members[cluster_id] - {info.record_id}
        return not (members & apart[info.record_id])

    for partner in sorted(together[info.record_id]):
        partner_cluster = state.cluster_of.get(partner)
        if partner_cluster is not None and allowed(partner_cluster):
            return partner_cluster, Verdict(True, "staff_merge", f"record:{partner}"), partner

    best: tuple[tuple[int, int, float, int], int, Verdict, int] | None = None
    seen: set[int] = set()
    for key in sorted(keys):
        for cand_id in candidates_by_key.get(key, ()):
            if cand_id in seen or cand_id not in cand_infos:
                continue
            seen.add(cand_id)
            cluster_id = state.cluster_of.get(cand_id)
            if cluster_id is None or not allowed(cluster_id):
                continue
            verdict = compare(info, cand_infos[cand_id])
            if not verdict.match or _conflicts(info, cluster_id, state, cand_infos):
                continue
            # Prefer: stronger rule, staying where we are, closer title, older cluster.
            rank = (
                -verdict.strength,
                0 if cluster_id == current else 1,
                verdict.scores.get("title_distance", 0.0),
                cluster_id,
            )
            if best is None or rank < best[0]:
                best = (rank, cluster_id, verdict, cand_id)
    if best is None:
        return None
    return best[1], best[2], best[3]


def _conflicts(
    info: MatchInfo, cluster_id: int, state: _State, infos: dict[int, MatchInfo]
) -> bool:
    for member in state.members[cluster_id]:
        other = infos.get(member)
        if (
            member != info.record_id
            and other is not None
            and compare(info, other).rule in HARD_REJECTIONS
        ):
            return True
    return False


def _save_assignments(infos: dict[int, MatchInfo], state: _State) -> None:
    changed = [
        BibRecord(id=rid, cluster_id=state.cluster_of[rid])
        for rid in infos
        if state.cluster_of.get(rid) is not None
    ]
    fast_update(changed, ["cluster"])
