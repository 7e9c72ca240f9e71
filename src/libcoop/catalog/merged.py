"""The merged display record of a cluster, recomputed from its active member records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from libcoop.catalog import bulk
from libcoop.catalog.models import BibRecord, Cluster
from libcoop.catalog.works import work_key
from libcoop.network.models import Institution

RECORD_FIELDS = (
    "id",
    "cluster_id",
    "library_id",
    "library__code",
    "local_id",
    "format",
    "language",
    "title",
    "author",
    "year",
    "isbns",
    "issns",
    "subjects",
    "field_count",
    "title_key",
    "author_key",
    "other_ids",  # JSON text: decoded only for the base record (its work key's names)
)
SUBJECT_LIMIT = 30
_COLUMNS = ", ".join("i.code" if f == "library__code" else f"r.{f}" for f in RECORD_FIELDS)
_ROWS_SQL = (
    f"SELECT {_COLUMNS} FROM {bulk.table(BibRecord)} AS r"  # noqa: S608
    f" JOIN {bulk.table(Institution)} AS i ON i.id = r.library_id"
    " WHERE r.cluster_id {ids} AND r.active"
)
DISPLAY_FIELDS = [
    "active",
    "title",
    "title_sort",
    "author",
    "year",
    "format",
    "language",
    "isbn",
    "record_count",
    "library_count",
    "merged",
    "work_key",
    "updated",
]


@dataclass(slots=True)
class ClusterDisplay:
    """A cluster's display fields and counts as ``merge`` computes them (a plain object:
    an import refreshes thousands of clusters a second, and needs no model instances)."""

    id: int
    active: bool = True
    title: str = ""
    title_sort: str = ""
    author: str = ""
    year: int | None = None
    format: str = ""
    language: str = ""
    isbn: str = ""
    record_count: int = 0
    library_count: int = 0
    merged: dict[str, Any] = field(default_factory=dict)
    work_key: str = ""

    @property
    def pk(self) -> int:
        return self.id


def _richness(row: dict[str, Any]) -> tuple[int, int]:
    """The fullest record describes the cluster: most fields, then lowest id (stable)."""
    return (-row["field_count"], row["id"])


def merge(cluster: Cluster | ClusterDisplay, rows: list[dict[str, Any]]) -> None:
    """Set *cluster*'s display fields and counts from its active member records (*rows*:
    RECORD_FIELDS); no rows make it inactive."""
    rows = sorted(rows, key=_richness)
    if not rows:  # the display fields stay as they were: what the cluster last showed
        cluster.active = False
        cluster.record_count = cluster.library_count = 0
        cluster.merged = {}
        return
    best = rows[0]
    cluster.active = True
    cluster.title = best["title"]
    cluster.title_sort = best["title"][:300].casefold()
    cluster.author = best["author"][:300]
    cluster.year = best["year"]
    cluster.format = best["format"]
    cluster.language = best["language"] or ""
    isbns = sorted({i for r in rows for i in r["isbns"]})
    cluster.isbn = isbns[0] if isbns else ""
    # Names and publisher are read from other_ids only when the record has no main entry.
    names = () if best["author_key"] else bulk.from_json(best["other_ids"]) or ()
    cluster.work_key = work_key(best["title_key"], best["author_key"], names)
    cluster.record_count = len(rows)
    cluster.library_count = len({r["library_id"] for r in rows})
    subjects: list[str] = []
    for r in rows:
        for s in r["subjects"]:
            if s not in subjects:
                subjects.append(s)
    cluster.merged = {
        "base_record": best["id"],
        "titles": sorted({r["title"] for r in rows}),
        "authors": sorted({r["author"] for r in rows if r["author"]}),
        "isbns": isbns,
        "issns": sorted({i for r in rows for i in r["issns"]}),
        "subjects": subjects[:SUBJECT_LIMIT],
        "records": [
            {"library": r["library__code"], "local_id": r["local_id"], "id": r["id"]}
            for r in sorted(rows, key=lambda r: (r["library__code"], r["local_id"]))
        ],
    }


def member_rows(cluster_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """RECORD_FIELDS of the active records of each cluster."""
    by_cluster: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for values in bulk.select(_ROWS_SQL, sorted(set(cluster_ids))):
        row = dict(zip(RECORD_FIELDS, values, strict=True))
        for name in ("isbns", "issns", "subjects"):
            row[name] = bulk.from_json(row[name])
        by_cluster[row["cluster_id"]].append(row)
    return by_cluster


def refresh_clusters(cluster_ids: Iterable[int]) -> list[ClusterDisplay]:
    """Recompute display fields and counts; a cluster with no active record becomes inactive.

    Returns the clusters' new display fields (for indexing).
    """
    ids = sorted(set(cluster_ids))
    if not ids:
        return []
    by_cluster = member_rows(ids)
    sql = f"SELECT id FROM {bulk.table(Cluster)} WHERE id {{ids}}"  # noqa: S608
    existing = {row[0] for row in bulk.select(sql, ids)}
    # Ids reserved by clustering.reserve_cluster_ids: their rows are written here, first time.
    new = {cid for cid in ids if cid not in existing and by_cluster.get(cid)}
    clusters = [ClusterDisplay(id=cid) for cid in sorted(existing | new)]
    now = bulk.now_value()  # the OAI datestamp must move
    for cluster in clusters:
        merge(cluster, by_cluster.get(cluster.pk, []))

    def display(c: ClusterDisplay) -> tuple[Any, ...]:
        return (
            True,
            c.title,
            c.title_sort,
            c.author,
            c.year,
            c.format,
            c.language,
            c.isbn,
            c.record_count,
            c.library_count,
            bulk.to_json(c.merged),
            c.work_key,
            now,
        )

    active = [c for c in clusters if c.active]
    bulk.update(Cluster, DISPLAY_FIELDS, [(*display(c), c.pk) for c in active if c.pk in existing])
    bulk.insert(
        Cluster,
        ["id", "created", *DISPLAY_FIELDS],
        [(c.pk, now, *display(c)) for c in active if c.pk in new],
    )
    bulk.update(
        Cluster,
        ["active", "record_count", "library_count", "merged", "updated"],
        [(False, 0, 0, bulk.to_json({}), now, c.pk) for c in clusters if not c.active],
    )
    return clusters
