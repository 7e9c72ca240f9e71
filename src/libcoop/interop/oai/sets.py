"""The set hierarchy (OAI-PMH 2.0 §2.6 sets, §2.7.2 selective harvesting
by set, §4.6 ListSets).

* ``library`` and, below it, ``library:<CODE>`` for each library that has loaded records:
  the clusters that library holds.
* ``network`` and, below it, ``network:<CODE>`` for each network: the clusters held by a
  current member of the network (a membership without an end, or ending today or later).

Membership is hierarchical: an item in ``library:MFU-LIB`` is also in ``library``. A
deleted (inactive) cluster has no records left, so it is placed in the sets of the
libraries whose records it ever held (its match decisions): set-based harvesters then
learn of the deletion too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from libcoop.catalog.models import BibRecord, MatchDecision
from libcoop.network.models import Institution, Membership, Network

LIBRARY = "library"
NETWORK = "network"
SPEC_PART = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")  # setSpecType in OAI-PMH.xsd


@dataclass(frozen=True)
class SetInfo:
    spec: str
    name: str


def _current(today: dt.date) -> Q:
    return Q(end__isnull=True) | Q(end__gte=today)


def all_sets() -> list[SetInfo]:
    """Every set, parents first; empty when nothing is catalogued and no network exists."""
    loaded = Exists(BibRecord.objects.filter(library=OuterRef("pk")))
    libraries = [
        SetInfo(f"{LIBRARY}:{i.code}", f"Held by {i.name_in('en')} ({i.code})")
        for i in Institution.objects.filter(loaded)
        if SPEC_PART.fullmatch(i.code)
    ]
    networks = [
        SetInfo(f"{NETWORK}:{n.code}", f"Held by a current member of {n.name_in('en')}")
        for n in Network.objects.all()
        if SPEC_PART.fullmatch(n.code)
    ]
    out: list[SetInfo] = []
    if libraries:
        out += [SetInfo(LIBRARY, "Clusters by holding library"), *libraries]
    if networks:
        out += [SetInfo(NETWORK, "Clusters by network of the holding library"), *networks]
    return out


def _held_by(libraries: QuerySet[Institution]) -> Q:
    live = BibRecord.objects.filter(cluster=OuterRef("pk"), active=True, library__in=libraries)
    past = MatchDecision.objects.filter(cluster=OuterRef("pk"), record__library__in=libraries)
    return Q(Exists(live)) | (Q(active=False) & Q(Exists(past)))


def membership(spec: str, today: dt.date) -> Q | None:
    """A filter on clusters for set *spec*, or None when no such set exists."""
    head, _sep, code = spec.partition(":")
    if head == LIBRARY:
        libraries = Institution.objects.all()
        if code:
            libraries = libraries.filter(code=code)
        return _held_by(libraries)
    if head == NETWORK:
        members = Membership.objects.filter(_current(today))
        if code:
            members = members.filter(network__code=code)
        return _held_by(Institution.objects.filter(memberships__in=members))
    return None


def specs_of(
    active: Collection[int], inactive: Collection[int], today: dt.date
) -> dict[int, list[str]]:
    """The setSpecs of each cluster, for the item headers (§2.4)."""
    pairs = set(
        BibRecord.objects.filter(cluster_id__in=active, active=True).values_list(
            "cluster_id", "library_id"
        )
    )
    pairs |= set(
        MatchDecision.objects.filter(cluster_id__in=inactive).values_list(
            "cluster_id", "record__library_id"
        )
    )
    library_ids = {lib for _c, lib in pairs}
    codes = dict(Institution.objects.filter(id__in=library_ids).values_list("id", "code"))
    networks: dict[int, set[str]] = defaultdict(set)
    for inst, net in Membership.objects.filter(
        _current(today), institution_id__in=library_ids
    ).values_list("institution_id", "network__code"):
        networks[inst].add(net)
    specs: dict[int, set[str]] = defaultdict(set)
    for cluster, lib in pairs:
        if SPEC_PART.fullmatch(codes[lib]):
            specs[cluster] |= {LIBRARY, f"{LIBRARY}:{codes[lib]}"}
        for net in networks[lib]:
            if SPEC_PART.fullmatch(net):
                specs[cluster] |= {NETWORK, f"{NETWORK}:{net}"}
    return {c: sorted(s) for c, s in specs.items()}
