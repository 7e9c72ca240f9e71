"""The fast paths of search and import give what the plain ones give.

* the search page's filters and facets (computed from two set-based queries) against plain
  ORM counting over the same ranked candidates;
* the back end's ordering of a full title stage by title length against ranking every
  candidate;
* an import prepared by a worker process against one prepared in-process.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Max, Min

from libcoop.catalog import prepare
from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import BibRecord, Cluster, Holding
from libcoop.catalog.search import CANDIDATE_LIMIT, search
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Membership
from libcoop.textsearch.backends import SearchDocument, backend_for
from tests.catalog.marcdata import book, write
from tests.factories import MembershipFactory, NetworkFactory

pytestmark = pytest.mark.django_db

WORDS = ["green", "library", "energy", "ห้องสมุด", "สีเขียว", "พลังงาน"]


@pytest.fixture
def catalog(libraries: dict[str, Institution], tmp_path: Path) -> dict[str, Institution]:
    """Three libraries' records of overlapping works; two networks, one membership ended."""
    north = NetworkFactory(code="NORTH")
    MembershipFactory(network=north, institution=libraries["AAA-LIB"], end=None)
    MembershipFactory(network=north, institution=libraries["BBB-LIB"], end=None)
    MembershipFactory(network=north, institution=libraries["CCC-LIB"], end="2020-01-01")
    everyone = NetworkFactory(code="ALL")
    for lib in libraries.values():
        MembershipFactory(network=everyone, institution=lib, end=None)
    for n, code in enumerate(libraries):
        records = []
        for w in range(n, 36, n + 1):  # AAA holds every work, BBB every second, CCC every third
            thai = w % 3 == 0
            title = f"{WORDS[w % 6]} {WORDS[(w + 1) % 6]} {w}"
            records.append(
                book(
                    f"{code[0].lower()}{w}",
                    title,
                    isbn=None,
                    author=None if w % 5 == 0 else f"Author{w % 4}, A.",
                    year=1990 + w % 7,
                    lang="tha" if thai else "eng",
                    leader_type="as" if w % 11 == 0 else "am",
                )
            )
        path = write(tmp_path / f"{code}.mrc", *records)
        import_file(path, libraries[code], acting_user=SYSTEM)
    return libraries


def _reference(query: str, filters: dict[str, Any]) -> tuple[list[int], dict[str, Any], Any]:
    """Candidates, facets and years the plain way: ORM filters and counts."""
    ranked = [h.doc_id for h in backend_for(connection).search(query, limit=CANDIDATE_LIMIT)]
    qs = Cluster.objects.filter(id__in=ranked, active=True)
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
    allowed = set(qs.values_list("id", flat=True))
    ids = [i for i in ranked if i in allowed]
    if not ids:
        return ids, {}, (None, None)
    clusters = Cluster.objects.filter(id__in=ids)
    facets: dict[str, list[tuple[str, int]]] = {}
    for name in ("format", "language"):
        counts = Counter(v for v in clusters.values_list(name, flat=True) if v)
        facets[name] = sorted(counts.items(), key=lambda x: (-x[1], x[0]))
    holders: dict[str, set[int]] = defaultdict(set)
    for cid, code in BibRecord.objects.filter(cluster_id__in=ids, active=True).values_list(
        "cluster_id", "library__code"
    ):
        holders[code].add(cid)
    facets["library"] = sorted(
        ((k, len(v)) for k, v in holders.items()), key=lambda x: (-x[1], x[0])
    )
    per_network: dict[str, set[int]] = defaultdict(set)
    for network, code in Membership.objects.filter(end__isnull=True).values_list(
        "network__code", "institution__code"
    ):
        per_network[network] |= holders.get(code, set())
    facets["network"] = sorted(
        ((k, len(v)) for k, v in per_network.items() if v), key=lambda x: (-x[1], x[0])
    )
    years = clusters.aggregate(lo=Min("year"), hi=Max("year"))
    return ids, facets, (years["lo"], years["hi"])


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"library": "CCC-LIB"},
        {"network": "NORTH"},
        {"network": "ALL", "language": "tha"},
        {"format": "serial"},
        {"year_from": "1993", "library": "BBB-LIB"},
        {"library": "NO-SUCH-LIB"},
    ],
)
def test_facets_and_filters_match_plain_orm_counting(catalog, filters: dict[str, Any]) -> None:
    for query in ["green", "ห้องสมุด", "library energy", "สีเขียว"]:
        ids, facets, years = _reference(query, filters)
        result = search(query, filters=filters, per_page=7, page=2)
        assert (result.total, result.facets, result.year_range) == (len(ids), facets, years)
        assert [h.cluster_id for h in result.hits] == ids[7:14]
        assert all(
            h.library_count == len(h.local_ids) and sum(map(len, h.local_ids.values())) >= 1
            for h in result.hits
        )
    assert search("green").total > 0


