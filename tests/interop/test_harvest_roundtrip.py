"""Round trip: LibCoop harvests its own ``/oai`` (library A's set, marc21, several pages)
into library B and gets the records the provider served, field for field; then an
incremental harvest (``from`` = the last responseDate, §3.3) fetches only what changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pymarc
import pytest

from libcoop.catalog.export import merged_marc, record_from_json
from libcoop.catalog.models import BibRecord, Cluster
from libcoop.interop.harvest.service import harvest, register_source
from libcoop.interop.models import RunStatus
from libcoop.network.abilities import SYSTEM
from tests.catalog.marcdata import book
from tests.factories import InstitutionFactory
from tests.interop.conftest import import_records, small_pages


def normalised(record: pymarc.Record) -> bytes:
    """MARCXML of the record without the leader's length and base address (they depend on
    the serialisation), so that equal fields and values compare equal."""
    copy = pymarc.Record(force_utf8=True)
    leader = str(record.leader)
    copy.leader = pymarc.Leader("00000" + leader[5:12] + "00000" + leader[17:])
    for f in record.fields:
        copy.add_field(f)
    return pymarc.record_to_xml(copy)


@pytest.mark.django_db(transaction=True)
def test_harvesting_our_own_provider_gives_identical_records(
    live_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = InstitutionFactory(code="AAA-LIB"), InstitutionFactory(code="BBB-LIB")
    import_records(
        a,
        tmp_path / "a.mrc",
        book("a1", "Green libraries", isbn="9786160000014", call_number="Z675 .G7"),
        book("a2", "Thai palm-leaf manuscripts", author="Somchai, K.", year=2015),
        book("a3", "ห้องสมุดสีเขียวในประเทศไทย", author="สมชาย ใจดี.", year=2020, lang="tha"),
        book("a4", "Rice farming in Isan", author="Boonmee, S.", year=2018),
        book("a5", "Water management", year=2017, subtitle="a handbook"),
    )
    served = {
        f"libcoop{pk}": normalised(rec)
        for pk, rec in merged_marc(list(Cluster.objects.filter(active=True))).items()
    }
    assert len(served) == 5
    small_pages(monkeypatch, records=2, identifiers=2)
    source = register_source(
        b, f"{live_server.url}/oai", acting_user=SYSTEM, set_spec="library:AAA-LIB"
    )
    sleeps: list[float] = []
    run = harvest(source, acting_user=SYSTEM, sleep=sleeps.append)
    assert run.status == RunStatus.DONE, run.message
    assert (run.pages, run.records_seen, run.deleted_seen, sleeps) == (3, 5, 0, [])
    assert run.import_job.added == 5 and run.import_job.rejected == 0
    got = {r.local_id: r for r in BibRecord.objects.filter(library=b)}
    assert set(got) == set(served)
    for local_id, record in got.items():
        assert normalised(record_from_json(record.marc)) == served[local_id], local_id
    assert all(r.cluster_id is not None for r in got.values())

    # incremental: pretend everything is old, add a record to A, harvest again. (A changed
    # record would not do here: in one database B's copies joined A's clusters and may now
    # be their fullest, base record; a separate instance has no such feedback.)
    old = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    Cluster.objects.update(updated=old)
    source.refresh_from_db()
    source.last_datestamp = old + dt.timedelta(days=1)
    source.save()
    import_records(a, tmp_path / "a6.mrc", book("a6", "Mangrove forests", year=2021))
    a6 = BibRecord.objects.get(library=a, local_id="a6")
    again = harvest(source, acting_user=SYSTEM, sleep=sleeps.append)
    assert again.status == RunStatus.DONE, again.message
    assert again.from_date == old + dt.timedelta(days=1)
    assert again.records_seen == 1 and again.import_job.added == 1
    copy = BibRecord.objects.get(library=b, local_id=f"libcoop{a6.cluster_id}")
    assert copy.title.startswith("Mangrove forests")
