"""The digital collection as the SRU database ``/sru/repository``: Index Data's yaz-client (a
client we did not write) against a live server, and responses checked against the official
SRU 1.2 / 2.0, MARCXML and Dublin Core schemas through the test client.

Items are deposited through ``repository.services`` with real Thai PDFs (WeasyPrint, Sarabun)
whose text is extracted and indexed as the file task does: a word found only in an open
item's body text is found; the same kind of word in an embargoed item's body never is."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from libcoop.network.abilities import SYSTEM
from libcoop.repository import extract, search, services
from libcoop.repository.models import Item
from tests.factories import InstitutionFactory
from tests.interop.conftest_sru import NS, SRU12, SRU20, assert_valid, assert_valid_dc
from tests.interop.test_sru_yaz import hits, xml_lines, yaz

YAZ = shutil.which("yaz-client")
OPEN_WORD = "ผักกาดก้านขาว"
EMBARGO_WORD = "มะขามป้อมยักษ์"
METADATA = {
    "title": "การจัดการขยะในห้องสมุดสีเขียว จังหวัดเชียงราย",
    "title_alternative": "Waste management in green libraries of Chiang Rai",
    "type": "thesis",
    "creators": "สมชาย ใจดี; Doe, Jane",
    "degree": "master",
    "degree_grantor": "มหาวิทยาลัยแม่ฟ้าหลวง",
    "keywords_th": "ขยะ; ห้องสมุดสีเขียว",
    "keywords_en": "waste; green library",
    "language": "tha",
    "year": "2562",
}


@functools.cache
def thai_pdf(body: str) -> bytes:
    from libcoop.repository.demo_pdfs import text_pdf

    return text_pdf("รายงาน", ["หน้าแรก", f"บทที่ ๑ การศึกษาเรื่อง{body}ในอำเภอแม่จัน"], page_breaks=[1])


def _deposit(library: Any, body: str, changes: dict[str, str], **access: Any) -> Item:
    upload = services.Upload("fulltext.pdf", thai_pdf(body))
    item = services.create_item(
        library, {**METADATA, **changes}, [upload], acting_user=SYSTEM, **access
    )
    for file in item.files.all():
        extract.extract_file(file)
    item = services.publish_through(item, acting_user=SYSTEM)
    search.index_item(item.pk)
    return item


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "repository": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store")},
        },
    }


@pytest.fixture
def items(store: None, db: None) -> dict[str, Item]:
    mfu = InstitutionFactory(code="MFU-LIB")
    return {
        "open": _deposit(mfu, OPEN_WORD, {}),
        "embargo": _deposit(
            mfu,
            EMBARGO_WORD,
            {"title": "รายงานการวิจัยห้องสมุดชุมชน", "type": "research_report", "degree": ""},
            access="embargo",
            embargo_until="2099-01-01",
            access_after_embargo="open",
        ),
        "english": _deposit(
            mfu,
            "ข้าวโพด",
            {
                "title": "Library services for hill-tribe schools",
                "creators": "Brown, Alice",
                "language": "eng",
                "degree": "doctoral",
            },
        ),
    }


def sru(params: dict[str, str]) -> etree._Element:
    response = Client().get("/sru/repository", params)
    assert response.status_code == 200
    return etree.fromstring(response.content)


def record_ids(root: etree._Element) -> list[int]:
    return [
        int(r.findtext("marc:controlfield[@tag='001']", namespaces=NS).removeprefix("repository-"))
        for r in root.iterfind(".//marc:record", NS)
    ]


def test_search_retrieve_finds_open_text_never_embargoed_text(items: dict[str, Item]) -> None:
    base = {"version": "1.2", "operation": "searchRetrieve"}
    root = sru({**base, "query": OPEN_WORD})
    assert_valid(root, *SRU12)
    assert root.findtext("zs:numberOfRecords", namespaces=NS) == "1"
    assert record_ids(root) == [items["open"].pk]
    root = sru({**base, "query": EMBARGO_WORD})
    assert_valid(root, *SRU12)
    assert root.findtext("zs:numberOfRecords", namespaces=NS) == "0"
    # its metadata is found, and described without a file
    root = sru({**base, "query": 'dc.title="รายงานการวิจัยห้องสมุดชุมชน"'})
    assert record_ids(root) == [items["embargo"].pk]
    links = root.xpath(
        ".//marc:datafield[@tag='856']/marc:subfield[@code='u']/text()", namespaces=NS
    )
    assert links == [f"http://testserver/repository/{items['embargo'].pk}/"]
    assert root.xpath(
        ".//marc:datafield[@tag='506']/marc:subfield[@code='g']/text()", namespaces=NS
    ) == ["2099-01-01"]


def test_indexes_sort_and_diagnostics(items: dict[str, Item]) -> None:
    base = {"version": "2.0", "operation": "searchRetrieve"}
    root = sru({**base, "query": "cql.allRecords=1 sortBy dc.title/sort.ascending"})
    assert_valid(root, *SRU20)
    assert root.findtext("sru:numberOfRecords", namespaces=NS) == "3"
    assert record_ids(root)[0] == items["english"].pk  # "Library…" sorts before Thai titles
    root = sru({**base, "query": "dc.creator=Brown"})
    assert record_ids(root) == [items["english"].pk]
    root = sru({**base, "query": f"rec.identifier=repository-{items['open'].pk}"})
    assert record_ids(root) == [items["open"].pk]
    root = sru({**base, "query": "dc.subject=waste and dc.creator=สมชาย"})
    assert set(record_ids(root)) == {items["open"].pk, items["embargo"].pk}
    root = sru({**base, "query": "bath.isbn=9786160000012"})
    assert_valid(root, *SRU20)
    assert root.xpath(".//diag2:uri/text()", namespaces=NS) == ["info:srw/diagnostic/1/16"]
    root = sru({"version": "2.0", "operation": "scan", "scanClause": "dc.title=a"})
    assert root.xpath(".//diag2:uri/text()", namespaces=NS) == ["info:srw/diagnostic/1/4"]


def test_dublin_core_records(items: dict[str, Item]) -> None:
    root = sru(
        {"version": "1.2", "operation": "searchRetrieve", "query": OPEN_WORD, "recordSchema": "dc"}
    )
    assert_valid(root, "sru/1.1-zing/srw-types.xsd")
    (dc,) = root.iterfind(".//srw_dc:dc", NS)
    assert_valid_dc(dc)
    identifiers = dc.xpath("dc:identifier/text()", namespaces=NS)
    assert any("/files/" in i for i in identifiers)
    assert "info:eu-repo/semantics/masterThesis" in dc.xpath("dc:type/text()", namespaces=NS)
    explain = sru({"version": "1.2"})
    assert_valid(explain, *SRU12)
    titles = explain.xpath(".//zr:databaseInfo/zr:title/text()", namespaces=NS)
    assert "LibCoop digital collection" in titles
    names = set(explain.xpath("//zr:index/zr:map/zr:name/text()", namespaces=NS))
    assert {"title", "creator", "subject", "identifier"} <= names and "isbn" not in names


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    YAZ is None, reason="yaz-client not found: install the Debian package 'yaz' (CI does)"
)
def test_yaz_client_searches_the_collection(live_server: Any, items: dict[str, Item]) -> None:
    explain, found, shown, embargoed, bad, scan = yaz(
        f"{live_server.url}/sru/repository",
        "sru get 1.2",
        "explain",
        f"find {OPEN_WORD}",
        "show 1",
        f"find {EMBARGO_WORD}",
        "find bath.isbn=9786160000012",
        "scan dc.title=a",
    )[1:]
    (record,) = xml_lines(explain, "<zr:explain")
    assert "LibCoop digital collection" in record.xpath(
        ".//zr:databaseInfo/zr:title/text()", namespaces=NS
    )
    assert hits(found) == 1
    (marc,) = xml_lines(shown, "<marc:record")
    assert marc.findtext("marc:controlfield[@tag='001']", namespaces=NS) == (
        f"repository-{items['open'].pk}"
    )
    assert "schema=info:srw/schema/1/marcxml-v1.1" in shown
    assert hits(embargoed) == 0
    assert "SRW diagnostic info:srw/diagnostic/1/16" in bad
    assert "info:srw/diagnostic/1/4" in scan


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    YAZ is None, reason="yaz-client not found: install the Debian package 'yaz' (CI does)"
)
def test_yaz_client_over_sru_2_0_with_dublin_core(live_server: Any, items: dict[str, Item]) -> None:
    found, shown = yaz(
        f"{live_server.url}/sru/repository",
        "sru get 2.0",
        "schema dc",
        "find dc.title=ห้องสมุด and dc.creator=สมชาย",
        "show 1+2",
    )[2:]
    assert hits(found) == 2
    records = xml_lines(shown, "<srw_dc:dc")
    assert len(records) == 2
    for dc in records:
        assert_valid_dc(dc)
    titles = {dc.findtext("dc:title", namespaces=NS) for dc in records}
    assert titles == {METADATA["title"], "รายงานการวิจัยห้องสมุดชุมชน"}
