"""The two metadata formats without a database: MARC → Dublin Core (LoC crosswalk) and
MARCXML that validates even when the stored MARC is odd; resumption tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from lxml import etree
from pymarc import Field, Indicators, Leader, Record, Subfield

from libcoop.interop.oai import tokens
from libcoop.interop.oai.dc import dublin_core
from libcoop.interop.oai.xml import marcxml, oai_dc
from tests.interop.conftest import NS, assert_valid, text_of

URL = "https://libcoop.example.org/catalog/clusters/7/"


def _field(tag: str, ind: str, *subfields: tuple[str, str]) -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(ind[0], ind[1]),
        subfields=[Subfield(c, v) for c, v in subfields],
    )


def rich_record() -> Record:
    r = Record(force_utf8=True)
    r.leader = Leader("01234nam a2200301 i 4500")
    r.add_field(Field(tag="001", data="b123"))
    r.add_field(Field(tag="008", data="190101s2562    th a          000 0 tha d"))
    r.add_field(_field("020", "  ", ("a", "9786161234567 (pbk.)")))
    r.add_field(_field("022", "  ", ("a", "1234-5679")))
    r.add_field(_field("041", "0 ", ("a", "thaeng")))
    r.add_field(_field("050", " 4", ("a", "Z675.G7")))
    r.add_field(_field("100", "0 ", ("a", "นำชัย อินทรวงศ์,"), ("e", "ผู้แต่ง.")))
    r.add_field(_field("245", "10", ("a", "ห้องสมุดสีเขียว :"), ("b", "แนวปฏิบัติ /"), ("c", "x")))
    r.add_field(_field("246", "31", ("a", "Green library")))
    r.add_field(_field("264", " 1", ("a", "กรุงเทพฯ :"), ("b", "สำนักพิมพ์จุฬา,"), ("c", "[2562]")))
    r.add_field(_field("264", " 4", ("c", "©2561")))
    r.add_field(_field("300", "  ", ("a", "215 หน้า :"), ("b", "ภาพประกอบ ;"), ("c", "21 ซม.")))
    r.add_field(_field("490", "1 ", ("a", "ชุดห้องสมุด")))
    r.add_field(_field("504", "  ", ("a", "บรรณานุกรม.")))
    r.add_field(_field("506", "  ", ("a", "Open access.")))
    r.add_field(_field("520", "  ", ("a", "A guide to green libraries.")))
    r.add_field(_field("546", "  ", ("a", "In Thai.")))
    r.add_field(
        _field("650", " 0", ("a", "Libraries"), ("x", "Environmental aspects"), ("z", "Thailand."))
    )
    r.add_field(_field("651", " 0", ("a", "Chiang Rai (Thailand)"), ("x", "History.")))
    r.add_field(_field("655", " 7", ("a", "Handbooks."), ("2", "lcgft")))
    r.add_field(_field("700", "1 ", ("a", "Smith, John,"), ("d", "1970-"), ("e", "editor.")))
    r.add_field(_field("710", "2 ", ("a", "Chulalongkorn University."), ("b", "Library.")))
    r.add_field(_field("720", "  ", ("a", "Doe, Jane"), ("e", "illustrator")))
    r.add_field(_field("776", "08", ("t", "Green libraries (online)"), ("o", "ebook-1")))
    r.add_field(_field("856", "40", ("u", "https://example.org/g"), ("q", "application/pdf")))
    return r


def test_dublin_core_follows_the_loc_crosswalk() -> None:
    pairs = dublin_core(rich_record(), URL)
    dc: dict[str, list[str]] = {}
    for name, value in pairs:
        dc.setdefault(name, []).append(value)
    assert dc["title"] == ["ห้องสมุดสีเขียว : แนวปฏิบัติ", "Green library"]
    assert dc["creator"] == [
        "นำชัย อินทรวงศ์",
        "Smith, John, 1970-",
        "Chulalongkorn University. Library",
    ]
    assert dc["contributor"] == ["Doe, Jane"]
    assert dc["subject"] == ["Libraries -- Environmental aspects -- Thailand", "Z675.G7"]
    assert dc["coverage"] == ["Chiang Rai (Thailand) -- History"]
    assert dc["description"] == ["บรรณานุกรม", "A guide to green libraries"]
    assert dc["publisher"] == ["สำนักพิมพ์จุฬา"]
    assert dc["date"] == ["2562"]
    assert dc["type"] == ["Text", "Handbooks"]
    assert dc["format"] == ["215 หน้า : ภาพประกอบ ; 21 ซม", "application/pdf"]
    assert dc["identifier"] == [
        "urn:isbn:9786161234567",
        "urn:issn:1234-5679",
        "https://example.org/g",
        URL,
    ]
    assert dc["language"] == ["tha", "eng"]
    assert dc["relation"] == ["Green libraries (online) ebook-1"]
    assert dc["rights"] == ["Open access"]
    assert [n for n, _v in pairs] == sorted(
        (n for n, _v in pairs), key=lambda n: list(dict.fromkeys(n for n, _ in pairs)).index(n)
    )


def test_dublin_core_falls_back_to_008_for_the_date_and_copes_with_little() -> None:
    r = Record(force_utf8=True)
    r.leader = Leader("00000cem a2200000   4500")
    r.add_field(Field(tag="008", data="190101s1998    th a          000 0 und d"))
    r.add_field(_field("260", "  ", ("a", "Bangkok"), ("b", "Map House,")))
    pairs = dublin_core(r, URL)
    assert ("date", "1998") in pairs
    assert ("type", "Image") in pairs
    assert ("publisher", "Map House") in pairs
    assert ("language", "und") in pairs
    assert dublin_core(Record(), URL) == [("identifier", URL)]


def test_oai_dc_and_marcxml_validate(
    dc_schema: etree.XMLSchema, marc_schema: etree.XMLSchema
) -> None:
    record = rich_record()
    dc = oai_dc(record, URL)
    assert_valid(dc_schema, dc)
    assert text_of(dc, "dc:title")[0] == "ห้องสมุดสีเขียว : แนวปฏิบัติ"
    marc = marcxml(record)
    assert_valid(marc_schema, marc)
    assert text_of(marc, "marc:datafield[@tag='245']/marc:subfield[@code='b']") == ["แนวปฏิบัติ /"]


def test_marcxml_mends_what_the_schema_would_reject(marc_schema: etree.XMLSchema) -> None:
    r = Record(force_utf8=True)
    r.leader = Leader(("bad leader, " * 2)[:24])
    r.add_field(_field("245", "x?", ("a", "Title\x01 with a control character\ufffe")))
    r.add_field(Field(tag="005", data="20240101"))  # a control field after a data field
    r.add_field(_field("500", "  "))  # no subfields
    r.add_field(_field("5Xa", "  ", ("a", "bad tag")))
    r.add_field(_field("650", "  ", ("é", "bad code"), ("a", "Good.")))
    marc = marcxml(r)
    assert_valid(marc_schema, marc)
    assert [e.get("tag") for e in marc if e.get("tag")] == ["005", "245", "650"]
    assert text_of(marc, "marc:datafield[@tag='245']/marc:subfield") == [
        "Title with a control character"
    ]
    dc = oai_dc(r, URL)
    assert dc.find("dc:title", NS) is not None


def _position(cursor: int = 10) -> tokens.Position:
    now = dt.datetime(2024, 5, 1, 3, 4, 5, 678901, tzinfo=dt.UTC)
    harvest = tokens.Harvest("ListRecords", "oai_dc", "library:MFU-LIB", None, now, now)
    return tokens.Position(harvest, now - dt.timedelta(microseconds=1), 42, cursor)


def test_tokens_round_trip_to_the_microsecond() -> None:
    position = _position()
    token = tokens.encode(position)
    assert len(token) < 200
    assert tokens.decode(token, "ListRecords") == position
    with pytest.raises(tokens.BadToken):
        tokens.decode(token, "ListIdentifiers")


def test_tokens_are_signed() -> None:
    payload = [1, "ListRecords", "oai_dc", None, 0, 10**15, 10**15, 0, 0, 5]
    forged = signing.dumps(payload, salt="another salt", compress=True)
    with pytest.raises(tokens.BadToken):
        tokens.decode(forged, "ListRecords")
    old = signing.dumps(payload[:-1], salt=tokens.SALT, compress=True)
    with pytest.raises(tokens.BadToken):
        tokens.decode(old, "ListRecords")
