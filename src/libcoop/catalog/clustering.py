"""Incremental clustering: put each new or changed record into the cluster of its work.

Only the records of one batch are matched, against candidates found through shared blocking
keys (no full rebuild). Invariants, enforced here and tested on both databases:

* two records of the same library are never in one cluster;
* staff overrides (``ClusterOverride``) win over every rule, across re-imports;
* every assignment is explained by a ``MatchDecision`` (rule, key, scores).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from libcoop.audit.services import user_of
from libcoop.catalog import bulk
from libcoop.catalog.matching import HARD_REJECTIONS, MatchInfo, Verdict, blocking_keys, compare
from libcoop.catalog.models import (
    BibRecord,
    Cluster,
    ClusterOverride,
    MatchDecision,
    MatchKey,
    OverrideKind,
)

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
_RECORDS = bulk.table(BibRecord)
_INFO_SQL = f"SELECT {', '.join(INFO_FIELDS)} FROM {_RECORDS} WHERE id {{ids}} AND active"  # noqa: S608


_NO_IDS: frozenset[str] = frozenset()


def _id_set(value: Any) -> frozenset[str]:
    """A JSON list column (as read by a raw cursor) as a set; most are empty."""
    if not value or value == "[]":
        return _NO_IDS
    return frozenset(bulk.from_json(value))


def _info_rows(ids: Iterable[int]) -> tuple[dict[int, MatchInfo], dict[int, int | None]]:
    """The match facts of the active records among *ids*, and the cluster of each, by id."""
    infos: dict[int, MatchInfo] = {}
    clusters: dict[int, int | None] = {}
    for rid, lib, fmt, title, author, year, pages, isbns, issns, other, cluster in bulk.select(
        _INFO_SQL, sorted(ids)
    ):
        infos[rid] = MatchInfo(
            rid,
            lib,
            fmt,
            title,
            author,
            year,
            pages,
            _id_set(isbns),
            _id_set(issns),
            _id_set(other),
        )
        clusters[rid] = cluster
    return infos, clusters


def replace_keys(keys: Mapping[int, Iterable[str]], *, replaced: Iterable[int] = ()) -> None:
    """Drop the blocking keys of the *replaced* records, then store *keys* (record -> keys)."""
    table = bulk.table(MatchKey)
    bulk.execute(f"DELETE FROM {table} WHERE record_id {{ids}}", list(replaced))  # noqa: S608
    bulk.insert(MatchKey, ["record", "key"], [(r, k) for r, ks in keys.items() for k in sorted(ks)])


def write_keys(records: Iterable[MatchInfo]) -> None:
    """Replace the blocking keys of *records* (all of them active)."""
    keys = {r.record_id: blocking_keys(r) for r in records}
    replace_keys(keys, replaced=list(keys))


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
    rows = bulk.select(
        f"SELECT kind, record_a_id, record_b_id FROM {bulk.table(ClusterOverride)}"  # noqa: S608
        " WHERE record_a_id {ids} OR record_b_id {ids}",
        sorted(record_ids),
    )
    for kind, a, b in rows:
        table = apart if kind == OverrideKind.KEEP_APART else together
        table[a].add(b)
        table[b].add(a)
    return apart, together


def assign(
    record_ids: Iterable[int], *, acting_user: object = None, quiet: bool = False
) -> set[int]:
    """Match the given active records and (re)assign their clusters; return touched clusters.

    Call inside the caller's transaction, after the records and their keys are written.
    """
    infos, clusters = _info_rows(set(record_ids))
    return assign_infos(infos, clusters, acting_user=acting_user, quiet=quiet)


def assign_infos(
    infos: dict[int, MatchInfo],
    current: Mapping[int, int | None],
    *,
    acting_user: object = None,
    quiet: bool = False,
) -> set[int]:
    """``assign`` for records whose facts the caller has: *infos* of active records, by id,
    and each one's cluster now (*current*, None for none). Returns the touched clusters.

    *quiet* (``rematch``): a record that stays where it is touches no cluster, and gets a
    new ``MatchDecision`` only when the rule or key that explains it has changed."""
    if not infos:
        return set()
    # The keys replace_keys stored for these records, derived again rather than read back.
    keys_of = {rid: blocking_keys(info) for rid, info in infos.items()}
    all_keys = set().union(*keys_of.values())
    candidates_by_key = _candidates(all_keys, set(infos))
    candidate_ids = {rid for rids in candidates_by_key.values() for rid in rids}
    apart, together = _load_overrides(set(infos))
    partner_ids = {p for ps in together.values() for p in ps} - set(infos)
    cand_infos, cand_clusters = _info_rows(candidate_ids | partner_ids)

    state = _State()
    cluster_ids = {c for c in current.values() if c} | {c for c in cand_clusters.values() if c}
    for cid, rid, lib in bulk.select(
        f"SELECT cluster_id, id, library_id FROM {_RECORDS}"  # noqa: S608
        " WHERE cluster_id {ids} AND active",
        sorted(cluster_ids),
    ):
        state.libraries[cid].add(lib)
        state.members[cid].add(rid)
        state.cluster_of[rid] = cid
    for rid in infos:
        state.cluster_of.setdefault(rid, current.get(rid))
    # Every member of a candidate cluster is checked for hard conflicts before joining it.
    missing = {m for ms in state.members.values() for m in ms} - set(cand_infos) - set(infos)
    cand_infos.update(_info_rows(missing)[0])

    user = user_of(acting_user)
    decisions: list[tuple[int, int, int | None, str, str, dict[str, float]]] = []
    pending: list[int] = []
    for rid in sorted(infos):
        info = infos[rid]
        choice = _choose(info, keys_of[rid], candidates_by_key, cand_infos, apart, together, state)
        now_in = state.cluster_of.get(rid)
        if now_in is not None and not quiet:
            state.touched.add(now_in)  # its record changed: the display must follow
        if choice is None:
            if now_in is not None and state.members[now_in] == {rid}:
                continue  # already alone in its own cluster
            placeholder = -1 - len(pending)  # a new cluster, created in bulk below
            pending.append(placeholder)
            state.move(info, placeholder)
            decisions.append((rid, placeholder, None, "new_cluster", "", {}))
            continue
        cluster_id, verdict, matched = choice
        if cluster_id != now_in:
            state.move(info, cluster_id)
        decisions.append((rid, cluster_id, matched, verdict.rule, verdict.key, verdict.scores))
    if quiet:
        decisions = _changed_decisions(decisions, current)
    real = dict(zip(pending, reserve_cluster_ids(len(pending)), strict=True))
    for rid, maybe in state.cluster_of.items():
        if maybe is not None and maybe < 0:
            state.cluster_of[rid] = real[maybe]
    state.touched = {real.get(c, c) for c in state.touched}
    _save_assignments(infos, state)
    now = bulk.now_value()
    bulk.insert(
        MatchDecision,
        ["record", "cluster", "matched_record", "rule", "key", "scores", "created", "acting_user"],
        [
            (
                rid,
                real.get(cid, cid),
                matched,
                rule,
                key,
                bulk.to_json(scores),
                now,
                # new clusters were made by the import, not chosen by a person
                None if rule == "new_cluster" else (user.pk if user else None),
            )
            for rid, cid, matched, rule, key, scores in decisions
        ],
    )
    return state.touched


def _changed_decisions(
    decisions: list[tuple[int, int, int | None, str, str, dict[str, float]]],
    current: Mapping[int, int | None],
) -> list[tuple[int, int, int | None, str, str, dict[str, float]]]:
    """The decisions that say something new: a record moved, or the rule or key that keeps
    it where it was is not the one its latest decision names."""
    staying = [d[0] for d in decisions if d[1] == current.get(d[0])]
    latest: dict[int, tuple[int, str, str]] = {}
    for rid, cid, rule, key in bulk.select(
        f"SELECT record_id, cluster_id, rule, key FROM {bulk.table(MatchDecision)}"  # noqa: S608
        " WHERE record_id {ids} ORDER BY id",
        staying,
    ):
        latest[rid] = (cid, rule, key)
    return [d for d in decisions if latest.get(d[0]) != (d[1], d[3], d[4])]


def _candidates(keys: set[str], batch: set[int]) -> dict[str, list[int]]:
    """For each key, the first MAX_CANDIDATES_PER_KEY active records outside *batch* (by id)
    that have it. The limit is applied in the query: a key that thousands of records share
    (a common title with no author) costs 200 rows, not thousands."""
    if not keys:
        return {}
    key_in, key_params = bulk.in_texts(sorted(keys))
    id_in, id_params = bulk.in_ids(sorted(batch))
    sql = (
        "SELECT record_id, key FROM ("  # noqa: S608 - names from the models, values bound
        " SELECT k.record_id, k.key,"
        "  ROW_NUMBER() OVER (PARTITION BY k.key ORDER BY k.record_id) AS n"
        f" FROM {bulk.table(MatchKey)} AS k JOIN {_RECORDS} AS r ON r.id = k.record_id"
        f" WHERE k.key {key_in} AND r.active AND NOT (k.record_id {id_in})"
        ") AS c WHERE n <= %s ORDER BY record_id"
    )
    out: dict[str, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*key_params, *id_params, MAX_CANDIDATES_PER_KEY])
        for rid, key in cursor.fetchall():
            out[key].append(rid)
    return out


def reserve_cluster_ids(count: int) -> list[int]:
    """*count* new cluster ids, ascending, with no rows yet.

    ``merged.refresh_clusters`` inserts each such cluster with its display fields once it
    has members, in the same transaction (the foreign keys that point to it are checked at
    commit): one write of the row and its indexes, where an empty row followed by an update
    of every indexed column wrote them twice.
    """
    if count <= 0:
        return []
    table = bulk.table(Cluster)
    with connection.cursor() as cursor:
        if bulk.postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(int(row[0]) for row in cursor.fetchall())
        # SQLite, AUTOINCREMENT: the write transaction (BEGIN IMMEDIATE) holds the database's
        # write lock, so no other connection takes ids until it ends; advancing the sequence
        # keeps the ids from being handed out again.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        top = max(int(row[0]) if row else 0, int(cursor.fetchone()[0]))
        if row:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [top + count, table]
            )
        else:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top + count]
            )
        return list(range(top + 1, top + count + 1))


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
    bulk.update(
        BibRecord,
        ["cluster"],
        [(state.cluster_of[rid], rid) for rid in infos if state.cluster_of.get(rid) is not None],
    )
