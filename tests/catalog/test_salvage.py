"""Salvage of locally damaged records, end to end: loaded, findable, flagged and listed for
their library; refused only without a readable title or locatable fields (issue #14)."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import pymarc
import pytest
from django.test import Client
from django.urls import reverse

from libcoop.catalog.attention import flagged, flagged_count
from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import BibRecord, ImportProblem
from libcoop.catalog.search import search
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.factories import staff

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "data" / "marc"
SHARED_MARC = Path(__file__).resolve().parents[3] / "shared" / "data" / "marc"
DAMAGED = [
    "pymarc/bad_indicator.dat",
    "pymarc/bad_subfield_code.dat",
    "pymarc/utf8_invalid.mrc",
    "pymarc/bad_marc8_escape.dat",
    "pymarc/bad_eacc_encoding.dat",
]


def test_damaged_records_are_loaded_findable_and_flagged(libraries) -> None:
    library = libraries["AAA-LIB"]
    for name in DAMAGED:
        job = import_file(DATA / name, library, acting_user=SYSTEM)
        assert job.added == 1 and job.rejected == 0, name
        assert flagged_count(job) == 1, name
        record = BibRecord.objects.get(job=job)
        assert record.raw == (DATA / name).read_bytes().rstrip(b"\n \x00")
        assert record.cluster_id is not None
        repairs = [w for w in record.warnings if isinstance(w, dict)]
        assert repairs and all(r["repaired"] and r["detail"] for r in repairs)
    assert flagged(BibRecord.objects.filter(library=library)).count() == len(DAMAGED)
    page = search("ActivePerl ASP ADO")
    assert page.total >= 1
    page = search("Aristocrats of color")
    assert page.total >= 1


def test_a_clean_file_flags_nothing(libraries) -> None:
    job = import_file(DATA / "pymarc/test.dat", libraries["AAA-LIB"], acting_user=SYSTEM)
    assert job.added == 10
    assert flagged_count(job) == 0
    assert not flagged(BibRecord.objects.all()).exists()


def test_attention_page_lists_the_library_flagged_records(libraries, client: Client) -> None:
    own, other = libraries["AAA-LIB"], libraries["BBB-LIB"]
    for name in DAMAGED[:3]:
        import_file(DATA / name, own, acting_user=SYSTEM)
    import_file(DATA / DAMAGED[3], other, acting_user=SYSTEM)
    import_file(DATA / "marc4j/chabon.mrc", own, acting_user=SYSTEM)  # clean: not listed
    url = reverse("catalog:attention")
    assert client.get(url).status_code == 302  # login first
    client.force_login(staff(StaffRole.LIBRARIAN, own))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="repair"') >= 3
    for lid in ("426705", "fol05731351", "144917"):
        assert f">{lid}</a>" in html
    assert "2429943" not in html  # another library's record
    assert 'data-reason="bad_tag"' in html and "9780253325525" in html
    # another library's list is not this librarian's to see
    assert client.get(url, {"library": other.code}).status_code == 403
    client.force_login(staff(StaffRole.LIBRARIAN, other))
    assert ">2429943</a>" in client.get(url).content.decode()


def test_attention_page_in_thai(libraries, client: Client) -> None:
    library = libraries["AAA-LIB"]
    import_file(DATA / "pymarc/bad_indicator.dat", library, acting_user=SYSTEM)
    client.force_login(staff(StaffRole.LIBRARIAN, library))
    html = client.get(reverse("catalog:attention"), HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "ต้องตรวจแก้" in html


def test_job_page_counts_the_flagged_records(libraries, client: Client) -> None:
    library = libraries["AAA-LIB"]
    job = import_file(DATA / "pymarc/bad_subfield_code.dat", library, acting_user=SYSTEM)
    client.force_login(staff(StaffRole.LIBRARIAN, library))
    html = client.get(reverse("catalog:import_job", args=[job.pk])).content.decode()
    assert 'id="flagged"' in html and reverse("catalog:attention") in html
    clean = import_file(DATA / "marc4j/chabon.mrc", library, acting_user=SYSTEM)
    html = client.get(reverse("catalog:import_job", args=[clean.pk])).content.decode()
    assert 'id="flagged"' not in html


def test_a_corrected_record_replaces_the_flagged_one(libraries) -> None:
    """The library fixes the record and loads it again: the flag goes (pymarc's one.dat is
    the same record as bad_subfield_code.dat, undamaged)."""
    library = libraries["AAA-LIB"]
    import_file(DATA / "pymarc/bad_subfield_code.dat", library, acting_user=SYSTEM)
    fixed = import_file(DATA / "pymarc/one.dat", library, acting_user=SYSTEM)
    assert fixed.updated == 1
    assert not flagged(BibRecord.objects.filter(library=library)).exists()


def test_reimport_of_a_salvaged_record_changes_nothing(libraries) -> None:
    library = libraries["AAA-LIB"]
    import_file(DATA / "pymarc/bad_marc8_escape.dat", library, acting_user=SYSTEM)
    again = import_file(DATA / "pymarc/bad_marc8_escape.dat", library, acting_user=SYSTEM)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)


# --- the "done when", over every real file ------------------------------------------


def _pymarc_records(path: Path) -> list[pymarc.Record]:
    """What pymarc itself can read of a file (the manifest's way: permissive reader)."""
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        if path.suffix == ".xml":
            try:
                return list(pymarc.parse_xml_to_array(str(path)))
            except Exception:  # pymarc cannot read it at all
                return []
        with path.open("rb") as stream:
            return [r for r in pymarc.MARCReader(stream, permissive=True) if r is not None]


def _aside(record: pymarc.Record) -> bool:
    """Leader/05 d (a deletion) and UNIMARC are outside the rule."""
    leader = str(record.leader)
    unimarc = record.get("245") is None and record.get("200") is not None
    return leader[5:6] == "d" or unimarc or leader[10:12] not in ("22", "  ", " 2", "2 ")


@pytest.mark.skipif(
    not SHARED_MARC.is_dir(),
    reason=f"shared sample data not found at {SHARED_MARC} (../shared beside the project)",
)
def test_every_record_pymarc_can_read_is_in_the_catalog_or_has_no_readable_title(
    libraries,
) -> None:
    library = libraries["AAA-LIB"]
    files = sorted(
        p for p in SHARED_MARC.rglob("*") if p.suffix in {".mrc", ".dat", ".marc", ".xml"}
    )
    assert len(files) >= 40
    checked = 0
    for path in files:
        job = import_file(path, library, acting_user=SYSTEM)
        for record in _pymarc_records(path):
            if _aside(record):
                continue
            checked += 1
            fld = record.get("001")
            local_id = (fld.data or "").strip() if fld is not None else ""
            if local_id and BibRecord.objects.filter(library=library, local_id=local_id).exists():
                continue
            if (
                not local_id
                and record.title
                and BibRecord.objects.filter(
                    library=library, title__startswith=record.title[:15]
                ).exists()
            ):
                continue
            refusals = ImportProblem.objects.filter(job=job, local_id=local_id)
            assert refusals.exists(), (path.name, local_id)
            assert all("no readable title" in p.message for p in refusals), (
                path.name,
                [p.message for p in refusals],
            )
    assert checked >= 100
