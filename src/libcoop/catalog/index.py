"""Keeping the search index in step with clusters: one search document per active cluster."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from libcoop.catalog.models import BibRecord, Cluster
from libcoop.textsearch.backends import SearchDocument, backend_for


def document_for(cluster: Cluster, local_ids: list[str]) -> SearchDocument:
    merged = cluster.merged or {}
    return SearchDocument(
        doc_id=cluster.pk,
        # Every member's title, so each library's spelling of it is found.
        title=" \n".join(merged.get("titles") or [cluster.title]),
        author=" \n".join(merged.get("authors") or [cluster.author]),
        subject=" \n".join(merged.get("subjects") or []),
        text="",
        identifiers=tuple(sorted({*merged.get("isbns", []), *merged.get("issns", []), *local_ids})),
    )


def refresh(clusters: Iterable[Cluster]) -> None:
    """Index active clusters and drop inactive ones, in the caller's transaction."""
    clusters = list(clusters)
    if not clusters:
        return
    backend = backend_for(connection)
    local_ids: dict[int, list[str]] = {c.pk: [] for c in clusters}
    for cid, lid in BibRecord.objects.filter(cluster_id__in=local_ids, active=True).values_list(
        "cluster_id", "local_id"
    ):
        local_ids[cid].append(lid)
    backend.delete([c.pk for c in clusters if not c.active])
    backend.index(document_for(c, local_ids[c.pk]) for c in clusters if c.active)


def rebuild() -> int:
    """Re-index every active cluster (after a back-end change or a restore)."""
    backend = backend_for(connection)
    backend.clear()
    count = 0
    ids = list(Cluster.objects.filter(active=True).values_list("id", flat=True).order_by("id"))
    for start in range(0, len(ids), 2000):
        chunk = list(Cluster.objects.filter(id__in=ids[start : start + 2000]))
        refresh(chunk)
        count += len(chunk)
    return count
