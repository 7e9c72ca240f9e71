"""What other apps may read of the union catalog (the contract in ``docs/contracts.md``):
plain values and frozen dataclasses, never models."""

from __future__ import annotations

from dataclasses import dataclass

from libcoop.catalog.models import BibRecord, Cluster


@dataclass(frozen=True)
class ClusterCitation:
    id: int
    title: str
    author: str
    year: int | None
    format: str
    isbns: tuple[str, ...]


def holding_libraries(cluster_id: int) -> list[int]:
    """Institution ids with an active record in the cluster, in id order."""
    return sorted(
        set(
            BibRecord.objects.filter(cluster_id=cluster_id, active=True).values_list(
                "library_id", flat=True
            )
        )
    )


def cluster_citation(cluster_id: int) -> ClusterCitation | None:
    """What an interlibrary-loan request needs to say about a cluster (None when withdrawn)."""
    cluster = Cluster.objects.filter(pk=cluster_id, active=True).first()
    if cluster is None:
        return None
    return ClusterCitation(
        id=cluster.pk,
        title=cluster.title,
        author=cluster.author,
        year=cluster.year,
        format=cluster.format,
        isbns=tuple(cluster.merged.get("isbns", [])),
    )


def local_record_id(cluster_id: int, library_id: int) -> str:
    """The lending library's own record number (001) of the cluster, or ''."""
    return (
        BibRecord.objects.filter(cluster_id=cluster_id, library_id=library_id, active=True)
        .values_list("local_id", flat=True)
        .first()
        or ""
    )
