"""Rows of the ability table (``network.abilities``) for the union catalog.

Who may do what (``docs/security.md``):

* load records (``catalog.import``) and see an import job with its problem report
  (``catalog.view_import``): the library's own librarians and admin — nobody else, not even a
  network coordinator (the report names the library's local record numbers and errors);
* split a record out of its cluster, or move it into another cluster
  (``catalog.curate_record``): the staff of the record's library, or a coordinator of a network
  the library is an active member of;
* merge a whole cluster into another (``catalog.merge_clusters``): only when everything that
  moves is the actor's to move — a library's staff when every record of the cluster is their
  library's, a network coordinator when every moving record's library is an active member of
  their network (or a network under it). A member library never moves another library's
  records (probe finding: a merge used to move the whole cluster after checking one record).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from libcoop.network.abilities import profile_of, staff_of
from libcoop.network.models import StaffRole


@dataclass(frozen=True)
class ClusterMove:
    """What a cluster merge would move: the libraries of the moving records."""

    libraries: frozenset[int]


def coordinated_libraries(user: Any, library_ids: frozenset[int] | set[int]) -> bool:
    """True when *user* coordinates a network in which every one of *library_ids* is an active
    member (at any depth under the coordinator's network)."""
    from libcoop.network.models import Membership
    from libcoop.network.queries import network_and_below

    profile = profile_of(user)
    if profile is None or profile.role != StaffRole.NETWORK_COORDINATOR:
        return False
    if profile.network_id is None or not library_ids:
        return False
    today = datetime.date.today()
    members = set(
        Membership.objects.filter(
            Q(end__isnull=True) | Q(end__gte=today),
            network_id__in=network_and_below(profile.network_id),
            institution_id__in=library_ids,
        ).values_list("institution_id", flat=True)
    )
    return members >= set(library_ids)


def _import(user: Any, institution: Any) -> bool:
    return staff_of(user, institution.pk)


def _curate_record(user: Any, record: Any) -> bool:
    return staff_of(user, record.library_id) or coordinated_libraries(user, {record.library_id})


def _merge_clusters(user: Any, move: ClusterMove) -> bool:
    libraries = move.libraries
    if len(libraries) == 1 and staff_of(user, next(iter(libraries))):
        return True
    return coordinated_libraries(user, libraries)


ABILITIES: dict[str, Callable[[Any, Any], bool]] = {
    # obj: Institution. Its librarians and admin load its records into the union catalog.
    "catalog.import": _import,
    # obj: Institution. Its librarians and admin see its import jobs and their problem reports.
    "catalog.view_import": _import,
    # obj: BibRecord. Split it out of its cluster, or move it alone into another cluster.
    "catalog.curate_record": _curate_record,
    # obj: ClusterMove. Move every record of a cluster into another cluster.
    "catalog.merge_clusters": _merge_clusters,
}
