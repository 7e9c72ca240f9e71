"""The six OAI-PMH verbs (§4) over a small catalog, every response schema-valid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from libcoop.catalog.ingest import import_deletes
from libcoop.catalog.models import Cluster
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution
from tests.interop.conftest import (
    NS,
    REPO,
    OaiCall,
    assert_valid,
    error_codes,
    first,
    harvest,
    identifiers,
    oai_id,
    small_pages,
    spread_datestamps,
    text_of,
    token_of,
)

pytestmark = pytest.mark.django_db


def test_identify(oai: OaiCall, small_catalog: dict[str, int], settings) -> None:
    settings.LIBCOOP_OAI_REPOSITORY_IDENTIFIER = "oai.libcoop.test"
    settings.LIBCOOP_OAI_ADMIN_EMAIL = "catalog@libcoop.test"
    root = oai({"verb": "Identify"})
    assert first(root, "oai:request").get("verb") == "Identify"
    assert first(root, "oai:request").text == "http://testserver/oai"
    ident = first(root, "oai:Identify")
    assert text_of(ident, "oai:baseURL") == ["http://testserver/oai"]
    assert text_of(ident, "oai:protocolVersion") == ["2.0"]
    assert text_of(ident, "oai:adminEmail") == ["catalog@libcoop.test"]
    assert text_of(ident, "oai:deletedRecord") == ["persistent"]
    assert text_of(ident, "oai:granularity") == ["YYYY-MM-DDThh:mm:ssZ"]
    earliest = min(Cluster.objects.values_list("updated", flat=True))
    assert text_of(ident, "oai:earliestDatestamp") == [earliest.strftime("%Y-%m-%dT%H:%M:%SZ")]
    scheme = first(ident, "oai:description/id:oai-identifier")
    assert text_of(scheme, "id:repositoryIdentifier") == ["oai.libcoop.test"]
    assert text_of(scheme, "id:sampleIdentifier") == ["oai:oai.libcoop.test:cluster/1"]


def test_identify_on_an_empty_repository_and_by_post(oai: OaiCall, db: None) -> None:
    root = oai({"verb": "Identify"}, method="post")
    assert first(root, "oai:Identify/oai:adminEmail").text == f"oai-admin@{REPO}"


def test_a_repository_identifier_that_is_no_domain_name_still_gives_valid_responses(
    oai: OaiCall, small_catalog: dict[str, int], settings
) -> None:
    settings.LIBCOOP_OAI_REPOSITORY_IDENTIFIER = "localhost"
    root = oai({"verb": "Identify"})
    assert root.find(".//oai:description", NS) is None
    identifier = f"oai:localhost:cluster/{small_catalog['c1']}"
    root = oai({"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "oai_dc"})
    assert text_of(root, ".//oai:header/oai:identifier") == [identifier]


def test_list_metadata_formats(oai: OaiCall, small_catalog: dict[str, int]) -> None:
    for params in ({}, {"identifier": oai_id(small_catalog["a1"])}):
        root = oai({"verb": "ListMetadataFormats", **params})
        formats = {
            text_of(f, "oai:metadataPrefix")[0]: text_of(f, "oai:metadataNamespace")[0]
            for f in root.iterfind(".//oai:metadataFormat", NS)
        }
        assert formats == {
            "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
            "marc21": "http://www.loc.gov/MARC21/slim",
        }


def test_list_sets(oai: OaiCall, small_catalog: dict[str, int]) -> None:
    root = oai({"verb": "ListSets"})
    specs = text_of(root, ".//oai:set/oai:setSpec")
    assert specs == [
        "library",
        "library:AAA-LIB",
        "library:BBB-LIB",
        "library:CCC-LIB",
        "network",
        "network:PULINET",
    ]
    assert token_of(root) is None


def test_get_record_oai_dc(
    oai: OaiCall, small_catalog: dict[str, int], dc_schema: etree.XMLSchema
) -> None:
    cid = small_catalog["a1"]
    root = oai({"verb": "GetRecord", "identifier": oai_id(cid), "metadataPrefix": "oai_dc"})
    assert first(root, "oai:request").attrib == {
        "verb": "GetRecord",
        "identifier": oai_id(cid),
        "metadataPrefix": "oai_dc",
    }
    header = first(root, ".//oai:header")
    assert header.get("status") is None
    assert text_of(header, "oai:identifier") == [oai_id(cid)]
    # held by AAA-LIB (a current PULINET member) and BBB-LIB
    assert text_of(header, "oai:setSpec") == [
        "library",
        "library:AAA-LIB",
        "library:BBB-LIB",
        "network",
        "network:PULINET",
    ]
    dc = first(root, ".//oai:metadata/oai_dc:dc")
    assert_valid(dc_schema, dc)
    assert text_of(dc, "dc:title") == ["Green libraries"]
    assert text_of(dc, "dc:creator") == ["Smith, John"]
    assert text_of(dc, "dc:publisher") == ["Press"]
    assert text_of(dc, "dc:date") == ["2019"]
    assert text_of(dc, "dc:language") == ["eng"]
    assert text_of(dc, "dc:type") == ["Text"]
    assert "Libraries" in text_of(dc, "dc:subject")
    assert text_of(dc, "dc:identifier") == [
        "urn:isbn:9786160000014",
        f"http://testserver/catalog/clusters/{cid}/",
    ]


def test_get_record_marc21_carries_holdings_of_every_library(
    oai: OaiCall, small_catalog: dict[str, int], marc_schema: etree.XMLSchema
) -> None:
    cid = small_catalog["a1"]
    root = oai({"verb": "GetRecord", "identifier": oai_id(cid), "metadataPrefix": "marc21"})
    record = first(root, ".//oai:metadata/marc:record")
    assert_valid(marc_schema, record)
    assert text_of(record, "marc:controlfield[@tag='001']") == [f"libcoop{cid}"]
    assert text_of(record, "marc:leader")[0][9] == "a"
    assert sorted(text_of(record, "marc:datafield[@tag='852']/marc:subfield[@code='a']")) == [
        "AAA-LIB",
        "BBB-LIB",
    ]
    assert "Z675 .G7" in text_of(record, "marc:datafield[@tag='852']/marc:subfield[@code='h']")
    assert sorted(text_of(record, "marc:datafield[@tag='035']/marc:subfield")) == [
        "(AAA-LIB)a1",
        "(BBB-LIB)b1",
    ]


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_lists_page_through_every_item_once(
    oai: OaiCall,
    small_catalog: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    verb: str,
    method: str,
) -> None:
    small_pages(monkeypatch, records=2, identifiers=2)
    pages = harvest(oai, {"verb": verb, "metadataPrefix": "marc21"}, method)
    assert len(pages) == 3
    seen = [i for page in pages for i in identifiers(page)]
    assert sorted(seen) == sorted(oai_id(c) for c in set(small_catalog.values()))
    tokens = [token_of(p) for p in pages]
    assert [(t.get("cursor"), t.get("completeListSize")) for t in tokens if t is not None] == [
        ("0", "5"),
        ("2", "5"),
        ("4", "5"),
    ]
    assert tokens[-1] is not None and not tokens[-1].text  # the empty final token (§3.5)
    assert tokens[-1].get("expirationDate") is None
    assert tokens[0] is not None and tokens[0].get("expirationDate")
    resumed = first(pages[1], "oai:request")
    assert set(resumed.attrib) == {"verb", "resumptionToken"}
    if verb == "ListRecords":
        assert len(pages[0].findall(".//oai:metadata/marc:record", NS)) == 2


def test_a_complete_first_page_has_no_resumption_token(
    oai: OaiCall, small_catalog: dict[str, int]
) -> None:
    root = oai({"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert len(identifiers(root)) == 5
    assert token_of(root) is None


def test_sets_select_by_library_and_by_current_network_member(
    oai: OaiCall, small_catalog: dict[str, int]
) -> None:
    def listed(spec: str) -> set[str]:
        root = oai({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": spec})
        return set(identifiers(root))

    c = small_catalog
    assert listed("library:BBB-LIB") == {oai_id(c["b1"]), oai_id(c["b2"])}
    assert listed("library:CCC-LIB") == {oai_id(c["c1"])}
    # CCC-LIB left PULINET in 2015: its c1 is not held by a current member
    assert listed("network:PULINET") == {oai_id(c[k]) for k in ("a1", "a2", "a3")}
    assert listed("network") == listed("network:PULINET")
    assert listed("library") == {oai_id(v) for v in c.values()}


def test_from_and_until_at_both_granularities(oai: OaiCall, small_catalog: dict[str, int]) -> None:
    stamps = spread_datestamps(
        dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC), dt.timedelta(hours=12)
    )
    by_time = sorted(stamps, key=stamps.__getitem__)  # 03-01 10:00, 22:00, 03-02 10:00, …

    def listed(**dates: str) -> list[str]:
        root = oai({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", **dates})
        return [] if error_codes(root) == ["noRecordsMatch"] else identifiers(root)

    assert listed(**{"from": "2024-03-02"}) == [oai_id(c) for c in by_time[2:]]
    assert listed(until="2024-03-01") == [oai_id(c) for c in by_time[:2]]
    assert listed(**{"from": "2024-03-01T22:00:00Z", "until": "2024-03-02T10:00:00Z"}) == [
        oai_id(c) for c in by_time[1:3]
    ]
    assert listed(**{"from": "2024-03-01T22:00:01Z", "until": "2024-03-02T09:59:59Z"}) == []
    assert listed(**{"from": "2024-03-02", "until": "2024-03-02"}) == [
        oai_id(c) for c in by_time[2:4]
    ]
    header = first(oai({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}), ".//oai:header")
    assert text_of(header, "oai:datestamp") == ["2024-03-01T10:00:00Z"]


def test_withdrawn_record_makes_its_cluster_a_deleted_record(
    oai: OaiCall, small_catalog: dict[str, int], libraries: dict[str, Institution], tmp_path: Path
) -> None:
    deletes = tmp_path / "deletes.txt"
    deletes.write_text("a2\n", encoding="utf-8")
    import_deletes(deletes, libraries["AAA-LIB"], acting_user=SYSTEM)
    gone = small_catalog["a2"]
    assert not Cluster.objects.get(pk=gone).active
    for prefix in ("oai_dc", "marc21"):
        root = oai({"verb": "GetRecord", "identifier": oai_id(gone), "metadataPrefix": prefix})
        record = first(root, "oai:GetRecord/oai:record")
        assert first(record, "oai:header").get("status") == "deleted"
        assert record.find("oai:metadata", NS) is None
        # still in the sets of the library that held it, so set harvesters see the deletion
        assert "library:AAA-LIB" in text_of(record, "oai:header/oai:setSpec")
    root = oai({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "library:AAA-LIB"})
    deleted = root.findall(".//oai:header[@status='deleted']/oai:identifier", NS)
    assert [e.text for e in deleted] == [oai_id(gone)]
    # the deleted item comes last: its datestamp is the time of the withdrawal
    assert identifiers(root)[-1] == oai_id(gone)
    assert len(root.findall(".//oai:record/oai:metadata", NS)) == 2


def test_withdrawing_one_copy_keeps_the_cluster(
    oai: OaiCall, small_catalog: dict[str, int], libraries: dict[str, Institution], tmp_path: Path
) -> None:
    deletes = tmp_path / "deletes.txt"
    deletes.write_text("b1\n", encoding="utf-8")
    import_deletes(deletes, libraries["BBB-LIB"], acting_user=SYSTEM)
    root = oai(
        {"verb": "GetRecord", "identifier": oai_id(small_catalog["a1"]), "metadataPrefix": "marc21"}
    )
    assert first(root, ".//oai:header").get("status") is None
    assert "library:BBB-LIB" not in text_of(root, ".//oai:header/oai:setSpec")
    assert text_of(root, ".//marc:datafield[@tag='852']/marc:subfield[@code='a']") == ["AAA-LIB"]
