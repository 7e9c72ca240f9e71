"""Helpers shared by the SRU tests (a plain module: the test files import what they need).

* :func:`load_catalog` loads a small catalog through the real ingest (``import_file``) with
  MARC files built by ``tests/catalog/marcdata.py``: Thai and English titles, two clusters
  held by two libraries, an ISSN serial (seven clusters in all).
* :func:`schema` compiles the official schemas from ``shared/schemas`` offline: an lxml
  resolver maps the published URLs they import to the local copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
from lxml import etree

from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import BibRecord
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution
from tests.catalog.marcdata import book, write
from tests.factories import InstitutionFactory

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas"
THAI_TITLE = "การจัดการสิ่งแวดล้อมในห้องสมุดมหาวิทยาลัย"
THAI_DIGITAL = "ห้องสมุดดิจิทัลสำหรับโรงเรียน"
GREEN_ISBN = "978-0-306-40615-7"
THAI_ISBN = "9786167000015"
SERIAL_ISSN = "0317-8471"

NS = {
    "zs": "http://www.loc.gov/zing/srw/",
    "diag": "http://www.loc.gov/zing/srw/diagnostic/",
    "sru": "http://docs.oasis-open.org/ns/search-ws/sruResponse",
    "scan2": "http://docs.oasis-open.org/ns/search-ws/scan",
    "diag2": "http://docs.oasis-open.org/ns/search-ws/diagnostic",
    "marc": "http://www.loc.gov/MARC21/slim",
    "srw_dc": "info:srw/schema/1/dc-schema",
    "dc": "http://purl.org/dc/elements/1.1/",
    "zr": "http://explain.z3950.org/dtd/2.0/",
}


@dataclass(frozen=True)
class Catalog:
    """Cluster ids of the loaded records, by the local id of one member."""

    ids: dict[str, int]

    def __getitem__(self, local_id: str) -> int:
        return self.ids[local_id]


def load_catalog(tmp_path: Path) -> Catalog:
    libraries: dict[str, Institution] = {
        code: cast(Institution, InstitutionFactory(code=code))
        for code in ("AAA-LIB", "BBB-LIB", "CCC-LIB")
    }
    files: dict[str, list[Any]] = {
        "AAA-LIB": [
            book("a1", THAI_TITLE, author="สมชาย ใจดี", isbn=THAI_ISBN, year=2019, lang="tha"),
            book("a2", "Green libraries", isbn=GREEN_ISBN, year=2018, call_number="Z675 .G7"),
            book("a3", "Library management", author="Brown, Alice.", year=2015, pages=120),
            book("a4", "Serials today", author=None, issn=SERIAL_ISSN, year=2001, leader_type="as"),
        ],
        "BBB-LIB": [
            book("b1", THAI_TITLE, author="สมชาย ใจดี", isbn=THAI_ISBN, year=2019, lang="tha"),
            book("b2", "Green libraries", isbn=GREEN_ISBN, year=2018, call_number="Z675 G7"),
            book("b3", THAI_DIGITAL, author="วิไล รักเรียน", year=2017, lang="tha", pages=90),
        ],
        "CCC-LIB": [
            book("c1", "Environmental management", author="Jones, Mary.", year=2021, pages=300),
            book("c2", "Green energy", author="Lee, Ann.", year=2010, pages=200),
        ],
    }
    for code, records in files.items():
        import_file(write(tmp_path / f"{code}.mrc", *records), libraries[code], acting_user=SYSTEM)
    ids = dict(BibRecord.objects.values_list("local_id", "cluster_id"))
    assert ids["a1"] == ids["b1"] and ids["a2"] == ids["b2"], "the shared editions cluster"
    return Catalog({k: int(v) for k, v in ids.items()})


class _LocalSchemas(etree.Resolver):
    """Published schema URLs -> the copies in shared/schemas (no network in tests)."""

    MAP = {
        "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "oai-pmh/simpledc20021212.xsd",
        "http://www.w3.org/2001/03/xml.xsd": "oai-pmh/xml.xsd",
        "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd": "marc/MARC21slim.xsd",
    }

    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        local = self.MAP.get(url or "")
        return self.resolve_filename(str(SCHEMAS / local), context) if local else None


@cache
def _compiled(*paths: str) -> etree.XMLSchema:
    xs = "http://www.w3.org/2001/XMLSchema"
    bundle = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
    for path in paths:
        target = etree.parse(str(SCHEMAS / path)).getroot().get("targetNamespace")
        etree.SubElement(
            bundle, f"{{{xs}}}import", namespace=target or "", schemaLocation=str(SCHEMAS / path)
        )
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.fromstring(etree.tostring(bundle), parser))


def schema(*paths: str) -> etree.XMLSchema:
    """The official schemas at ``paths`` (relative to shared/schemas) as one schema set."""
    missing = [p for p in paths if not (SCHEMAS / p).exists()]
    if missing:
        pytest.skip(f"official schemas not found in {SCHEMAS}: {', '.join(missing)}")
    return _compiled(*paths)


SRU12 = ("sru/1.1-zing/srw-types.xsd", "marc/MARC21slim.xsd")
SRU20 = ("sru/2.0-oasis/sru2-local.xsd", "marc/MARC21slim.xsd")
OAI_DC = ("oai-pmh/oai_dc.xsd",)


def assert_valid(doc: etree._Element, *paths: str) -> None:
    xsd = schema(*paths)
    assert xsd.validate(doc), "\n".join(str(e) for e in xsd.error_log)


def assert_valid_dc(srw_dc: etree._Element) -> None:
    """SRU's ``srw_dc:dc`` has oai_dc's content model (DCMI simple elements, any order, in
    ``http://purl.org/dc/elements/1.1/``); its container schema is not in shared/schemas, so
    the same element is checked under the oai_dc container name with the official
    oai_dc.xsd + simpledc20021212.xsd, which validate every DC element strictly."""
    copy = etree.fromstring(etree.tostring(srw_dc))
    copy.tag = "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
    assert_valid(copy, *OAI_DC)
