"""Keeping the search index in step with clusters: one search document per active cluster."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from libcoop.catalog import bulk
from libcoop.catalog.merged import ClusterDisplay
from libcoop.catalog.models import BibRecord, Cluster
from libcoop.textsearch.backends import SearchDocument, analysis, backend_for
from libcoop.textsearch.backends.analysis import FieldTerms


def document_for(cluster: Cluster | ClusterDisplay, local_ids: list[str]) -> SearchDocument:
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


def prime(terms: Iterable[tuple[str, FieldTerms]]) -> None:
    """Text analysed by an import's worker process, for the documents about to be indexed."""
    if terms:
        analysis.prime(terms)


def refresh(clusters: Iterable[Cluster | ClusterDisplay]) -> None:
    """Index active clusters and drop inactive ones, in the caller's transaction."""
    clusters = list(clusters)
    if not clusters:
        return
    backend = backend_for(connection)
    # The merged record lists its members' local ids; older ones are looked up.
    local_ids: dict[int, list[str]] = {
        c.pk: [r["local_id"] for r in (c.merged or {}).get("records", [])] for c in clusters
    }
    unlisted = [c.pk for c in clusters if c.active and "records" not in (c.merged or {})]
    for cid, lid in bulk.select(
        f"SELECT cluster_id, local_id FROM {bulk.table(BibRecord)}"  # noqa: S608
        " WHERE cluster_id {ids} AND active",
        unlisted,
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
