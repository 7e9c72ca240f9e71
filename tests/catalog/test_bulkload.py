"""The bulk load (``catalog.bulkload``) against the incremental import: the same files, loaded
one way and then the other into an emptied catalog, give the same clusters and the same
match decisions, on the project's labelled set and on real labelled records (goldfinch-dev);
and the bulk load leaves the catalog searchable, counted and audited like an import.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from itertools import islice
from pathlib import Path

import pymarc
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.catalog import bulkload
from libcoop.catalog.demo.generate import generate_labelled_set
from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import (
    BibRecord,
    Cluster,
    ClusterOverride,
    Holding,
    ImportJob,
    ImportProblem,
    MatchDecision,
    MatchKey,
)
from libcoop.catalog.search import search
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution
from libcoop.textsearch.backends import backend_for
from tests.catalog.marcdata import book, write
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db
GOLDFINCH = Path(__file__).resolve().parents[3] / "shared" / "data" / "dedup" / "goldfinch-dev"
GOLDFINCH_PAIRS = 1500  # labelled pairs whose records make the sample (both sides)

Partition = list[tuple[tuple[str, str], ...]]


def partition() -> Partition:
    """The clusters as sets of (library, 001): independent of the ids a load gave them."""
    members: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for code, lid, cid in BibRecord.objects.filter(active=True).values_list(
        "library__code", "local_id", "cluster_id"
    ):
        assert cid is not None, f"{code}:{lid} has no cluster"
        members[cid].append((code, lid))
    return sorted(tuple(sorted(m)) for m in members.values())


def decisions() -> list[tuple[str, str, str, str, str]]:
    """Each record's match decision: rule, key and the record it matched (by library, 001)."""
    names = {
        pk: f"{code}:{lid}"
        for pk, code, lid in BibRecord.objects.values_list("id", "library__code", "local_id")
    }
    return sorted(
        (names[rec], rule, key, names.get(matched, "") if matched else "", str(sorted(scores)))
        for rec, rule, key, matched, scores in MatchDecision.objects.values_list(
            "record_id", "rule", "key", "matched_record_id", "scores"
        )
    )


def wipe() -> None:
    """An empty catalog (the libraries stay)."""
    MatchDecision.objects.all().delete()
    ClusterOverride.objects.all().delete()
    MatchKey.objects.all().delete()
    Holding.objects.all().delete()
    BibRecord.objects.all().delete()
    Cluster.objects.all().delete()
    ImportProblem.objects.all().delete()
    ImportJob.objects.all().delete()
    backend_for(connection).clear()


def load(files: list[tuple[Institution, Path]], *, bulk_load: bool) -> None:
    for library, path in files:
        job = import_file(path, library, acting_user=SYSTEM, bulk_load=bulk_load)
        assert job.status == "done", job.message


def both_ways(files: list[tuple[Institution, Path]]) -> tuple[Partition, Partition]:
    load(files, bulk_load=False)
    incremental, incremental_decisions = partition(), decisions()
    wipe()
    load(files, bulk_load=True)
    assert decisions() == incremental_decisions
    return incremental, partition()


def test_labelled_set_clusters_alike_both_ways(tmp_path: Path) -> None:
    paths = generate_labelled_set(tmp_path, works=400)
    files = [(InstitutionFactory(code=code), path) for code, path in sorted(paths.items())]
    incremental, bulk = both_ways(files)
    assert bulk == incremental
    assert len(bulk) < BibRecord.objects.filter(active=True).count()  # something merged


def _goldfinch_sample(folder: Path) -> dict[str, Path]:
    """The records of the first GOLDFINCH_PAIRS labelled pairs, in their files' order."""
    wanted: dict[str, set[str]] = defaultdict(set)
    with (GOLDFINCH / "labelled_pairs.csv").open(newline="", encoding="utf-8") as handle:
        for row in islice(csv.reader(handle), 1, GOLDFINCH_PAIRS + 1):
            wanted[row[0]].add(row[1])
            wanted[row[2]].add(row[3])
    out = {}
    for code in ("GFA", "GFB"):
        out[code] = folder / f"{code}.mrc"
        with (GOLDFINCH / f"{code}.mrc").open("rb") as source, out[code].open("wb") as sink:
            writer = pymarc.MARCWriter(sink)
            for record in pymarc.MARCReader(source, to_unicode=True, permissive=True):
                if record is not None and record.get("001") and record["001"].data in wanted[code]:
                    writer.write(record)
    return out


def test_goldfinch_clusters_alike_both_ways(tmp_path: Path) -> None:
    if not (GOLDFINCH / "labelled_pairs.csv").exists():
        pytest.skip(f"goldfinch-dev is not at {GOLDFINCH} (shared/data/dedup not laid out)")
    paths = _goldfinch_sample(tmp_path)
    files = [(InstitutionFactory(code=code), paths[code]) for code in ("GFA", "GFB")]
    incremental, bulk = both_ways(files)
    assert bulk == incremental
    assert len(bulk) < BibRecord.objects.filter(active=True).count()