def test_year_sort_keeps_rank_order_within_a_year(catalog) -> None:
    ranked = search("library", per_page=100).hits
    by_year = search("library", sort="year", per_page=100).hits
    expected = sorted(ranked, key=lambda h: (h.year is None, h.year or 0))
    assert [h.cluster_id for h in by_year] == [h.cluster_id for h in expected]


def test_rank_shortcut_gives_the_ranking_of_every_candidate(db: None) -> None:
    backend = backend_for(connection)
    backend.install()
    docs = [
        SearchDocument(i, title=" ".join(["green library"] + ["notes"] * (i % 4)))
        for i in range(1, 41)
    ]
    docs += [SearchDocument(100 + i, title="annual report", text="green library") for i in range(9)]
    docs += [
        SearchDocument(200 + i, title="green", author="library", subject="ห้องสมุด") for i in range(5)
    ]
    backend.index(docs)
    scored: list[int] = []
    score = backend._score

    def counting_score(*args: Any) -> Any:
        scored.append(1)
        return score(*args)

    backend._score = counting_score  # type: ignore[method-assign]
    for cap in (3, 8, 60):
        for field, query in [(None, "green library"), (None, "green"), ("title", "library")]:
            for limit in (1, 3, 8):
                backend.candidate_cap = cap
                backend.rank_shortcut = True
                scored.clear()
                fast = backend.search(query, field=field, limit=limit)
                took_shortcut = not scored
                backend.rank_shortcut = False
                full = backend.search(query, field=field, limit=limit)
                assert fast == full, (cap, field, query, limit)
                in_title = 45 if query == "green" else 40  # documents of the first stage
                assert took_shortcut == (max(cap, limit) <= in_title), (cap, query, limit)


def test_an_import_prepared_by_the_worker_is_the_same(libraries, tmp_path: Path) -> None:
    records = [
        book(f"r{n}", f"Green library {n}", isbn=None, year=2000 + n % 20, call_number=f"Z{n}")
        for n in range(60)
    ]
    records.append(book("r7", "A second record with the same 001"))
    path = write(tmp_path / "same.mrc", *records)
    here = import_file(path, libraries["AAA-LIB"], acting_user=SYSTEM, parallel=False)
    there = import_file(path, libraries["BBB-LIB"], acting_user=SYSTEM, parallel=True)
    counts = ("seen", "added", "updated", "unchanged", "deleted", "rejected", "bytes_done")
    assert [getattr(here, c) for c in counts] == [getattr(there, c) for c in counts]
    assert (here.added, here.rejected) == (60, 1)

    def stored(code: str) -> dict[str, tuple[Any, ...]]:
        fields = ["raw", "marc", "warnings", "title", "title_key", "author_key", "year", "isbns"]
        return {
            r[0]: (
                *r[1:],
                list(
                    Holding.objects.filter(
                        record__library__code=code, record__local_id=r[0]
                    ).values_list("call_number", "barcode")
                ),
            )
            for r in BibRecord.objects.filter(library__code=code).values_list("local_id", *fields)
        }

    assert stored("AAA-LIB") == stored("BBB-LIB")


def test_a_failing_worker_is_reported(tmp_path: Path) -> None:
    with pytest.raises(prepare.WorkerFailed, match="FileNotFoundError"):
        list(prepare.prepared_batches(tmp_path / "missing.mrc", 10, parallel=True))
