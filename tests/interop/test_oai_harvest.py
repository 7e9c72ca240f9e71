"""Harvesting the demo union catalog: with Sickle (a real OAI-PMH client) against a live
server, and with records changing underneath a harvest (§3.5 flow control)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from libcoop.catalog.models import BibRecord, Cluster
from libcoop.interop.oai import provider
from tests.interop.conftest import (
    OaiCall,
    change_record,
    first,
    harvest,
    identifiers,
    load_demo,
    oai_id,
    small_pages,
    spread_datestamps,
    token_of,
)

sickle = pytest.importorskip("sickle", reason="sickle (a dev dependency) is not installed")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sickle_harvests_the_whole_catalog_once(
    live_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    load_demo(tmp_path)
    small_pages(monkeypatch, records=40, identifiers=35)
    client = sickle.Sickle(f"{live_server.url}/oai", http_method=method, timeout=60)
    assert client.Identify().repositoryIdentifier == provider.repository_identifier()
    expected = {oai_id(pk) for pk in Cluster.objects.values_list("id", flat=True)}
    assert len(expected) >= 100
    for prefix in ("marc21", "oai_dc"):
        records = list(client.ListRecords(metadataPrefix=prefix))
        ids = [r.header.identifier for r in records]
        assert len(ids) == len(set(ids)) == len(expected)
        assert set(ids) == expected
        assert all(r.metadata for r in records)
    marc = next(iter(client.ListRecords(metadataPrefix="marc21")))
    assert "libcoop" in marc.raw and "852" in marc.raw


@pytest.mark.django_db(transaction=True)
def test_sickle_list_identifiers_with_a_set_and_dates(
    live_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(tmp_path)
    small_pages(monkeypatch, records=20, identifiers=7)
    stamps = spread_datestamps(dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.timedelta(minutes=37))
    start = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    until = dt.datetime(2024, 1, 3, 6, 0, 0, 999999, tzinfo=dt.UTC)  # until is inclusive
    held = set(
        BibRecord.objects.filter(library__code="MFU-LIB", active=True).values_list(
            "cluster_id", flat=True
        )
    )
    expected = {oai_id(pk) for pk, when in stamps.items() if pk in held and start <= when <= until}
    assert len(expected) > 7  # more than one page
    client = sickle.Sickle(f"{live_server.url}/oai", timeout=60)
    headers = list(
        client.ListIdentifiers(
            metadataPrefix="oai_dc",
            set="library:MFU-LIB",
            **{"from": "2024-01-02T00:00:00Z", "until": "2024-01-03T06:00:00Z"},
        )
    )
    ids = [h.identifier for h in headers]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    assert all("library:MFU-LIB" in h.setSpecs for h in headers)
    days = list(
        client.ListIdentifiers(
            metadataPrefix="oai_dc", set="library:MFU-LIB", **{"from": "2024-01-02"}
        )
    )
    assert {h.identifier for h in days} >= expected


@pytest.mark.django_db
def test_records_changing_underneath_are_neither_skipped_nor_repeated(
    oai: OaiCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(tmp_path)
    small_pages(monkeypatch, records=10, identifiers=10)
    window = {oai_id(pk) for pk in Cluster.objects.values_list("id", flat=True)}
    started = timezone.now()
    first_page = oai({"verb": "ListRecords", "metadataPrefix": "marc21"})
    response_date = first(first_page, "oai:responseDate").text or ""
    sent_early = identifiers(first_page)
    tok = token_of(first_page)
    assert tok is not None and tok.text

    # Change 3 records of clusters already sent and 3 of clusters not sent yet, by re-import.
    not_sent = sorted(window - set(sent_early))
    touched = [*sent_early[2:5], *not_sent[5:8]]
    for n, identifier in enumerate(touched):
        member = BibRecord.objects.filter(
            cluster_id=int(identifier.rsplit("/", 1)[1]), active=True
        ).first()
        assert member is not None
        change_record(member, tmp_path / f"change{n}.mrc", f"Changed during the harvest {n}")
    changed = {
        oai_id(pk)
        for pk in Cluster.objects.filter(updated__gt=started).values_list("id", flat=True)
    }
    assert set(touched) <= changed

    pages = [first_page]
    token = tok.text
    while token:
        pages.append(oai({"verb": "ListRecords", "resumptionToken": token}))
        t = token_of(pages[-1])
        token = t.text if t is not None else None
    seen = [i for page in pages for i in identifiers(page)]
    assert len(seen) == len(set(seen)), "a record was repeated"
    # Every item of the original window is sent once, except those that changed before
    # they were reached: their new versions lie after the frozen until …
    assert set(seen) == window - (changed - set(sent_early))
    # … and the next incremental harvest, from the first responseDate, has them all.
    later = harvest(
        oai, {"verb": "ListIdentifiers", "metadataPrefix": "marc21", "from": response_date}
    )
    assert {i for page in later for i in identifiers(page)} >= changed
    final = token_of(pages[-1])
    assert final is not None and final.get("completeListSize") == str(len(seen))


@pytest.mark.django_db
def test_reimporting_the_same_files_changes_no_datestamp(
    oai: OaiCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from libcoop.catalog.ingest import import_file
    from libcoop.network.abilities import SYSTEM

    libraries = load_demo(tmp_path)
    before = dict(Cluster.objects.values_list("id", "updated"))
    for code, library in libraries.items():
        import_file(tmp_path / "demo" / f"{code}.mrc", library, acting_user=SYSTEM)
    assert dict(Cluster.objects.values_list("id", "updated")) == before


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["marc21", "oai_dc"])
def test_every_page_of_the_demo_catalog_validates(
    oai: OaiCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    load_demo(tmp_path)
    small_pages(monkeypatch, records=60, identifiers=60)
    pages = harvest(oai, {"verb": "ListRecords", "metadataPrefix": prefix})  # each validated
    assert sum(len(identifiers(p)) for p in pages) == Cluster.objects.count()


@pytest.mark.django_db
def test_the_shared_sample_records_all_validate(
    oai: OaiCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every MARC sample in shared/data/marc (odd encodings, broken fields, MARCXML) that the
    ingest accepts comes out as schema-valid MARCXML and Dublin Core."""
    from libcoop.catalog.ingest import import_file
    from libcoop.network.abilities import SYSTEM
    from tests.factories import InstitutionFactory

    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "marc"
    if not shared.is_dir():
        pytest.skip(f"shared sample data not found at {shared}")
    files = sorted(p for p in shared.rglob("*") if p.suffix in {".mrc", ".dat", ".marc", ".xml"})
    for n, path in enumerate(files):
        import_file(path, InstitutionFactory(code=f"S{n:03d}-LIB"), acting_user=SYSTEM)
    assert Cluster.objects.filter(active=True).count() > 50
    small_pages(monkeypatch, records=50, identifiers=50)
    for prefix in ("marc21", "oai_dc"):
        pages = harvest(oai, {"verb": "ListRecords", "metadataPrefix": prefix})
        assert sum(len(identifiers(p)) for p in pages) == Cluster.objects.count()
