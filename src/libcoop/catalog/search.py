"""Searching the union catalog: text ranking from the search back end, facets from SQL.

The back end (SQLite FTS5 or PostgreSQL) returns ranked cluster ids, capped at
``CANDIDATE_LIMIT``. Two reads of covering indexes over those ids give each candidate's
format, language and year and its holding libraries; filters and facets (holding library,
format, language, year, network) are computed from them, so a page costs the same few
queries whatever the catalog's size and both back ends share filters and facets exactly.
Then one page of display fields and local ids is read.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from libcoop.catalog.identifiers import normalise_isbn, normalise_issn
from libcoop.catalog.models import BibRecord, Cluster
from libcoop.network.models import Institution, Membership
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


def _in(ids: Sequence[int]) -> tuple[str, list[Any]]:
    """``IN (…)`` for a list of ids as one parameter: an array in PostgreSQL, JSON in SQLite."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [list(ids)]
    return "IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


def _rows(sql: str, ids: Sequence[int], *params: Any) -> list[tuple[Any, ...]]:
    """Run *sql* with ``{ids}`` standing for the id list (values are always bound)."""
    if not ids:
        return []
    in_ids, id_params = _in(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=in_ids), [*id_params, *params])
        return list(cursor.fetchall())


_CLUSTER = Cluster._meta.db_table
_RECORD = BibRecord._meta.db_table
_INSTITUTION = Institution._meta.db_table


# What filters and facets need of a cluster: (format, language, year).
_Facts = tuple[str, str, int | None]


def _cluster_facts(ids: Sequence[int]) -> dict[int, _Facts]:
    """The active clusters among *ids* with their format, language and year, from the
    covering index (SQLite's planner would rather read the rows: it is told)."""
    hint = "" if connection.vendor == "postgresql" else " INDEXED BY catalog_cluster_facts"
    sql = (
        f"SELECT id, format, language, year FROM {_CLUSTER}{hint}"  # noqa: S608
        " WHERE active AND id {ids}"
    )
    return {cid: (fmt, language, year) for cid, fmt, language, year in _rows(sql, ids)}


def _holders(ids: Sequence[int]) -> dict[int, set[int]]:
    """The libraries holding each of *ids* (active records), from one covering index."""
    sql = f"SELECT cluster_id, library_id FROM {_RECORD} WHERE active AND cluster_id {{ids}}"  # noqa: S608
    out: dict[int, set[int]] = defaultdict(set)
    for cid, lib in _rows(sql, ids):
        out[cid].add(lib)
    return out


def _current_members(network_code: str) -> set[int]:
    return set(
        Membership.objects.filter(network__code=network_code, end__isnull=True).values_list(
            "institution_id", flat=True
        )
    )


_NOBODY: set[int] = set()


def _narrow(
    ids: list[int], facts: dict[int, _Facts], holders: dict[int, set[int]], filters: dict[str, Any]
) -> list[int]:
    """The ids (in order) of active clusters that pass every filter."""
    kept = [cid for cid in ids if cid in facts]
    if filters.get("format"):
        kept = [cid for cid in kept if facts[cid][0] == filters["format"]]
    if filters.get("language"):
        kept = [cid for cid in kept if facts[cid][1] == filters["language"]]
    if filters.get("year_from"):
        year_from = int(filters["year_from"])
        kept = [cid for cid in kept if (y := facts[cid][2]) is not None and y >= year_from]
    if filters.get("year_to"):
        year_to = int(filters["year_to"])
        kept = [cid for cid in kept if (y := facts[cid][2]) is not None and y <= year_to]
    if filters.get("library"):
        libraries = set(
            Institution.objects.filter(code=filters["library"]).values_list("id", flat=True)
        )
        kept = [cid for cid in kept if not holders.get(cid, _NOBODY).isdisjoint(libraries)]
    if filters.get("network"):
        members = _current_members(filters["network"])
        kept = [cid for cid in kept if not holders.get(cid, _NOBODY).isdisjoint(members)]
    return kept


