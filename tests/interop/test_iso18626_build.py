"""ISO 18626 sending (``build.to_xml``): every kind in both versions validates against the
official XSD (``../shared/schemas/iso18626``, not only the packaged copy) and reads back as the
same dataclass."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from libcoop.interop.iso18626.build import InvalidOutgoing, schema_path, to_xml
from libcoop.interop.iso18626.messages import (
    NAMESPACE,
    VERSIONS,
    AgencyId,
    Bibliographic,
    Confirmation,
    Header,
    Message,
    Request,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
)
from libcoop.interop.iso18626.parse import parse_confirmation, parse_message

OFFICIAL = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "iso18626"
SCHEMA_FILES = {"1.2": "ISO-18626-v1_2.xsd", "2021-2": "ISO-18626-2021-2.xsd"}

BANGKOK = dt.timezone(dt.timedelta(hours=7))
WHEN = dt.datetime(2025, 3, 4, 9, 30, 15, 250000, tzinfo=BANGKOK)
LENDER = AgencyId("ISIL", "TH-MFU")
BORROWER = AgencyId("ISIL", "TH-CMU")
HEADER = Header(LENDER, BORROWER, WHEN, "CMU-2025-0042", "MFU-77")


def full_request() -> Request:
    return Request(
        header=Header(LENDER, BORROWER, WHEN, "CMU-2025-0042"),
        bibliographic=Bibliographic(
            title="ห้องสมุดสีเขียว: แนวปฏิบัติ",
            author="สมชาย ใจดี",
            edition="2nd ed.",
            title_of_component="Green libraries in Thailand",
            author_of_component="Somchai Jaidee",
            volume="12",
            issue="3",
            pages="45-67",
            publisher="Chiang Mai University Press",
            publication_date="2566",
            place_of_publication="Chiang Mai",
            identifiers=(("ISSN", "1234-5678"), ("DOI", "10.1000/xyz123")),
            supplier_record_id="b1234567",
            record_ids=(("OCLC", "123456789"),),
        ),
        service_type="Copy",
        need_before=dt.date(2025, 4, 1),
        note="Please scan at 300 dpi & send <soon>",
        patron_id="P-001",
        patron_name="Malee Srisuk",
        copyright_compliance="US-CCG",
        request_type="Retry",
        request_sub_types=("PatronRequest",),
        previous_request_id="CMU-2025-0041",
        service_level="Rush",
    )


def samples() -> dict[str, Message | Confirmation]:
    """One of each kind, every field the dataclasses carry set (and a minimal request)."""
    minimal = Request(Header(LENDER, BORROWER, WHEN, "r1"), Bibliographic(title="T"), "Loan")
    return {
        "request": full_request(),
        "request-minimal": minimal,
        "supplyingAgencyMessage": SupplyingAgencyMessage(
            header=HEADER,
            reason_for_message="StatusChange",
            status="Loaned",
            answer_yes_no="Y",
            note="Shipped by courier",
            reason_unfilled="",
            due_date=dt.datetime(2025, 4, 4, 16, 0, tzinfo=BANGKOK),
            expected_delivery=dt.datetime(2025, 3, 6, 12, 0, tzinfo=dt.UTC),
            date_sent=dt.datetime(2025, 3, 4, 10, 0, tzinfo=BANGKOK),
            item_id="31234000123456",
            sent_via="Courier",
            loan_condition="LibraryUseOnly",
            offered_costs="100.00 THB",
            reason_retry="",
        ),
        "supplyingAgencyMessage-unfilled": SupplyingAgencyMessage(
            header=HEADER,
            reason_for_message="RequestResponse",
            status="RetryPossible",
            answer_yes_no="N",
            reason_unfilled="NotAvailableForILL",
            reason_retry="CostExceedsMaxCost",
            offered_costs="250 THB",
        ),
        "requestingAgencyMessage": RequestingAgencyMessage(
            header=HEADER, action="ShippedReturn", note="Returned by post"
        ),
        "requestConfirmation": Confirmation(
            header=Header(LENDER, BORROWER, WHEN, "CMU-2025-0042"),
            kind="request",
            ok=True,
            received=dt.datetime(2025, 3, 4, 2, 30, 16, tzinfo=dt.UTC),
        ),
        "supplyingAgencyMessageConfirmation": Confirmation(
            header=Header(LENDER, BORROWER, WHEN, "CMU-2025-0042"),
            kind="supplyingAgencyMessage",
            ok=False,
            error_type="UnrecognisedDataValue",
            error_value="requestingAgencyRequestId: CMU-2025-0042",
            reason_for_message="StatusChange",
            received=WHEN,
        ),
        "requestingAgencyMessageConfirmation": Confirmation(
            header=Header(LENDER, BORROWER, WHEN, "CMU-2025-0042"),
            kind="requestingAgencyMessage",
            ok=True,
            action="Received",
            received=WHEN,
        ),
        "anonymousErrorConfirmation": Confirmation(
            header=Header(AgencyId("", ""), AgencyId("", ""), WHEN, ""),
            kind="request",
            ok=False,
            error_type="BadlyFormedMessage",
            received=WHEN,
        ),
    }


def official_schema(version: str) -> etree.XMLSchema:
    path = OFFICIAL / SCHEMA_FILES[version]
    if not path.exists():
        pytest.skip(
            f"official ISO 18626 schemas not found at {OFFICIAL} (../shared beside the repo)"
        )
    return etree.XMLSchema(etree.parse(str(path)))


def assert_valid(document: bytes, version: str) -> None:
    schema = official_schema(version)
    root = etree.fromstring(document)
    assert schema.validate(root), schema.error_log
    assert root.get(f"{{{NAMESPACE}}}version") == version


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", list(samples()))
def test_every_kind_validates_and_reads_back(name: str, version: str) -> None:
    item = samples()[name]
    document = to_xml(item, version)
    assert_valid(document, version)
    back = (
        parse_confirmation(document) if isinstance(item, Confirmation) else parse_message(document)
    )
    assert back == item


def test_the_packaged_schemas_are_the_official_ones() -> None:
    for version in VERSIONS:
        official = OFFICIAL / SCHEMA_FILES[version]
        if not official.exists():
            pytest.skip(f"official ISO 18626 schemas not found at {OFFICIAL}")
        assert schema_path(version).read_bytes() == official.read_bytes()


def test_the_versions_differ_where_the_schemas_do() -> None:
    request = full_request()
    old = etree.fromstring(to_xml(request, "1.2"))
    new = etree.fromstring(to_xml(request, "2021-2"))
    ns = {"ill": NAMESPACE}
    # 1.2: one header shape with multipleItemRequestId; identifier before its code
    assert old.find(".//ill:header/ill:multipleItemRequestId", ns) is not None
    assert new.find(".//ill:header/ill:multipleItemRequestId", ns) is None
    first = [etree.QName(e).localname for e in old.find(".//ill:bibliographicItemId", ns)]
    assert first == ["bibliographicItemIdentifier", "bibliographicItemIdentifierCode"]
    first = [etree.QName(e).localname for e in new.find(".//ill:bibliographicItemId", ns)]
    assert first == ["bibliographicItemIdentifierCode", "bibliographicItemIdentifier"]
    supplying = samples()["supplyingAgencyMessage"]
    old = etree.fromstring(to_xml(supplying, "1.2"))
    new = etree.fromstring(to_xml(supplying, "2021-2"))
    assert old.find(".//ill:messageInfo/ill:offeredCosts", ns) is not None
    assert new.find(".//ill:retryInfo/ill:offeredCosts", ns) is not None
    assert old.findtext(".//ill:deliveryInfo/ill:sentVia", namespaces=ns) == "Courier"
    assert new.findtext(".//ill:deliveryInfo/ill:deliveryMethod", namespaces=ns) == "Courier"


def test_a_2021_request_may_leave_the_supplier_out() -> None:
    request = Request(Header(AgencyId("", ""), BORROWER, WHEN, "r"), Bibliographic(), "Loan")
    document = to_xml(request, "2021-2")
    assert_valid(document, "2021-2")
    assert parse_message(document) == request


def test_timestamps_keep_their_offset() -> None:
    document = to_xml(samples()["requestingAgencyMessage"], "1.2")
    assert b"<ill:timestamp>2025-03-04T09:30:15.250000+07:00</ill:timestamp>" in document


@pytest.mark.parametrize(
    "item",
    [
        RequestingAgencyMessage(HEADER, action="Lost"),  # a 2021 action, not in 1.2
        SupplyingAgencyMessage(HEADER, reason_for_message="Whatever", status="Loaned"),
        Request(HEADER, Bibliographic(), service_type="Borrow"),
    ],
)
def test_an_invalid_message_is_our_bug_and_raises(item: Message) -> None:
    with pytest.raises(InvalidOutgoing):
        to_xml(item, "1.2")


def test_strict_refusals() -> None:
    naive = Header(LENDER, BORROWER, dt.datetime(2025, 1, 1), "r")
    with pytest.raises(ValueError, match="offset"):
        to_xml(RequestingAgencyMessage(naive, "Received"), "1.2")
    with pytest.raises(ValueError, match="2021-2"):
        to_xml(RequestingAgencyMessage(HEADER, "Received"), "1.1")
    with pytest.raises(ValueError, match="date_sent"):
        to_xml(SupplyingAgencyMessage(HEADER, "StatusChange", "Loaned", item_id="x"), "1.2")
    with pytest.raises(ValueError, match="costs"):
        to_xml(
            SupplyingAgencyMessage(HEADER, "Notification", "Loaned", offered_costs="free"), "1.2"
        )
    with pytest.raises(ValueError, match="error_type"):
        to_xml(Confirmation(HEADER, "request", ok=False), "1.2")
