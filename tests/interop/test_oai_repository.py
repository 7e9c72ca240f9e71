"""The digital collection in the OAI-PMH provider: sets per library and type, ``oai_dc`` and
``marc21`` records valid against the official schemas (every response through the ``oai``
fixture is validated against OAI-PMH.xsd with oai_dc.xsd, simpledc and MARC21slim.xsd),
metadata only for restricted and embargoed items, withdrawn items as deletions, keyset pages
across the catalog's and the collection's lists, and Sickle against a live server.

Items are deposited, published, restricted and withdrawn through ``repository.services``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from libcoop.catalog.models import Cluster
from libcoop.network.abilities import SYSTEM
from libcoop.repository import services
from libcoop.repository.models import Item
from tests.catalog.marcdata import book
from tests.factories import InstitutionFactory
from tests.interop.conftest import (
    NS,
    REPO,
    OaiCall,
    error_codes,
    harvest,
    identifiers,
    import_records,
    oai_id,
    small_pages,
    text_of,
)
from tests.repository.deposit_world import pdf_bytes

sickle = pytest.importorskip("sickle", reason="sickle (a dev dependency) is not installed")

THESIS = {
    "title": "การจัดการขยะในห้องสมุดสีเขียว จังหวัดเชียงราย",
    "title_alternative": "Waste management in green libraries of Chiang Rai",
    "type": "thesis",
    "creators": "สมชาย ใจดี; Doe, Jane",
    "advisors": "สมหญิง รักษ์โลก",
    "degree": "master",
    "degree_grantor": "มหาวิทยาลัยแม่ฟ้าหลวง",
    "discipline": "สารสนเทศศาสตร์",
    "abstract_th": "งานวิจัยนี้ศึกษาการคัดแยกขยะ",
    "abstract_en": "This study examines waste sorting.",
    "keywords_th": "ขยะ; ห้องสมุดสีเขียว",
    "keywords_en": "waste; green library",
    "language": "tha",
    "year": "2562",
    "licence": "CC-BY-4.0",
}


def rid(pk: int) -> str:
    return f"oai:{REPO}:repository/{pk}"


def _deposit(library: Any, changes: dict[str, str], *, publish: bool = True, **access: Any) -> Item:
    upload = services.Upload("fulltext.pdf", pdf_bytes(changes.get("title", "x")))
    item = services.create_item(
        library, {**THESIS, **changes}, [upload], acting_user=SYSTEM, **access
    )
    return services.publish_through(item, acting_user=SYSTEM) if publish else item


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
def collection(store: None, db: None) -> dict[str, Item]:
    """MFU-LIB: an open thesis, a network-only article, a draft; CRRU-LIB: a research report
    embargoed until 2099, a withdrawn local-information item."""
    mfu = InstitutionFactory(code="MFU-LIB", name_en="Mae Fah Luang University Library")
    crru = InstitutionFactory(code="CRRU-LIB", name_en="Chiang Rai Rajabhat University Library")
    items = {
        "open": _deposit(mfu, {}),
        "network": _deposit(
            mfu,
            {"title": "Reading habits of students", "type": "article", "degree": ""},
            access="network",
        ),
        "draft": _deposit(mfu, {"title": "A draft"}, publish=False),
        "embargo": _deposit(
            crru,
            {"title": "รายงานการวิจัยน้ำท่วม", "type": "research_report", "degree": ""},
            access="embargo",
            embargo_until=dt.date(2099, 1, 1),
            access_after_embargo="open",
        ),
        "withdrawn": _deposit(
            crru, {"title": "ประเพณีตานก๋วยสลาก", "type": "local_information", "degree": ""}
        ),
    }
    items["withdrawn"] = services.withdraw(
        items["withdrawn"], "Deposited twice", acting_user=SYSTEM
    )
    return {k: Item.objects.get(pk=v.pk) for k, v in items.items()}


def records_by_id(pages: list[Any]) -> dict[str, Any]:
    return {
        r.findtext("oai:header/oai:identifier", namespaces=NS): r
        for page in pages
        for r in page.iterfind(".//oai:record", NS)
    }


def test_sets_of_the_collection(oai: OaiCall, collection: dict[str, Item]) -> None:
    specs = text_of(oai({"verb": "ListSets"}), ".//oai:set/oai:setSpec")
    assert specs[:3] == ["repository", "repository:lib", "repository:lib:CRRU-LIB"]
    for spec in (
        "repository:lib:MFU-LIB",
        "repository:type",
        "repository:type:thesis",
        "repository:type:article",
        "repository:type:research_report",
        "repository:type:local_information",
    ):
        assert spec in specs
    assert "repository:type:archival_document" not in specs  # no such item


def test_oai_dc_records_with_metadata_only_for_restricted_and_embargoed(
    oai: OaiCall, collection: dict[str, Item]
) -> None:
    pages = harvest(oai, {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "repository"})
    found = records_by_id(pages)
    assert set(found) == {
        rid(collection[k].pk) for k in ("open", "network", "embargo", "withdrawn")
    }  # never the draft
    open_ = found[rid(collection["open"].pk)]
    dc = "oai:metadata/oai_dc:dc/dc:"
    assert text_of(open_, dc + "title") == [THESIS["title"], THESIS["title_alternative"]]
    assert text_of(open_, dc + "creator") == ["สมชาย ใจดี", "Doe, Jane"]
    assert "สมหญิง รักษ์โลก" in text_of(open_, dc + "contributor")
    assert text_of(open_, dc + "date") == ["2019"]  # B.E. 2562 given, C.E. disseminated
    assert "info:eu-repo/semantics/masterThesis" in text_of(open_, dc + "type")
    assert "info:eu-repo/semantics/openAccess" in text_of(open_, dc + "rights")
    idents = text_of(open_, dc + "identifier")
    file_pk = collection["open"].files.get().pk
    assert f"http://testserver/repository/{collection['open'].pk}/" in idents
    assert f"http://testserver/repository/{collection['open'].pk}/files/{file_pk}/" in idents
    assert text_of(open_, dc + "format") == ["application/pdf"]
    for key, right in (("network", "restrictedAccess"), ("embargo", "embargoedAccess")):
        record = found[rid(collection[key].pk)]
        idents = text_of(record, dc + "identifier")
        assert idents == [f"http://testserver/repository/{collection[key].pk}/"], key
        assert not text_of(record, dc + "format")
        assert f"info:eu-repo/semantics/{right}" in text_of(record, dc + "rights")
    assert "info:eu-repo/date/embargoEnd/2099-01-01" in text_of(
        found[rid(collection["embargo"].pk)], dc + "date"
    )
    gone = found[rid(collection["withdrawn"].pk)]
    assert gone.find("oai:header", NS).get("status") == "deleted"
    assert gone.find("oai:metadata", NS) is None


def test_marc21_records(oai: OaiCall, collection: dict[str, Item]) -> None:
    open_pk, embargo_pk = collection["open"].pk, collection["embargo"].pk
    root = oai({"verb": "GetRecord", "identifier": rid(open_pk), "metadataPrefix": "marc21"})
    marc = root.find(".//marc:record", NS)
    assert marc.findtext("marc:controlfield[@tag='001']", namespaces=NS) == f"repository-{open_pk}"
    assert marc.findtext("marc:controlfield[@tag='008']", namespaces=NS)[35:38] == "tha"

    def sub(tag: str, code: str, ind2: str | None = None) -> list[str]:
        path = f"marc:datafield[@tag='{tag}']" + (f"[@ind2='{ind2}']" if ind2 else "")
        return [
            s.text or ""
            for f in marc.iterfind(path, NS)
            for s in f.iterfind(f"marc:subfield[@code='{code}']", NS)
        ]

    assert sub("245", "a") == [THESIS["title"]]
    assert sub("100", "a") == ["สมชาย ใจดี"]
    assert marc.find("marc:datafield[@tag='100']", NS).get("ind1") == "0"  # Thai: direct order
    assert sub("502", "c") == ["มหาวิทยาลัยแม่ฟ้าหลวง"] and sub("502", "d") == ["2019"]
    assert sub("700", "4") == ["ths"] and sub("700", "a")[-1] == "สมหญิง รักษ์โลก"
    assert sub("506", "a") == ["Open access"]
    assert len(sub("856", "u", "0")) == 1 and sub("856", "q", "0") == ["application/pdf"]
    root = oai({"verb": "GetRecord", "identifier": rid(embargo_pk), "metadataPrefix": "marc21"})
    marc = root.find(".//marc:record", NS)
    assert sub("506", "g") == ["2099-01-01"]
    assert sub("856", "u", "0") == []  # no file while embargoed
    assert sub("856", "u", "2") == [f"http://testserver/repository/{embargo_pk}/"]


def test_get_record_errors_and_formats(oai: OaiCall, collection: dict[str, Item]) -> None:
    draft = rid(collection["draft"].pk)
    withdrawn = rid(collection["withdrawn"].pk)
    args = {"verb": "GetRecord", "metadataPrefix": "oai_dc"}
    assert error_codes(oai({**args, "identifier": draft})) == ["idDoesNotExist"]
    assert error_codes(oai({**args, "identifier": rid(999999)})) == ["idDoesNotExist"]
    assert error_codes(oai({**args, "identifier": f"oai:{REPO}:repository/x"})) == [
        "idDoesNotExist"
    ]
    deleted = oai({**args, "identifier": withdrawn})
    assert deleted.find(".//oai:header", NS).get("status") == "deleted"
    formats = {"verb": "ListMetadataFormats"}
    assert error_codes(oai({**formats, "identifier": withdrawn})) == ["noMetadataFormats"]
    listed = oai({**formats, "identifier": rid(collection["open"].pk)})
    assert text_of(listed, ".//oai:metadataPrefix") == ["oai_dc", "marc21"]


def test_selective_harvest_by_library_type_and_dates(
    oai: OaiCall, collection: dict[str, Item]
) -> None:
    def listed(**params: str) -> set[str]:
        root = oai({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", **params})
        return set(identifiers(root)) if not error_codes(root) else set()

    mfu = {rid(collection[k].pk) for k in ("open", "network")}
    assert listed(set="repository:lib:MFU-LIB") == mfu
    assert listed(set="repository:type:thesis") == {rid(collection["open"].pk)}
    assert listed(set="repository:type:local_information") == {rid(collection["withdrawn"].pk)}
    assert listed(set="repository:lib:NOPE") == set()
    assert listed(set="repository:type:poem") == set()
    root = oai({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "repository"})
    specs = {
        h.findtext("oai:identifier", namespaces=NS): set(text_of(h, "oai:setSpec"))
        for h in root.iterfind(".//oai:header", NS)
    }
    assert specs[rid(collection["open"].pk)] == {
        "repository",
        "repository:lib",
        "repository:lib:MFU-LIB",
        "repository:type",
        "repository:type:thesis",
    }
    # a deletion keeps its sets, so set-based harvesters learn of it too
    assert "repository:lib:CRRU-LIB" in specs[rid(collection["withdrawn"].pk)]
    # datestamps are Item.updated
    Item.objects.filter(pk=collection["open"].pk).update(
        updated=dt.datetime(2020, 5, 1, 12, tzinfo=dt.UTC)
    )
    assert listed(set="repository", until="2020-05-02T00:00:00Z") == {rid(collection["open"].pk)}
    assert rid(collection["open"].pk) not in listed(set="repository", **{"from": "2021-01-01"})
    stamp = oai(
        {"verb": "GetRecord", "identifier": rid(collection["open"].pk), "metadataPrefix": "oai_dc"}
    ).findtext(".//oai:header/oai:datestamp", namespaces=NS)
    assert stamp == "2020-05-01T12:00:00Z"


def test_ended_embargo_shows_the_file(
    oai: OaiCall, collection: dict[str, Item], monkeypatch: pytest.MonkeyPatch
) -> None:
    pk = collection["embargo"].pk
    args = {"verb": "GetRecord", "identifier": rid(pk), "metadataPrefix": "oai_dc"}
    assert len(text_of(oai(args), ".//dc:identifier")) == 1
    monkeypatch.setattr("libcoop.repository.access.today", lambda: dt.date(2099, 1, 1))
    after = oai(args)
    assert len(text_of(after, ".//dc:identifier")) == 2
    assert "info:eu-repo/semantics/openAccess" in text_of(after, ".//dc:rights")


def test_a_list_without_a_set_interleaves_clusters_and_items_once_each(
    oai: OaiCall,
    collection: dict[str, Item],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    library = InstitutionFactory(code="AAA-LIB")
    import_records(
        library,
        tmp_path / "a.mrc",
        *[book(f"a{n}", f"Book number {n}", year=2000 + n) for n in range(7)],
    )
    clusters = list(Cluster.objects.order_by("id").values_list("id", flat=True))
    items = list(
        Item.objects.exclude(pk=collection["draft"].pk).order_by("id").values_list("id", flat=True)
    )
    # shared datestamps: a page boundary falls inside a run of equal datestamps of both lists
    moment = timezone.now() - dt.timedelta(hours=1)
    Cluster.objects.filter(pk__in=clusters[:4]).update(updated=moment)
    Item.objects.filter(pk__in=items[:3]).update(updated=moment)
    small_pages(monkeypatch, records=2, identifiers=3)
    expected = {oai_id(c) for c in clusters} | {rid(i) for i in items}
    for verb in ("ListIdentifiers", "ListRecords"):
        pages = harvest(oai, {"verb": verb, "metadataPrefix": "oai_dc"})
        sent = [i for page in pages for i in identifiers(page)]
        assert len(sent) == len(set(sent)) and set(sent) == expected, verb
        sizes = {
            t.get("completeListSize")
            for p in pages
            if (t := p.find(".//oai:resumptionToken", NS)) is not None
        }
        assert sizes == {str(len(expected))}
        at_moment = sent[:7]
        assert at_moment[:4] == [oai_id(c) for c in clusters[:4]]  # clusters first at a tie
        assert at_moment[4:7] == [rid(i) for i in items[:3]]
    catalog_only = harvest(
        oai, {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "library"}
    )
    assert {i for p in catalog_only for i in identifiers(p)} == {oai_id(c) for c in clusters}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sickle_harvests_the_collection(
    live_server: Any, store: None, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    mfu = InstitutionFactory(code="MFU-LIB")
    items = [_deposit(mfu, {"title": f"วิทยานิพนธ์ที่ {n}"}) for n in range(5)]
    withdrawn = services.withdraw(items[0], "Duplicate", acting_user=SYSTEM)
    small_pages(monkeypatch, records=2, identifiers=2)
    client = sickle.Sickle(f"{live_server.url}/oai", http_method=method, timeout=60)
    sets = {s.setSpec for s in client.ListSets()}
    assert {"repository", "repository:lib:MFU-LIB", "repository:type:thesis"} <= sets
    expected = {rid(i.pk) for i in items}
    for prefix in ("oai_dc", "marc21"):
        records = list(
            client.ListRecords(
                metadataPrefix=prefix, set="repository:lib:MFU-LIB", ignore_deleted=False
            )
        )
        ids = [r.header.identifier for r in records]
        assert len(ids) == len(set(ids)) and set(ids) == expected
        deleted = {r.header.identifier for r in records if r.header.deleted}
        assert deleted == {rid(withdrawn.pk)}
    record = client.GetRecord(identifier=rid(items[1].pk), metadataPrefix="oai_dc")
    assert record.metadata["title"][0] == "วิทยานิพนธ์ที่ 1"
    assert any("/files/" in i for i in record.metadata["identifier"])
    headers = list(client.ListIdentifiers(metadataPrefix="oai_dc", set="repository:type:thesis"))
    assert {h.identifier for h in headers} == expected
