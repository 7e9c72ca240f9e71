"""The merged display record of a cluster, recomputed from its active member records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from libcoop.catalog.models import BibRecord, Cluster
from libcoop.core.bulk import fast_update

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
)


def _richness(row: dict[str, Any]) -> tuple[int, int]:
    """The fullest record describes the cluster: most fields, then lowest id (stable)."""
    return (-row["field_count"], row["id"])


def refresh_clusters(cluster_ids: Iterable[int]) -> list[Cluster]:
    """Recompute display fields and counts; a cluster with no active record becomes inactive."""
    ids = sorted(set(cluster_ids))
    if not ids:
        return []
    by_cluster: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in BibRecord.objects.filter(cluster_id__in=ids, active=True).values(*RECORD_FIELDS):
        by_cluster[row["cluster_id"]].append(row)
    clusters = list(Cluster.objects.filter(id__in=ids))
    now = timezone.now()  # bulk_update skips auto_now; the OAI datestamp must move
    for cluster in clusters:
        cluster.updated = now
        rows = sorted(by_cluster.get(cluster.pk, []), key=_richness)
        if not rows:
            cluster.active = False
            cluster.record_count = cluster.library_count = 0
            cluster.merged = {}
            continue
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
            "subjects": subjects[:30],
            "records": [
                {"library": r["library__code"], "local_id": r["local_id"], "id": r["id"]}
                for r in sorted(rows, key=lambda r: (r["library__code"], r["local_id"]))
            ],
        }
    fast_update(
        clusters,
        [
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
            "updated",
        ],
    )
    return clusters