def _counts(counter: dict[Any, int]) -> list[tuple[Any, int]]:
    return sorted(((k, n) for k, n in counter.items() if n), key=lambda x: (-x[1], x[0]))


def _facets(
    ids: list[int], facts: dict[int, _Facts], holders: dict[int, set[int]]
) -> tuple[dict[str, list[tuple[str, int]]], tuple[Any, Any]]:
    """Format, language, holding library and network counts, and the year range, of *ids*."""
    if not ids:
        return {}, (None, None)
    rows = [facts[cid] for cid in ids]
    formats = Counter(f[0] for f in rows if f[0])
    languages = Counter(f[1] for f in rows if f[1])
    years = [f[2] for f in rows if f[2] is not None]
    held = [holders.get(cid, _NOBODY) for cid in ids]
    per_library = Counter(lib for libs in held for lib in libs)
    codes = dict(Institution.objects.filter(id__in=per_library).values_list("id", "code"))
    networks_of: dict[int, set[str]] = defaultdict(set)
    for code, lib in Membership.objects.filter(
        institution_id__in=per_library, end__isnull=True
    ).values_list("network__code", "institution_id"):
        networks_of[lib].add(code)
    # A cluster counts once in a network, however many of its members hold it; clusters
    # held by the same libraries are counted together.
    per_network: Counter[str] = Counter()
    for libs, n in Counter(frozenset(libs) for libs in held if libs).items():
        for network in set().union(*(networks_of.get(lib, ()) for lib in libs)):
            per_network[network] += n
    facets = {
        "format": _counts(formats),
        "language": _counts(languages),
        "library": _counts({codes[lib]: n for lib, n in per_library.items()}),
        "network": _counts(per_network),
    }
    return facets, ((min(years), max(years)) if years else (None, None))


def _local_ids(ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    sql = (
        f"SELECT r.cluster_id, i.code, r.local_id FROM {_RECORD} AS r"  # noqa: S608
        f" JOIN {_INSTITUTION} AS i ON i.id = r.library_id"
        " WHERE r.active AND r.cluster_id {ids} ORDER BY i.code, r.local_id"
    )
    out: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for cid, code, lid in _rows(sql, ids):
        out[cid][code].append(lid)
    return {cid: dict(v) for cid, v in out.items()}


def _page(ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """Display fields of the page's clusters (never the merged JSON)."""
    sql = (
        "SELECT id, title, author, year, format, language, library_count"  # noqa: S608
        f" FROM {_CLUSTER} WHERE id {{ids}}"
    )
    return {row[0]: row for row in _rows(sql, ids)}


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
    else:
        order = list(
            _filtered(Cluster.objects.filter(active=True), filters)
            .order_by("-library_count", "id")
            .values_list("id", flat=True)[:CANDIDATE_LIMIT]
        )
    # Filters and facets from two queries over the candidates, whatever the catalog's size.
    facts = _cluster_facts(order)
    holders = _holders(order)
    ids = _narrow(order, facts, holders, filters)
    facets, years = _facets(ids, facts, holders)
    if sort in ("year", "-year"):
        year_of = {i: facts[i][2] for i in ids}
        ids.sort(key=lambda i: (year_of.get(i) is None, year_of.get(i) or 0), reverse=False)
        if sort == "-year":
            ids = [i for i in ids if year_of.get(i) is not None][::-1] + [
                i for i in ids if year_of.get(i) is None
            ]
    page = max(1, page)
    page_ids = ids[(page - 1) * per_page : page * per_page]
    rows = _page(page_ids)
    local = _local_ids(page_ids)
    cluster_hits = [
        ClusterHit(
            cluster_id=cid,
            title=title,
            author=author,
            year=year,
            format=fmt,
            language=language,
            library_count=library_count,
            score=scores.get(cid, (0.0, False))[0],
            word_hit=scores.get(cid, (0.0, True))[1],
            local_ids=local.get(cid, {}),
        )
        for cid, title, author, year, fmt, language, library_count in (rows[i] for i in page_ids)
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