def test_bulk_load_is_searchable_counted_and_audited(
    tmp_path: Path, libraries: dict[str, Institution]
) -> None:
    aaa, bbb = libraries["AAA-LIB"], libraries["BBB-LIB"]
    import_file(
        write(tmp_path / "b.mrc", book("b1", "Solar energy policy", isbn="9786160000011")),
        bbb,
        acting_user=SYSTEM,
    )
    path = write(
        tmp_path / "a.mrc",
        book("a1", "Solar energy policy", isbn="9786160000011"),
        book("a2", "Wind power in Thailand"),
        book("a2", "Wind power in Thailand, revised"),  # the same 001 again: the later wins
        book("a3", "Old tides", deleted=True),
    )
    with path.open("ab") as out:
        out.write(b"00026nam  2200025   4500\x1e\x1d")  # no title, no fields: refused
    job = import_file(path, aaa, acting_user=SYSTEM, bulk_load=True, batch_size=2)
    assert (job.status, job.added, job.deleted, job.rejected) == ("done", 2, 1, 1)
    assert job.bytes_done == job.bytes_total
    a1 = BibRecord.objects.get(library=aaa, local_id="a1")
    assert a1.cluster == BibRecord.objects.get(library=bbb, local_id="b1").cluster
    assert a1.cluster.library_count == 2
    assert BibRecord.objects.get(library=aaa, local_id="a2").title.endswith("revised")
    assert not BibRecord.objects.get(library=aaa, local_id="a3").active
    assert [h.cluster_id for h in search("wind power").hits] == [
        BibRecord.objects.get(library=aaa, local_id="a2").cluster_id
    ]
    assert [h.cluster_id for h in search("solar").hits] == [a1.cluster_id]
    event = AuditEvent.objects.filter(verb=AuditVerb.CATALOG_IMPORTED).latest("id")
    assert (event.data["added"], event.data["status"]) == (2, "done")
    # Loading the same file again changes nothing.
    again = import_file(path, aaa, acting_user=SYSTEM, bulk_load=True)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)


def test_an_interrupted_bulk_load_is_finished_by_loading_again(
    tmp_path: Path, libraries: dict[str, Institution], monkeypatch: pytest.MonkeyPatch
) -> None:
    aaa = libraries["AAA-LIB"]
    path = write(tmp_path / "a.mrc", book("a1", "River basins"), book("a2", "Delta towns"))

    def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("power cut")

    monkeypatch.setattr(bulkload, "PIPELINE", False)
    monkeypatch.setattr(bulkload, "cluster_staged", crash)
    with pytest.raises(RuntimeError):
        import_file(path, aaa, acting_user=SYSTEM, bulk_load=True)
    assert BibRecord.objects.filter(library=aaa, cluster__isnull=True).count() == 2
    assert ImportJob.objects.get().status == "failed"
    monkeypatch.undo()
    job = import_file(path, aaa, acting_user=SYSTEM, bulk_load=True)
    assert job.unchanged == 2
    assert not BibRecord.objects.filter(library=aaa, cluster__isnull=True).exists()
    assert len(search("delta towns").hits) == 1


def test_first_load_of_a_large_file_is_a_bulk_load(
    tmp_path: Path, libraries: dict[str, Institution], monkeypatch: pytest.MonkeyPatch
) -> None:
    aaa = libraries["AAA-LIB"]
    path = write(tmp_path / "a.mrc", book("a1", "River basins"))
    monkeypatch.setattr(bulkload, "BULK_MIN_BYTES", 1)
    assert bulkload.chosen(path, aaa)
    assert not bulkload.chosen(open(path, "rb"), aaa)  # a stream: size unknown  # noqa: SIM115
    monkeypatch.setattr(bulkload, "BULK_MIN_BYTES", 10**9)
    assert not bulkload.chosen(path, aaa)
    monkeypatch.setattr(bulkload, "BULK_MIN_BYTES", 1)
    import_file(path, aaa, acting_user=SYSTEM)
    assert not bulkload.chosen(path, aaa)  # no longer a first load


def test_cli_bulk_flag(tmp_path: Path, libraries: dict[str, Institution]) -> None:
    path = write(tmp_path / "a.mrc", book("a1", "River basins"))
    call_command("catalog", "import", "--bulk", str(path), "--library", "AAA-LIB")
    assert BibRecord.objects.get(local_id="a1").cluster is not None
    with pytest.raises(CommandError, match="not allowed"):
        call_command(
            "catalog", "import", "--bulk", "--incremental", str(path), "--library", "AAA-LIB"
        )


def test_many_batches_all_clustered_and_found(
    tmp_path: Path, libraries: dict[str, Institution]
) -> None:
    """Past the fifth batch the load refreshes the planner's statistics (PostgreSQL)."""
    path = write(tmp_path / "a.mrc", *(book(f"a{n}", f"Harbour volume {n}") for n in range(14)))
    job = import_file(path, libraries["AAA-LIB"], acting_user=SYSTEM, bulk_load=True, batch_size=2)
    assert (job.status, job.added) == ("done", 14)
    assert not BibRecord.objects.filter(cluster__isnull=True).exists()
    assert search("harbour").total == 14
