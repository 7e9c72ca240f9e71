"""Fixtures for the OAI-PMH tests: the official schemas (offline, through the OASIS XML
catalog in ``shared/schemas``), catalogs loaded through the real ingest, request helpers."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pymarc
import pytest
from django.test import Client
from lxml import etree

from libcoop.catalog.demo.generate import generate_demo_catalog
from libcoop.catalog.export import record_from_json
from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import BibRecord, Cluster
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution
from tests.catalog.marcdata import book, write
from tests.factories import InstitutionFactory, MembershipFactory, NetworkFactory

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas"
CATALOG = SCHEMAS / "catalog.xml"
if CATALOG.exists() and str(CATALOG) not in os.environ.get("XML_CATALOG_FILES", ""):
    # libxml2 reads this on first use of a catalog: the schemas' imports resolve offline.
    os.environ["XML_CATALOG_FILES"] = " ".join(
        p for p in (str(CATALOG), os.environ.get("XML_CATALOG_FILES", "")) if p
    )

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "oai": OAI,
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "marc": "http://www.loc.gov/MARC21/slim",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
_IMPORTS = {
    OAI: "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
    NS["oai_dc"]: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    NS["marc"]: "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
    NS["id"]: "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
}
REPO = "libcoop.example.org"

Params = Mapping[str, str | Sequence[str]]


def _schema(*namespaces: str) -> etree.XMLSchema:
    """The official schemas of *namespaces*, by their published URLs (mapped by the catalog).

    OAI-PMH.xsd validates metadata and descriptions strictly (``processContents="strict"``),
    so a whole response is checked against a bundle of all four schemas."""
    if not CATALOG.exists():
        pytest.skip(f"official schemas not found at {SCHEMAS} (the shared/schemas folder)")
    xs = "http://www.w3.org/2001/XMLSchema"
    bundle = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
    for ns in namespaces:
        etree.SubElement(bundle, f"{{{xs}}}import", namespace=ns, schemaLocation=_IMPORTS[ns])
    return etree.XMLSchema(bundle)


@pytest.fixture(scope="session")
def oai_schema() -> etree.XMLSchema:
    return _schema(*_IMPORTS)


@pytest.fixture(scope="session")
def dc_schema() -> etree.XMLSchema:
    return _schema(NS["oai_dc"])


@pytest.fixture(scope="session")
def marc_schema() -> etree.XMLSchema:
    return _schema(NS["marc"])


def assert_valid(schema: etree.XMLSchema, doc: etree._Element) -> None:
    assert schema.validate(doc), "\n".join(str(e) for e in schema.error_log)


OaiCall = Callable[..., etree._Element]


@pytest.fixture
def oai(client: Client, oai_schema: etree.XMLSchema) -> OaiCall:
    """``oai({"verb": ...}, method="get")``: the parsed response, checked to be HTTP 200,
    XML and valid against the official schemas."""

    def call(params: Params, method: str = "get") -> etree._Element:
        if method == "post":
            body = urlencode(params, doseq=True)
            response = client.post("/oai", body, content_type="application/x-www-form-urlencoded")
        else:
            response = client.get("/oai", params)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        root = etree.fromstring(response.content)
        assert_valid(oai_schema, root)
        return root

    return call


def error_codes(root: etree._Element) -> list[str]:
    return [e.get("code") for e in root.iterfind("oai:error", NS)]


def identifiers(root: etree._Element) -> list[str]:
    return [e.text or "" for e in root.iterfind(".//oai:header/oai:identifier", NS)]


def token_of(root: etree._Element) -> etree._Element | None:
    return root.find(".//oai:resumptionToken", NS)


def harvest(oai: OaiCall, params: Params, method: str = "get") -> list[etree._Element]:
    """Every response of a list request, following resumption tokens to the end."""
    pages = [oai(params, method)]
    while (tok := token_of(pages[-1])) is not None and tok.text:
        pages.append(oai({"verb": params["verb"], "resumptionToken": tok.text}, method))
    return pages


def oai_id(cluster_id: int) -> str:
    return f"oai:{REPO}:cluster/{cluster_id}"


def import_records(library: Institution, path: Path, *records: pymarc.Record) -> None:
    import_file(write(path, *records), library, acting_user=SYSTEM)


def change_record(record: BibRecord, path: Path, note: str) -> None:
    """Re-import *record* with a 500 note added: a changed record, same cluster."""
    marc = record_from_json(record.marc)
    marc.add_ordered_field(
        pymarc.Field(
            tag="500",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", note)],
        )
    )
    import_records(record.library, path, marc)


def cluster_of(library: str, local_id: str) -> int:
    cluster_id = BibRecord.objects.get(library__code=library, local_id=local_id).cluster_id
    assert cluster_id is not None
    return cluster_id


@pytest.fixture
def libraries(db: None) -> dict[str, Institution]:
    return {code: InstitutionFactory(code=code) for code in ("AAA-LIB", "BBB-LIB", "CCC-LIB")}


@pytest.fixture
def small_catalog(libraries: dict[str, Institution], tmp_path: Path) -> dict[str, int]:
    """Five clusters: a1+b1 (shared ISBN), a2, a3, b2, c1; network PULINET with AAA-LIB a
    current member and CCC-LIB a former one. Returns ``{local id: cluster id}``."""
    aaa, bbb, ccc = libraries["AAA-LIB"], libraries["BBB-LIB"], libraries["CCC-LIB"]
    import_records(
        aaa,
        tmp_path / "aaa.mrc",
        book("a1", "Green libraries", isbn="9786160000014", call_number="Z675 .G7"),
        book("a2", "Thai palm-leaf manuscripts", author="Somchai, K.", year=2015),
        book("a3", "Solar energy handbook", author="Wong, P.", year=2020, lang="tha"),
    )
    import_records(
        bbb,
        tmp_path / "bbb.mrc",
        book("b1", "Green libraries", isbn="9786160000014"),
        book("b2", "Rice farming in Isan", author="Boonmee, S.", year=2018),
    )
    import_records(ccc, tmp_path / "ccc.mrc", book("c1", "Water management", year=2017))
    pulinet = NetworkFactory(code="PULINET")
    MembershipFactory(institution=aaa, network=pulinet, start=dt.date(2010, 1, 1))
    MembershipFactory(
        institution=ccc, network=pulinet, start=dt.date(2001, 1, 1), end=dt.date(2015, 12, 31)
    )
    ids = {lid: cluster_of(code, lid) for code, lid in _LOCAL_IDS}
    assert ids["a1"] == ids["b1"] and len(set(ids.values())) == 5
    return ids


_LOCAL_IDS = [
    ("AAA-LIB", "a1"),
    ("AAA-LIB", "a2"),
    ("AAA-LIB", "a3"),
    ("BBB-LIB", "b1"),
    ("BBB-LIB", "b2"),
    ("CCC-LIB", "c1"),
]


def load_demo(tmp_path: Path, works: int = 150) -> dict[str, Institution]:
    """The demo union catalog (8 libraries) loaded through the real ingest."""
    files = generate_demo_catalog(tmp_path / "demo", works=works)
    libraries = {code: InstitutionFactory(code=code) for code in files}
    for code, path in files.items():
        import_file(path, libraries[code], acting_user=SYSTEM)
    return libraries


def spread_datestamps(start: dt.datetime, step: dt.timedelta) -> dict[int, dt.datetime]:
    """Give the clusters distinct, known datestamps (in id order) for from/until tests."""
    out = {}
    for n, pk in enumerate(Cluster.objects.order_by("id").values_list("id", flat=True)):
        out[pk] = start + n * step
        Cluster.objects.filter(pk=pk).update(updated=out[pk])
    return out


def small_pages(monkeypatch: pytest.MonkeyPatch, records: int, identifiers: int) -> None:
    from libcoop.interop.oai import provider

    monkeypatch.setattr(provider, "RECORDS_PER_PAGE", records)
    monkeypatch.setattr(provider, "IDENTIFIERS_PER_PAGE", identifiers)


def text_of(root: etree._Element, path: str) -> list[str]:
    return [e.text or "" for e in root.iterfind(path, NS)]


def first(root: etree._Element, path: str) -> Any:
    found = root.find(path, NS)
    assert found is not None, path
    return found
