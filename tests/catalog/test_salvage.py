"""Salvage of locally damaged records, end to end: loaded, findable, flagged and listed for
their library; refused only without a readable title or locatable fields (issue #14)."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from libcoop.catalog.attention import flagged, flagged_count
from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import BibRecord, ImportProblem
from libcoop.catalog.search import search
from libcoop.core.tokens import issue_token
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.factories import staff

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "data" / "marc"
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


def test_the_bulk_load_flags_salvaged_records_too(libraries) -> None:
    job = import_file(
        DATA / "pymarc/bad_subfield_code.dat",
        libraries["AAA-LIB"],
        acting_user=SYSTEM,
        bulk_load=True,
    )
    assert (job.added, flagged_count(job)) == (1, 1)
    assert BibRecord.objects.get(job=job).flagged


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


def test_migration_flags_records_salvaged_before_the_column(libraries) -> None:
    library = libraries["AAA-LIB"]
    import_file(DATA / "pymarc/bad_indicator.dat", library, acting_user=SYSTEM)
    import_file(DATA / "pymarc/test.dat", library, acting_user=SYSTEM)
    BibRecord.objects.update(flagged=False)  # as the rows were before migration 0007
    migration = importlib.import_module("libcoop.catalog.migrations.0007_work_key_and_flagged")
    migration.fill(apps, None)
    assert BibRecord.objects.filter(flagged=True).count() == 1
    assert flagged(BibRecord.objects.filter(library=library)).get().local_id == "426705"


def test_reimport_of_a_salvaged_record_changes_nothing(libraries) -> None:
    library = libraries["AAA-LIB"]
    import_file(DATA / "pymarc/bad_marc8_escape.dat", library, acting_user=SYSTEM)
    again = import_file(DATA / "pymarc/bad_marc8_escape.dat", library, acting_user=SYSTEM)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)


# --- MARCXML: the same salvage ----------------------------------------------------------------

MARC_NS = "http://www.loc.gov/MARC21/slim"
TITLE = (
    '<datafield tag="245" ind1="1" ind2="0">'
    '<subfield code="a">Green libraries</subfield></datafield>'
)
DAMAGE = {
    "bad_tag": '<datafield tag="5X" ind1=" " ind2=" "><subfield code="a">n</subfield></datafield>',
    "bad_indicator": (
        '<datafield tag="500" ind1="10" ind2=" "><subfield code="a">note</subfield></datafield>'
    ),
    "bad_subfield": (
        '<datafield tag="650" ind1=" " ind2="0"><subfield>Libraries</subfield>'
        '<subfield code="a">Libraries</subfield></datafield>'
    ),
}


def marcxml(tmp_path: Path, name: str, *records: str) -> Path:
    path = tmp_path / name
    body = "".join(f"<record>{r}</record>" for r in records)
    path.write_text(f'<collection xmlns="{MARC_NS}">{body}</collection>', encoding="utf-8")
    return path


def leader(text: str = "00000nam a2200000 i 4500") -> str:
    return f"<leader>{text}</leader>"


def control(lid: str) -> str:
    return f'<controlfield tag="001">{lid}</controlfield>'


@pytest.mark.parametrize("reason", sorted(DAMAGE))
def test_marcxml_damage_is_salvaged_like_iso2709(libraries, tmp_path: Path, reason: str) -> None:
    path = marcxml(tmp_path, "x.xml", leader() + control("x1") + TITLE + DAMAGE[reason])
    job = import_file(path, libraries["AAA-LIB"], acting_user=SYSTEM)
    assert (job.added, job.rejected) == (1, 0)
    record = BibRecord.objects.get(job=job)
    assert record.flagged and record.cluster_id is not None
    assert [w["repaired"] for w in record.warnings if isinstance(w, dict)] == [reason]
    assert record.raw.startswith(b"<record") and DAMAGE[reason][:20].encode() in record.raw
    assert search("Green libraries").total == 1


def test_marcxml_damaged_leader_is_replaced_and_flagged(libraries, tmp_path: Path) -> None:
    path = marcxml(tmp_path, "x.xml", leader("      Z   22 4500") + control("x1") + TITLE)
    job = import_file(path, libraries["AAA-LIB"], acting_user=SYSTEM)
    record = BibRecord.objects.get(job=job)
    assert record.flagged and record.warnings[0]["repaired"] == "bad_leader"
    assert record.format == "unknown"  # not guessed


def test_marcxml_refused_only_without_a_readable_title(libraries, tmp_path: Path) -> None:
    path = marcxml(
        tmp_path,
        "x.xml",
        # the title field's tag is damaged: no title is left
        leader() + control("x1") + TITLE.replace('tag="245"', 'tag="24"'),
        # a subfield without code was the whole title
        leader() + control("x2") + '<datafield tag="245" ind1="1" ind2="0"><subfield>T</subfield>'
        "</datafield>",
        # UNIMARC stays refused with its message
        leader() + control("x3") + '<datafield tag="200" ind1="1" ind2=" ">'
        '<subfield code="a">Titre</subfield></datafield>',
        leader() + control("ok") + TITLE,
    )
    job = import_file(path, libraries["AAA-LIB"], acting_user=SYSTEM)
    assert (job.added, job.rejected) == (1, 3)
    problems = {p.local_id: p for p in ImportProblem.objects.filter(job=job)}
    assert "no readable title" in problems["x1"].message
    assert "no readable title" in problems["x2"].message
    assert problems["x3"].reason == "not_marc21"
    assert not BibRecord.objects.get(local_id="ok").flagged


# --- the flagged count in the API and the CLI ----------------------------------------------


def test_api_job_json_counts_flagged_records(libraries, tmp_path: Path) -> None:
    library = libraries["AAA-LIB"]
    user = staff(StaffRole.LIBRARIAN, library)
    headers = {"Authorization": f"Bearer {issue_token(user, 't', acting_user=SYSTEM)}"}
    client = Client()
    for name, flagged_expected in (("pymarc/bad_indicator.dat", 1), ("pymarc/one.dat", 0)):
        with (DATA / name).open("rb") as fh:
            response = client.post(
                "/api/catalog/imports", {"library": library.code, "file": fh}, headers=headers
            )
        assert response.status_code == 202, response.content
        assert response.json()["flagged"] == flagged_expected, name
        job = client.get(response["Location"], headers=headers).json()
        assert job["flagged"] == flagged_expected


def test_cli_import_reports_flagged_records_in_english_and_thai(libraries) -> None:
    out = io.StringIO()
    path = str(DATA / "pymarc/bad_indicator.dat")
    call_command("catalog", "import", path, "--library", "AAA-LIB", stdout=out)
    text = out.getvalue()
    assert "1 added" in text
    assert "1 record loaded with local damage repaired: it needs attention" in text
    record = BibRecord.objects.get(library__code="AAA-LIB")
    assert f"  [{record.local_id}] A field with a damaged tag was dropped" in text
    out = io.StringIO()
    path = str(DATA / "pymarc/bad_subfield_code.dat")
    call_command("catalog", "import", path, "--library", "BBB-LIB", "--lang", "th", stdout=out)
    text = out.getvalue()
    assert "ซ่อมรหัสเขตข้อมูลย่อยที่เสียหาย หรือตัดเขตข้อมูลย่อยนั้นออก" in text
    clean = io.StringIO()
    call_command(
        "catalog", "import", str(DATA / "pymarc/one.dat"), "--library", "CCC-LIB", stdout=clean
    )
    assert "needs attention" not in clean.getvalue()
