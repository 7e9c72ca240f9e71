"""Searching the union catalog: text ranking from the search back end, facets from SQL.

The back end (SQLite FTS5 or PostgreSQL) returns ranked cluster ids, capped; filters and
facets (holding library, format, language, year, network) are plain SQL over clusters and
records, so both back ends share them exactly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min, QuerySet

from libcoop.catalog.identifiers import normalise_isbn, normalise_issn
from libcoop.catalog.models import BibRecord, Cluster
from libcoop.network.models import Membership
from libcoop.textsearch.backends import backend_for

CANDIDATE_LIMIT = 2000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FIELDS = ("title", "author", "subject", "identifier")


@dataclass(frozen=True)
class ClusterHit:
    cluster_id: int
    title: str
    author: str
    year: int | None
    format: str
    language: str
    library_count: int
    score: float
    word_hit: bool
    local_ids: dict[str, list[str]]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.cluster_id,
            "title": self.title,
            "author": self.author,
            "year": self.year,
            "format": self.format,
            "held_by": self.library_count,
            "score": round(self.score, 4),
            "word_hit": self.word_hit,
            "local_ids": self.local_ids,
        }


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[ClusterHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    year_range: tuple[int | None, int | None] = (None, None)
    page: int = 1
    per_page: int = 20

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page + 1


def _identifier_query(query: str) -> str | None:
    return normalise_isbn(query) or normalise_issn(query)


def _filtered(qs: QuerySet[Cluster], filters: dict[str, Any]) -> QuerySet[Cluster]:
    if filters.get("library"):
        qs = qs.filter(
            id__in=BibRecord.objects.filter(active=True, library__code=filters["library"]).values(
                "cluster_id"
            )
        )
    if filters.get("network"):
        members = Membership.objects.filter(
            network__code=filters["network"], end__isnull=True
        ).values("institution_id")
        qs = qs.filter(
            id__in=BibRecord.objects.filter(active=True, library_id__in=members).values(
                "cluster_id"
            )
        )
    for name in ("format", "language"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("year_from"):
        qs = qs.filter(year__gte=int(filters["year_from"]))
    if filters.get("year_to"):
        qs = qs.filter(year__lte=int(filters["year_to"]))
    return qs


def _facets(ids: list[int]) -> tuple[dict[str, list[tuple[str, int]]], tuple[Any, Any]]:
    if not ids:
        return {}, (None, None)
    clusters = Cluster.objects.filter(id__in=ids)
    facets: dict[str, list[tuple[str, int]]] = {}
    for name in ("format", "language"):
        facets[name] = [
            (row[name], row["n"])
            for row in clusters.exclude(**{name: ""})
            .values(name)
            .annotate(n=Count("id"))
            .order_by("-n", name)
        ]
    libraries = (
        BibRecord.objects.filter(cluster_id__in=ids, active=True)
        .values("library__code")
        .annotate(n=Count("cluster_id", distinct=True))
        .order_by("-n", "library__code")
    )
    facets["library"] = [(r["library__code"], r["n"]) for r in libraries]
    holders: dict[int, set[int]] = defaultdict(set)
    for cid, lib in BibRecord.objects.filter(cluster_id__in=ids, active=True).values_list(
        "cluster_id", "library_id"
    ):
        holders[lib].add(cid)
    per_network: dict[str, set[int]] = defaultdict(set)
    for code, lib in Membership.objects.filter(
        institution_id__in=holders, end__isnull=True
    ).values_list("network__code", "institution_id"):
        per_network[code] |= holders[lib]
    facets["network"] = sorted(
        ((k, len(v)) for k, v in per_network.items()), key=lambda x: (-x[1], x[0])
    )
    years = clusters.aggregate(lo=Min("year"), hi=Max("year"))
    return facets, (years["lo"], years["hi"])


def _local_ids(ids: list[int]) -> dict[int, dict[str, list[str]]]:
    out: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for cid, code, lid in (
        BibRecord.objects.filter(cluster_id__in=ids, active=True)
        .order_by("library__code", "local_id")
        .values_list("cluster_id", "library__code", "local_id")
    ):
        out[cid][code].append(lid)
    return {cid: dict(v) for cid, v in out.items()}


def search(
    query: str,
    *,
    field: str | None = None,
    filters: dict[str, Any] | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> SearchResult:
    """Ranked clusters for *query* (empty query: browse by the filters alone)."""
    filters = filters or {}
    # Control characters (NUL above all, which PostgreSQL refuses in text) never mean anything
    # in a query: they become spaces.
    query = _CONTROL.sub(" ", query).strip()
    if field is not None and field not in FIELDS:
        raise ValueError(f"field must be one of {', '.join(FIELDS)}")
    scores: dict[int, tuple[float, bool]] = {}
    if query:
        identifier = _identifier_query(query) if field in (None, "identifier") else None
        backend = backend_for(connection)
        if identifier:
            ranked = backend.search(identifier, field="identifier", limit=CANDIDATE_LIMIT)
        else:
            ranked = backend.search(query, field=field, limit=CANDIDATE_LIMIT)
        order = [h.doc_id for h in ranked]
        scores = {h.doc_id: (h.score, h.word_hit) for h in ranked}
        allowed = set(
            _filtered(Cluster.objects.filter(id__in=order, active=True), filters).values_list(
                "id", flat=True
            )
        )
        ids = [i for i in order if i in allowed]
    else:
        ids = list(
            _filtered(Cluster.objects.filter(active=True), filters)
            .order_by("-library_count", "id")
            .values_list("id", flat=True)[:CANDIDATE_LIMIT]
        )
    facets, years = _facets(ids)
    if sort in ("year", "-year"):
        year_of = dict(Cluster.objects.filter(id__in=ids).values_list("id", "year"))
        ids.sort(key=lambda i: (year_of.get(i) is None, year_of.get(i) or 0), reverse=False)
        if sort == "-year":
            ids = [i for i in ids if year_of.get(i) is not None][::-1] + [
                i for i in ids if year_of.get(i) is None
            ]
    page = max(1, page)
    page_ids = ids[(page - 1) * per_page : page * per_page]
    clusters = {c.pk: c for c in Cluster.objects.filter(id__in=page_ids)}
    local = _local_ids(page_ids)
    cluster_hits = [
        ClusterHit(
            cluster_id=c.pk,
            title=c.title,
            author=c.author,
            year=c.year,
            format=c.format,
            language=c.language,
            library_count=c.library_count,
            score=scores.get(c.pk, (0.0, False))[0],
            word_hit=scores.get(c.pk, (0.0, True))[1],
            local_ids=local.get(c.pk, {}),
        )
        for c in (clusters[i] for i in page_ids)
    ]
    return SearchResult(
        query=query,
        total=len(ids),
        hits=cluster_hits,
        facets=facets,
        year_range=years,
        page=page,
        per_page=per_page,
    )


__all__ = ["ClusterHit", "SearchResult", "search"]
