"""The catalog through its real interfaces: the libcoop CLI, the pages and the API."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from lxml import etree

from libcoop.catalog.models import BibRecord, Cluster, ImportJob
from libcoop.core.tokens import issue_token
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import staff

pytestmark = pytest.mark.django_db
ISBN = "9780306406157"
SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas"


@pytest.fixture
def loaded(libraries, tmp_path: Path) -> dict[str, Path]:
    a = write(
        tmp_path / "a.mrc",
        book("a1", "Green libraries", isbn=ISBN, call_number="Z675 .G7"),
        book("a2", "การจัดการสิ่งแวดล้อมในห้องสมุดมหาวิทยาลัย", author=None, lang="tha", year=2562),
    )
    b = write(tmp_path / "b.mrc", book("b1", "Green libraries", isbn="0-306-40615-2"))
    call_command("catalog", "import", str(a), "--library", "AAA-LIB", stdout=io.StringIO())
    call_command("catalog", "import", str(b), "--library", "BBB-LIB", stdout=io.StringIO())
    return {"a": a, "b": b}


def test_import_command_reports_counts(libraries, tmp_path: Path) -> None:
    path = write(tmp_path / "x.mrc", book("x1", "Green"))
    out = io.StringIO()
    call_command("catalog", "import", str(path), "--library", "AAA-LIB", stdout=out)
    assert "1 added, 0 updated, 0 unchanged, 0 deleted, 0 rejected" in out.getvalue()


def test_clusters_csv(loaded) -> None:
    out = io.StringIO()
    call_command("catalog", "clusters", "--csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["local_id"] for r in rows] == ["a1", "a2", "b1"]
    by_id = {r["local_id"]: r["cluster_id"] for r in rows}
    assert by_id["a1"] == by_id["b1"] != by_id["a2"]
    assert set(rows[0]) == {"library_code", "local_id", "cluster_id"}


def test_export_marcxml_validates_and_has_holdings(loaded, tmp_path: Path) -> None:
    target = tmp_path / "out.xml"
    call_command(
        "catalog", "export", "--format", "marcxml", "-o", str(target), stderr=io.StringIO()
    )
    doc = etree.parse(str(target))
    schema_path = SCHEMAS / "marc" / "MARC21slim.xsd"
    if not schema_path.exists():
        pytest.skip(f"official schema not found at {schema_path}")
    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    assert schema.validate(doc), schema.error_log
    ns = {"m": "http://www.loc.gov/MARC21/slim"}
    records = doc.findall("m:record", ns)
    assert len(records) == 2
    libraries_852 = sorted(
        sf.text for sf in doc.iterfind(".//m:datafield[@tag='852']/m:subfield[@code='a']", ns)
    )
    assert libraries_852 == ["AAA-LIB", "AAA-LIB", "BBB-LIB"]


def test_export_jsonl_and_marc(loaded, tmp_path: Path) -> None:
    jsonl = tmp_path / "out.jsonl"
    call_command("catalog", "export", "--format", "jsonl", "-o", str(jsonl), stderr=io.StringIO())
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["leader"] for line in lines)
    marc = tmp_path / "out.mrc"
    call_command("catalog", "export", "--format", "marc", "-o", str(marc), stderr=io.StringIO())
    from pymarc import MARCReader

    with open(marc, "rb") as fh:
        assert len(list(MARCReader(fh))) == 2


def test_search_json_lines(loaded) -> None:
    out = io.StringIO()
    call_command("catalog", "search", "สิ่งแวดล้อม", "--json", stdout=out)
    hits = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(hits) == 1
    assert hits[0]["local_ids"] == {"AAA-LIB": ["a2"]}
    out = io.StringIO()
    call_command("catalog", "search", "green", "--json", stdout=out)
    hit = json.loads(out.getvalue().splitlines()[0])
    assert hit["held_by"] == 2 and hit["local_ids"] == {"AAA-LIB": ["a1"], "BBB-LIB": ["b1"]}
    out = io.StringIO()
    call_command("catalog", "search", "978-0-306-40615-7", "--json", stdout=out)
    assert json.loads(out.getvalue().splitlines()[0])["id"] == hit["id"]


def test_search_page_shows_each_cluster_once_with_holdings(loaded) -> None:
    html = Client().get("/catalog/", {"q": "green"}).content.decode()
    assert html.count("Green libraries") == 1
    assert "2" in html and ("ห้องสมุด" in html or "libraries" in html)
    facets = Client().get("/catalog/", {"q": "green", "library": "BBB-LIB"}).content.decode()
    assert "Green libraries" in facets
    none = Client().get("/catalog/", {"q": "green", "year_from": "2030"}).content.decode()
    assert "Green libraries" not in none


def test_cluster_page_explains_the_match(loaded) -> None:
    cluster = BibRecord.objects.get(local_id="b1").cluster
    html = Client().get(f"/catalog/clusters/{cluster.pk}/").content.decode()
    assert f"isbn:{ISBN}" in html
    assert "Z675 .G7" in html


def test_split_through_the_page(loaded) -> None:
    record = BibRecord.objects.get(local_id="b1")
    client = Client()
    other = staff(StaffRole.LIBRARIAN, record.library.__class__.objects.get(code="CCC-LIB"))
    client.force_login(other)
    assert client.post(f"/catalog/records/{record.pk}/split/").status_code == 403
    own = staff(StaffRole.LIBRARIAN, record.library)
    client.force_login(own)
    response = client.post(f"/catalog/records/{record.pk}/split/")
    assert response.status_code == 302
    assert (
        BibRecord.objects.get(local_id="b1").cluster_id
        != BibRecord.objects.get(local_id="a1").cluster_id
    )


def test_upload_page_imports_and_shows_problems(libraries, tmp_path: Path) -> None:
    user = staff(StaffRole.LIBRARIAN, libraries["AAA-LIB"])
    client = Client()
    client.force_login(user)
    good = write(tmp_path / "a.mrc", book("a1", "Green"))
    data = good.read_bytes() + b"00050nam  2200025   4500\x1e\x1d"  # a broken second record
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/catalog/import/",
        {"file": SimpleUploadedFile("mixed.mrc", data), "kind": "records"},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.added, job.rejected, job.status) == (1, 1, "done")
    page = client.get(response["Location"]).content.decode()
    assert "mixed.mrc" in page and 'value="100"' in page
    assert job.problems.get().position == 2


def test_api_import_and_search(libraries, tmp_path: Path) -> None:
    user = staff(StaffRole.LIBRARY_ADMIN, libraries["AAA-LIB"])
    headers = {"Authorization": f"Bearer {issue_token(user, 't', acting_user=SYSTEM)}"}
    path = write(tmp_path / "a.mrc", book("a1", "Green libraries", isbn=ISBN))
    client = Client()
    with open(path, "rb") as fh:
        response = client.post(
            "/api/catalog/imports", {"library": "AAA-LIB", "file": fh}, headers=headers
        )
    assert response.status_code == 202, response.content
    assert response.json()["added"] == 1  # the tests' task backend runs it at once
    assert response["Location"] == f"/api/catalog/imports/{response.json()['id']}"
    with open(path, "rb") as fh:
        refused = client.post(
            "/api/catalog/imports", {"library": "BBB-LIB", "file": fh}, headers=headers
        )
    assert refused.status_code == 403
    data = client.get("/api/catalog/search", {"q": "green"}).json()
    assert data["total"] == 1 and data["hits"][0]["held_by"] == 1
    cluster = client.get(f"/api/catalog/clusters/{data['hits'][0]['id']}").json()
    assert cluster["records"][0]["local_id"] == "a1"
    assert Cluster.objects.count() == 1


def test_control_characters_in_a_query_are_harmless(loaded) -> None:
    """A NUL in a query once made PostgreSQL fail the request (found by SRU fuzzing)."""
    assert Client().get("/catalog/", {"q": "gre\x00en"}).status_code == 200
    assert Client().get("/api/catalog/search", {"q": "978\x000306406157"}).status_code == 200
    out = io.StringIO()
    call_command("catalog", "search", "green\x00", "--json", stdout=out)
    assert json.loads(out.getvalue().splitlines()[0])["held_by"] == 2
