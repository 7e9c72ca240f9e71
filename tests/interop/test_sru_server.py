"""The SRU server at /sru: operations, versions, records, paging, sorting, diagnostics, and
schema validation of every kind of response against the official XSDs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from libcoop.catalog.search import search
from tests.interop.conftest_sru import (
    GREEN_ISBN,
    NS,
    SERIAL_ISSN,
    SRU12,
    SRU20,
    THAI_DIGITAL,
    THAI_TITLE,
    Catalog,
    assert_valid,
    assert_valid_dc,
    load_catalog,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db: None, tmp_path: Path) -> Catalog:
    return load_catalog(tmp_path)


def sru(method: str = "get", **params: Any) -> etree._Element:
    """One request; the response must be well-formed XML and valid for its version."""
    response = getattr(Client(), method)("/sru", params)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    v2 = etree.QName(root).namespace != NS["zs"]
    assert response["Content-Type"].startswith("application/sru+xml" if v2 else "text/xml")
    assert_valid(root, *(SRU20 if v2 else SRU12))
    return root


def count(root: etree._Element) -> int:
    return int(root.findtext("zs:numberOfRecords", namespaces=NS) or -1)


def cluster_ids(root: etree._Element) -> list[int]:
    """Cluster ids of the MARCXML records, from their 001 ``libcoop<id>``."""
    path = ".//marc:record/marc:controlfield[@tag='001']"
    return [int((e.text or "").removeprefix("libcoop")) for e in root.iterfind(path, NS)]


def diagnostics(root: etree._Element) -> list[tuple[int, str]]:
    out = []
    for d in root.iter(f"{{{NS['diag']}}}diagnostic", f"{{{NS['diag2']}}}diagnostic"):
        uri = d.findtext("{*}uri") or ""
        out.append(
            (int(uri.removeprefix("info:srw/diagnostic/1/")), d.findtext("{*}details") or "")
        )
    return out


# --- explain ---------------------------------------------------------------------------------


def test_explain_is_the_default_and_describes_indexes_and_schemas() -> None:
    root = sru()
    assert etree.QName(root).localname == "explainResponse"
    assert root.findtext("zs:version", namespaces=NS) == "1.2"
    explain = root.find(".//zr:explain", NS)
    assert explain is not None
    assert explain.findtext("zr:serverInfo/zr:database", namespaces=NS) == "sru"
    names = {
        f"{n.get('set')}.{n.text}"
        for n in explain.iterfind("zr:indexInfo/zr:index/zr:map/zr:name", NS)
    }
    assert {"cql.serverChoice", "dc.title", "dc.creator", "dc.subject"} <= names
    assert {"bath.isbn", "bath.issn", "rec.identifier"} <= names
    schemas = {s.get("name"): s.get("identifier") for s in explain.iterfind(".//zr:schema", NS)}
    assert schemas == {
        "marcxml": "info:srw/schema/1/marcxml-v1.1",
        "dc": "info:srw/schema/1/dc-v1.1",
    }
    assert diagnostics(root) == []
    assert etree.QName(sru(operation="explain", version="2.0")).namespace == NS["sru"]


# --- searchRetrieve --------------------------------------------------------------------------


def test_thai_title_search_returns_the_merged_record_with_both_holdings(catalog: Catalog) -> None:
    root = sru(operation="searchRetrieve", version="1.2", query=f'dc.title = "{THAI_TITLE}"')
    assert count(root) == 1
    assert cluster_ids(root) == [catalog["a1"]]
    record = root.find(".//marc:record", NS)
    assert record is not None
    title = record.findtext("marc:datafield[@tag='245']/marc:subfield[@code='a']", namespaces=NS)
    assert title is not None and title.startswith(THAI_TITLE)
    holders = record.xpath(
        "marc:datafield[@tag='852']/marc:subfield[@code='a']/text()", namespaces=NS
    )
    assert sorted(holders) == ["AAA-LIB", "BBB-LIB"]
    assert root.findtext(".//zs:recordSchema", namespaces=NS) == "info:srw/schema/1/marcxml-v1.1"
    assert root.findtext(".//zs:recordPosition", namespaces=NS) == "1"


def test_thai_word_search_ranks_like_the_catalog_search(catalog: Catalog) -> None:
    root = sru(query="dc.title = ห้องสมุด")
    assert count(root) == 2
    web = [h.cluster_id for h in search("ห้องสมุด", field="title").hits]
    assert cluster_ids(root) == web
    assert set(web) == {catalog["a1"], catalog["b3"]}
    keyword = sru(query="ห้องสมุด")  # cql.serverChoice
    assert cluster_ids(keyword) == [h.cluster_id for h in search("ห้องสมุด").hits]


def test_booleans_keep_the_left_operands_order(catalog: Catalog) -> None:
    assert cluster_ids(sru(query="dc.title = green and dc.title = libraries")) == [catalog["a2"]]
    either = cluster_ids(sru(query="environmental or green"))
    assert either[0] == catalog["c1"] and set(either[1:]) == {catalog["a2"], catalog["c2"]}
    assert cluster_ids(sru(query="green not energy")) == [catalog["a2"]]
    grouped = sru(query='(dc.title any "energy environmental") and dc.creator = jones')
    assert cluster_ids(grouped) == [catalog["c1"]]
    assert set(cluster_ids(sru(query='dc.title any "energy environmental"'))) == {
        catalog["c1"],
        catalog["c2"],
    }
    assert count(sru(query='dc.title all "energy environmental"')) == 0


def test_exact_relations_match_the_whole_heading(catalog: Catalog) -> None:
    assert cluster_ids(sru(query='dc.title == "Green libraries"')) == [catalog["a2"]]
    assert cluster_ids(sru(query='dc.title exact "green LIBRARIES."')) == [catalog["a2"]]
    assert count(sru(query="dc.title == green")) == 0
    assert cluster_ids(sru(query='dc.creator == "Smith, John"')) == [catalog["a2"]]
    assert cluster_ids(sru(query='dc.creator == "สมชาย ใจดี"')) == [catalog["a1"]]


def test_identifier_indexes(catalog: Catalog) -> None:
    assert cluster_ids(sru(query="bath.isbn = 0306406152")) == [catalog["a2"]]
    assert cluster_ids(sru(query=f'bath.isbn = "{GREEN_ISBN}"')) == [catalog["a2"]]
    assert cluster_ids(sru(query=f"bath.issn = {SERIAL_ISSN}")) == [catalog["a4"]]
    assert count(sru(query="bath.isbn = 12345")) == 0
    both = f'bath.isbn any "0306406152 {"9786167000015"}"'
    assert set(cluster_ids(sru(query=both))) == {catalog["a1"], catalog["a2"]}
    assert cluster_ids(sru(query=f"rec.identifier = libcoop{catalog['b3']}")) == [catalog["b3"]]
    assert cluster_ids(sru(query=f"rec.identifier = {catalog['c1']}")) == [catalog["c1"]]
    assert count(sru(query="rec.identifier = libcoop999999")) == 0


def test_paging_with_start_record_maximum_records_and_next_position(catalog: Catalog) -> None:
    everything = sru(query="cql.allRecords = 1", maximumRecords=100)
    assert count(everything) == 7 and len(cluster_ids(everything)) == 7
    first = sru(query="cql.allRecords = 1", maximumRecords=3)
    assert cluster_ids(first) == cluster_ids(everything)[:3]
    assert first.findtext("zs:nextRecordPosition", namespaces=NS) == "4"
    positions = first.xpath("//zs:recordPosition/text()", namespaces=NS)
    assert positions == ["1", "2", "3"]
    last = sru(query="cql.allRecords = 1", startRecord=7, maximumRecords=3)
    assert cluster_ids(last) == cluster_ids(everything)[6:]
    assert last.find("zs:nextRecordPosition", NS) is None
    only_count = sru(query="cql.allRecords = 1", maximumRecords=0)
    assert count(only_count) == 7 and only_count.find("zs:records", NS) is None
    default = sru(query="cql.allRecords = 1")
    assert len(cluster_ids(default)) == 7  # default maximumRecords is 10


def test_sort_by_date_both_ways_and_the_sort_keys_parameter(catalog: Catalog) -> None:
    newest = cluster_ids(sru(query="cql.allRecords = 1 sortBy dc.date/sort.descending"))
    oldest = cluster_ids(sru(query="cql.allRecords = 1 sortBy dc.date/sort.ascending"))
    assert newest[0] == catalog["c1"] and newest[-1] == catalog["a4"]
    assert oldest == newest[::-1]
    by_title = cluster_ids(sru(query="green sortBy dc.title"))
    assert by_title == [catalog["c2"], catalog["a2"]]  # "Green energy" < "Green libraries"
    params = {"version": "1.1", "query": "cql.allRecords = 1", "sortKeys": "dc.date,,0"}
    assert cluster_ids(sru(**params)) == newest


def test_dublin_core_records_validate(catalog: Catalog) -> None:
    root = sru(query=f'dc.title = "{THAI_TITLE}"', recordSchema="dc")
    dc = root.find(".//srw_dc:dc", NS)
    assert dc is not None
    assert_valid_dc(dc)
    assert dc.findtext("dc:title", namespaces=NS) == THAI_TITLE
    assert dc.findtext("dc:creator", namespaces=NS) == "สมชาย ใจดี"
    identifiers = dc.xpath("dc:identifier/text()", namespaces=NS)
    assert "URN:ISBN:9786167000015" in identifiers
    assert f"http://testserver/catalog/clusters/{catalog['a1']}/" in identifiers
    assert root.findtext(".//zs:recordSchema", namespaces=NS) == "info:srw/schema/1/dc-v1.1"


def test_string_packing_escapes_the_record(catalog: Catalog) -> None:
    root = sru(query=f'dc.title = "{THAI_DIGITAL}"', recordPacking="string")
    data = root.find(".//zs:recordData", NS)
    assert data is not None and len(data) == 0
    record = etree.fromstring((data.text or "").encode())
    assert etree.QName(record).namespace == NS["marc"]
    assert_valid(record, "marc/MARC21slim.xsd")


def test_sru_2_0_shape(catalog: Catalog) -> None:
    root = sru(version="2.0", query="dc.title = ห้องสมุด", maximumRecords=1, recordSchema="dc")
    assert etree.QName(root).localname == "searchRetrieveResponse"
    assert root.find("sru:version", NS) is None
    assert root.findtext("sru:numberOfRecords", namespaces=NS) == "2"
    assert root.findtext(".//sru:recordXMLEscaping", namespaces=NS) == "xml"
    assert root.findtext("sru:nextRecordPosition", namespaces=NS) == "2"
    precision = root.findtext("sru:resultCountPrecision", namespaces=NS)
    assert precision == "info:srw/vocabulary/resultCountPrecision/1/exact"
    explain = sru(version="2.0")  # no query, no scanClause: explain
    assert etree.QName(explain).localname == "explainResponse"


def test_post_carries_the_same_parameters(catalog: Catalog) -> None:
    root = sru(
        "post",
        operation="searchRetrieve",
        version="1.2",
        query="dc.title = green and dc.title = libraries",
    )
    assert cluster_ids(root) == [catalog["a2"]]


# --- scan ------------------------------------------------------------------------------------


def test_scan_titles_around_a_start_term(catalog: Catalog) -> None:
    root = sru(operation="scan", scanClause="dc.title = green", maximumTerms=3)
    values = root.xpath("//zs:term/zs:value/text()", namespaces=NS)
    assert values == ["Green energy", "Green libraries", "Library management"]
    before = sru(operation="scan", scanClause="dc.title = green", responsePosition=2)
    assert before.xpath("//zs:term/zs:value/text()", namespaces=NS)[:2] == [
        "Environmental management",
        "Green energy",
    ]
    thai = sru(operation="scan", scanClause="dc.title = ห้อง", maximumTerms=1)
    assert thai.xpath("//zs:term/zs:value/text()", namespaces=NS) == [THAI_DIGITAL]
    authors = sru(operation="scan", scanClause="dc.creator = s")
    assert authors.xpath("//zs:term/zs:value/text()", namespaces=NS)[0] == "Smith, John"
    v2 = sru(version="2.0", scanClause="dc.title = green", maximumTerms=1)
    assert v2.xpath("//scan2:term/scan2:value/text()", namespaces=NS) == ["Green energy"]
    assert diagnostics(sru(operation="scan", scanClause="bath.isbn = 1")) == [(16, "bath.isbn")]


# --- diagnostics -----------------------------------------------------------------------------

SEARCH = {"operation": "searchRetrieve", "query": "green"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"version": "3.0"}, (5, "2.0")),
        ({"operation": "update"}, (4, "update")),
        ({"operation": "searchRetrieve"}, (7, "query")),
        ({"operation": "scan"}, (7, "scanClause")),
        ({**SEARCH, "query": "green and ("}, (10, "green and (")),
        ({**SEARCH, "query": "(green"}, (13, "6")),
        ({**SEARCH, "query": 'dc.title = "green'}, (14, "11")),
        ({**SEARCH, "query": "marc.title = green"}, (15, "marc")),
        ({**SEARCH, "query": "dc.publisher = green"}, (16, "dc.publisher")),
        ({**SEARCH, "query": "dc.title < green"}, (19, "<")),
        ({**SEARCH, "query": "dc.title = gre*"}, (28, "gre*")),
        ({**SEARCH, "query": "a prox b"}, (39, "prox")),
        ({**SEARCH, "startRecord": "0"}, (6, "startRecord")),
        ({**SEARCH, "startRecord": "abc"}, (6, "startRecord")),
        ({**SEARCH, "maximumRecords": "-1"}, (6, "maximumRecords")),
        ({**SEARCH, "startRecord": "100"}, (61, "100")),
        ({**SEARCH, "recordSchema": "mods"}, (66, "mods")),
        ({**SEARCH, "recordPacking": "json"}, (71, "json")),
        ({**SEARCH, "recordXPath": "/record"}, (72, "")),
        ({**SEARCH, "stylesheet": "/s.xsl"}, (110, "")),
        ({**SEARCH, "foo": "bar"}, (8, "foo")),
        ({**SEARCH, "query": ["a", "b"]}, (6, "query")),
        ({**SEARCH, "query": "a " * 3000}, (12, "4096")),
        (
            {"operation": "scan", "scanClause": "dc.title = a", "responsePosition": "30"},
            (120, "30"),
        ),
        ({"version": "2.0", "query": "green", "queryType": "pqf"}, (6, "queryType")),
        ({"version": "2.0", "query": "green", "recordPacking": "unpacked"}, (71, "unpacked")),
        ({"version": "2.0", "query": "green", "recordXPath": "/"}, (8, "recordXPath")),
        ({"version": "2.0", "scanClause": "dc.title = "}, (10, "dc.title = ")),
    ],
)
def test_diagnostics_are_standard_and_schema_valid(
    catalog: Catalog, params: dict[str, Any], expected: tuple[int, str]
) -> None:
    root = sru(**params)
    assert diagnostics(root) == [expected]
    if etree.QName(root).localname == "searchRetrieveResponse":
        assert root.find(".//{*}records") is None


def test_first_record_out_of_range_still_reports_the_count(catalog: Catalog) -> None:
    root = sru(query="green", startRecord=3)
    assert count(root) == 2 and diagnostics(root) == [(61, "3")]
    assert diagnostics(sru(query="nothingmatchesthis", startRecord=1)) == []


def test_control_characters_in_terms_are_dropped(catalog: Catalog) -> None:
    """NUL cannot reach PostgreSQL (found by the fuzz test): ``gre\\0en`` searches ``green``."""
    assert cluster_ids(sru(query="dc.title = gre\x00en")) == cluster_ids(
        sru(query="dc.title = green")
    )
    assert diagnostics(sru(query="\x00")) == [(27, "")]


def test_extension_parameters_are_ignored(catalog: Catalog) -> None:
    root = sru(
        query="dc.title = green and dc.title = libraries", **{"x-debug": "1", "resultSetTTL": "60"}
    )
    assert diagnostics(root) == [] and count(root) == 1


def test_explain_with_a_diagnostic_keeps_its_record() -> None:
    for version in ("1.2", "2.0"):
        root = sru(version=version, operation="frobnicate")
        assert etree.QName(root).localname == "explainResponse"
        assert root.find(".//zr:explain", NS) is not None
        assert diagnostics(root) == [(4, "frobnicate")]


def test_other_methods_are_refused() -> None:
    assert Client().put("/sru").status_code == 405
