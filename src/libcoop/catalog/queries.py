"""What other apps may read of the union catalog (the contract in ``docs/contracts.md``):
plain values and frozen dataclasses, never models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from libcoop.catalog.identifiers import normalise_isbn
from libcoop.catalog.models import BibRecord, Cluster
from libcoop.catalog.works import work_key
from libcoop.textsearch.keys import author_key, title_key


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


def cluster_for_work(isbns: Sequence[str], title: str, authors: Sequence[str]) -> int | None:
    """The active cluster that holds the same work, for a link from outside the catalog (the
    digital collection's item page): first by ISBN (any of *isbns*, normalised to ISBN-13),
    then by work key (the title's key with one of *authors*' name keys, as ``works``
    builds it). None when the catalog has no such cluster."""
    normalised = {n for n in (normalise_isbn(i) for i in isbns) if n}
    if normalised:
        found = (
            BibRecord.objects.filter(
                active=True,
                cluster__active=True,
                keys__key__in=[f"isbn:{i}" for i in sorted(normalised)],
            )
            .order_by("cluster_id")
            .values_list("cluster_id", flat=True)
            .first()
        )
        if found is not None:
            return int(found)
    key = title_key(title)
    if not key:
        return None
    work_keys = [work_key(key, author_key(a), ()) for a in authors if author_key(a)]
    if not work_keys:
        return None
    found = (
        Cluster.objects.filter(work_key__in=work_keys, active=True)
        .order_by("-year", "id")
        .values_list("id", flat=True)
        .first()
    )
    return None if found is None else int(found)
