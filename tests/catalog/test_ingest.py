"""Importing MARC files: counts, idempotence, updates, withdrawals, problems, holdings."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from libcoop.catalog.ingest import import_deletes, import_file
from libcoop.catalog.marc import ParsedRecord, RecordProblem, read_marc
from libcoop.catalog.models import BibRecord, Cluster, Holding, ImportProblem, MatchKey
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import staff

pytestmark = pytest.mark.django_db
SHARED_MARC = Path(__file__).resolve().parents[3] / "shared" / "data" / "marc"


def _tables() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (BibRecord, Holding, Cluster, MatchKey, ImportProblem)
    }


def test_every_shared_sample_file_loads_and_broken_records_are_reported(libraries) -> None:
    if not SHARED_MARC.is_dir():
        pytest.skip(f"shared sample data not found at {SHARED_MARC}")
    library = libraries["AAA-LIB"]
    files = sorted(
        p for p in SHARED_MARC.rglob("*") if p.suffix in {".mrc", ".dat", ".marc", ".xml"}
    )
    assert len(files) >= 40
    for path in files:
        items = list(read_marc(path))
        good = {i.local_id for i in items if isinstance(i, ParsedRecord) and i.local_id}
        parsed = sum(1 for i in items if isinstance(i, ParsedRecord))
        bad = [i for i in items if isinstance(i, RecordProblem)]
        job = import_file(path, library, acting_user=SYSTEM)
        problems = list(job.problems.order_by("position"))
        # Every broken record is in the report with its position and reason.
        duplicates = [p for p in problems if p.reason in ("duplicate_001", "duplicate_no_001")]
        assert [(p.position, p.reason) for p in problems if p not in duplicates] == [
            (b.position, b.reason) for b in bad
        ], path.name
        assert all(p.message for p in problems)
        # Every good record with a 001 is stored (or was already, from another sample file).
        stored = set(
            BibRecord.objects.filter(library=library, local_id__in=good).values_list(
                "local_id", flat=True
            )
        )
        assert stored == good, path.name
        assert job.seen == len(items)
        # Nothing else is lost: every parsed record is counted as stored or already there.
        stored_now = job.added + job.updated + job.unchanged + job.deleted
        assert stored_now + len(duplicates) == parsed, path.name
    # pymarc's bad_records.mrc: records 1 and 8 are good and identical, with no 001: stored
    # once under a digest id, the earlier copy reported as a duplicate (of a record without
    # 001, not "the same 001"); 2-7 are broken.
    again = import_file(SHARED_MARC / "pymarc" / "bad_records.mrc", library, acting_user=SYSTEM)
    reported = [(p.position, p.reason) for p in again.problems.order_by("position")]
    assert reported[0] == (1, "duplicate_no_001")
    assert (
        "Record 8 has no 001 either and identical content" in again.problems.get(position=1).message
    )
    assert [pos for pos, _ in reported[1:]] == [2, 3, 4, 5, 6, 7]
    assert again.unchanged == 1 and again.added == 0


def test_reimport_changes_nothing(libraries, tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.mrc",
        book("a1", "Green libraries", isbn="9780306406157", call_number="Z675 .G7"),
        book("a2", "Energy in buildings", isbn="9781861972712"),
    )
    first = import_file(path, libraries["AAA-LIB"], acting_user=SYSTEM)
    assert (first.added, first.updated, first.unchanged) == (2, 0, 0)
    before = _tables()
    stamps = list(BibRecord.objects.order_by("id").values_list("updated", "cluster_id"))
    again = import_file(path, libraries["AAA-LIB"], acting_user=SYSTEM)
    assert (again.added, again.updated, again.unchanged, again.deleted) == (0, 0, 2, 0)
    assert _tables() == before
    assert list(BibRecord.objects.order_by("id").values_list("updated", "cluster_id")) == stamps


def test_changed_record_is_updated_in_place(libraries, tmp_path: Path) -> None:
    lib = libraries["AAA-LIB"]
    import_file(write(tmp_path / "1.mrc", book("a1", "Green libraries")), lib, acting_user=SYSTEM)
    job = import_file(
        write(tmp_path / "2.mrc", book("a1", "Green libraries revisited")), lib, acting_user=SYSTEM
    )
    assert (job.added, job.updated) == (0, 1)
    record = BibRecord.objects.get(library=lib, local_id="a1")
    assert record.title.startswith("Green libraries revisited")
    assert record.cluster is not None and record.cluster.title.startswith(
        "Green libraries revisited"
    )


def test_raw_record_is_kept_losslessly(libraries, tmp_path: Path) -> None:
    path = write(tmp_path / "a.mrc", book("a1", "ห้องสมุดสีเขียว", lang="tha"))
    import_file(path, libraries["AAA-LIB"], acting_user=SYSTEM)
    assert bytes(BibRecord.objects.get().raw) == path.read_bytes()


def test_deleted_records_are_withdrawn_not_lost(libraries, tmp_path: Path) -> None:
    a, b = libraries["AAA-LIB"], libraries["BBB-LIB"]
    import_file(
        write(tmp_path / "a.mrc", book("a1", "Green", isbn="9780306406157")), a, acting_user=SYSTEM
    )
    import_file(
        write(tmp_path / "b.mrc", book("b1", "Green", isbn="9780306406157")), b, acting_user=SYSTEM
    )
    cluster = BibRecord.objects.get(local_id="a1").cluster
    assert cluster is not None and Cluster.objects.get(pk=cluster.pk).library_count == 2
    job = import_file(
        write(tmp_path / "a2.mrc", book("a1", "Green", isbn="9780306406157", deleted=True)),
        a,
        acting_user=SYSTEM,
    )
    assert job.deleted == 1
    withdrawn = BibRecord.objects.get(local_id="a1")
    assert withdrawn.active is False and withdrawn.cluster is None  # kept, out of the catalog
    assert Cluster.objects.get(pk=cluster.pk).library_count == 1
    # The delete file withdraws the other one; its cluster is then empty and inactive.
    listing = tmp_path / "deletes.txt"
    listing.write_text("b1\nnot-there\n", encoding="utf-8")
    job = import_deletes(listing, b, acting_user=SYSTEM)
    assert (job.deleted, job.rejected) == (1, 1)
    assert job.problems.get().reason == "unknown_001"
    assert Cluster.objects.get(pk=cluster.pk).active is False
    assert BibRecord.objects.count() == 2


def test_hostile_xml_is_refused(libraries, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        '<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>&lol2;</leader>'
        "</record></collection>",
        encoding="utf-8",
    )
    job = import_file(bomb, libraries["AAA-LIB"], acting_user=SYSTEM)
    assert job.added == 0 and job.rejected >= 1
    assert job.problems.first().reason == "hostile_xml"
    assert not BibRecord.objects.exists()


def test_holdings_are_kept_per_library(libraries, tmp_path: Path) -> None:
    import_file(
        write(tmp_path / "a.mrc", book("a1", "Green", call_number="Z675 .G7 2019")),
        libraries["AAA-LIB"],
        acting_user=SYSTEM,
    )
    holding = Holding.objects.get()
    assert holding.library.code == "AAA-LIB"
    assert holding.call_number == "Z675 .G7 2019" and holding.barcode == "3900"


def test_only_the_library_own_staff_may_import(libraries, tmp_path: Path) -> None:
    path = write(tmp_path / "a.mrc", book("a1", "Green"))
    other = staff(StaffRole.LIBRARIAN, libraries["BBB-LIB"])
    with pytest.raises(PermissionDenied):
        import_file(path, libraries["AAA-LIB"], acting_user=other)
    own = staff(StaffRole.LIBRARIAN, libraries["AAA-LIB"])
    assert import_file(path, libraries["AAA-LIB"], acting_user=own).added == 1


def test_an_import_writes_in_bulk_mode_and_restores_the_setting(
    libraries, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: WAL checkpoints every ~80 MB during an import; PostgreSQL: commits that do not
    wait for the WAL flush. Both return to what they were."""
    from django.db import connection

    from libcoop.catalog import bulk, ingest

    query, during = (
        ("SHOW synchronous_commit", "off")
        if connection.vendor == "postgresql"
        else ("PRAGMA wal_autocheckpoint", str(bulk.IMPORT_WAL_PAGES))
    )

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute(query)
            return str(cursor.fetchone()[0])

    before = setting()
    seen: list[str] = []
    write_batch = ingest.write_batch

    def spying(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(setting())
        return write_batch(*args, **kwargs)

    monkeypatch.setattr(ingest, "write_batch", spying)
    path = write(tmp_path / "two.mrc", book("w1", "Wind power"), book("w2", "Solar power"))
    import_file(path, libraries["AAA-LIB"], acting_user=SYSTEM, batch_size=1)
    assert seen == [during, during]
    assert setting() == before != during
    assert BibRecord.objects.filter(local_id__in=["w1", "w2"]).count() == 2


def test_an_error_inside_bulk_mode_is_the_error_raised(libraries) -> None:
    """On PostgreSQL an error aborts the caller's transaction; restoring the setting must not
    replace that error with "current transaction is aborted"."""
    from django.db import DatabaseError, connection, transaction

    from libcoop.catalog import bulk

    with (
        pytest.raises(DatabaseError) as raised,
        transaction.atomic(),
        bulk.bulk_writes(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT * FROM no_such_table_here")
    assert "no_such_table_here" in str(raised.value)
