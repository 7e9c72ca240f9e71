"""Work groups above clusters: the editions and printings of one work.

A cluster is one edition (its member records are merged); a *work* is every cluster with
the same work key: the normalised title and the main author of the cluster's merged
(fullest) record.  Readers see the other editions beside a cluster and in the search results;
the clusters' holdings are never merged.  This is the second level that WorldCat's work
records and VuFind's work keys offer.

The key is built from the keys already stored on the record (``BibRecord.title_key``,
``author_key`` and the ``pn:``/``cn:``/``pub:`` terms of ``other_ids``, all made by
``textsearch.keys`` through the one normaliser: Thai-aware, fullwidth forms folded):

* ``<title>|a:<author>``: the title with its non-filing characters skipped, and the main
  entry (1XX); without one, the first personal then corporate name of the record (7XX);
* ``<title>|p:<publisher>``: a work with no name at all is grouped by title and publisher
  (the one stable fact left: "Annual report" of two publishers is two works);
* ``""`` (no work): no title key, or neither a name nor a publisher.

The key is computed whenever a cluster's display fields are (``merged.merge``), so every
path that refreshes a cluster (import, split, move, merge, re-matching) keeps it current.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from django.db.models import Count, F, QuerySet

from libcoop.catalog.facts import trim_isbd
from libcoop.catalog.models import BibRecord, Cluster

TITLE_PART: Final = 200
NAME_PART: Final = 120
WORK_KEY_LENGTH: Final = 400  # Cluster.work_key's max_length
EDITIONS_SHOWN: Final = 200  # clusters listed on a work's page


def work_key(title_key: str, author_key: str, other_ids: Sequence[str]) -> str:
    """The work key of a record from its stored keys (see the module's docstring)."""
    title = title_key.strip()[:TITLE_PART]
    if not title:
        return ""
    name = author_key.strip()[:NAME_PART]
    if not name:
        name = _first(other_ids, "pn:") or _first(other_ids, "cn:")
    if name:
        return f"{title}|a:{name}"
    publisher = _first(other_ids, "pub:")
    if publisher:
        return f"{title}|p:{publisher}"
    return ""


def _first(terms: Sequence[str], prefix: str) -> str:
    for term in terms:
        if isinstance(term, str) and term.startswith(prefix):
            value = term[len(prefix) :].strip()[:NAME_PART]
            if value:
                return value
    return ""


def editions_of(cluster: Cluster) -> QuerySet[Cluster]:
    """The active clusters of *cluster*'s work, this one included (newest first, unknown
    years last)."""
    if not cluster.work_key:
        return Cluster.objects.filter(pk=cluster.pk, active=True)
    # Unknown years last on both back ends (PostgreSQL would put NULL first when descending).
    return Cluster.objects.filter(work_key=cluster.work_key, active=True).order_by(
        F("year").desc(nulls_last=True), "id"
    )


def other_editions(cluster: Cluster) -> QuerySet[Cluster]:
    """The other active clusters of *cluster*'s work."""
    if not cluster.work_key:
        return Cluster.objects.none()
    return editions_of(cluster).exclude(pk=cluster.pk)


def other_edition_counts(cluster_ids: Iterable[int]) -> dict[int, int]:
    """For each of *cluster_ids* (a page of search results), how many other active
    clusters share its work key; clusters with none are left out.  Two queries."""
    ids = sorted(set(cluster_ids))
    if not ids:
        return {}
    keys = dict(
        Cluster.objects.filter(pk__in=ids).exclude(work_key="").values_list("id", "work_key")
    )
    if not keys:
        return {}
    sizes = dict(
        Cluster.objects.filter(work_key__in=set(keys.values()), active=True)
        .values("work_key")
        .annotate(n=Count("id"))
        .values_list("work_key", "n")
    )
    out = {}
    for cid, key in keys.items():
        # The cluster itself is one of the active ones (a search hit is active).
        others = sizes.get(key, 0) - 1
        if others > 0:
            out[cid] = others
    return out


def edition_statements(clusters: Iterable[Cluster]) -> dict[int, str]:
    """The edition statement (250 $a $b) of each cluster's merged (base) record, for telling
    editions apart on a page (one query; the record's MARC-in-JSON)."""
    base: dict[int, int] = {}
    for cluster in clusters:
        record_id = (cluster.merged or {}).get("base_record")
        if isinstance(record_id, int):
            base[cluster.pk] = record_id
    marc = dict(BibRecord.objects.filter(pk__in=base.values()).values_list("pk", "marc"))
    out = {}
    for cid, record_id in base.items():
        statement = _edition_of(marc.get(record_id) or {})
        if statement:
            out[cid] = statement
    return out


def _edition_of(marc: dict[str, object]) -> str:
    fields = marc.get("fields")
    for fld in fields if isinstance(fields, list) else ():
        body = fld.get("250") if isinstance(fld, dict) else None
        if isinstance(body, dict):
            parts = [
                str(value)
                for sub in body.get("subfields") or ()
                if isinstance(sub, dict)
                for code, value in sub.items()
                if code in ("a", "b")
            ]
            return trim_isbd(" ".join(" ".join(parts).split()))
    return ""
