"""ISO 18626 receipt (``parse``): every real message of other systems in
``../shared/data/iso18626`` is read or refused with the right error type; the leniency real
peers need; hostile XML refused before any parser sees it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from libcoop.interop.iso18626.messages import (
    AgencyId,
    MessageError,
    Request,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
)
from libcoop.interop.iso18626.parse import (
    MAX_BODY,
    guess_kind,
    parse_confirmation,
    parse_datetime,
    parse_message,
    version_of,
)
from tests.interop.test_iso18626_build import official_schema

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "iso18626"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"shared ISO 18626 messages not found at {SHARED} (../shared beside the repo)",
)

# What each real message is, decided from its content and ../shared/data/MANIFEST.md:
# a Request read whole, or the error it is refused with (and a word of the error value).
REFUSED = {
    # v1.2 requires header/supplyingAgencyId (a ReShare patron request has none); also
    # invalid: unqualified scheme attributes, an empty needBeforeDate, order at line 59.
    "patronRequest.xml": ("BadlyFormedMessage", "supplyingAgencyId", "request"),
    # status "status_holder": an unfilled template (empty optional dates are tolerated).
    "supplyingAgencyMessage_statusChange.xml": (
        "UnrecognisedDataValue",
        "status",
        "supplyingAgencyMessage",
    ),
    # timestamp "timestamp_holder" (its unqualified version attribute is tolerated).
    "unfilledNotification.xml": ("UnrecognisedDataValue", "timestamp", "supplyingAgencyMessage"),
    # timestamp "_TIMESTAMP_" (first in document order; statusInfo is missing too).
    "cancelResponseReplyNoTemplate.xml": (
        "UnrecognisedDataValue",
        "timestamp",
        "supplyingAgencyMessage",
    ),
}
READ = {
    "case1_request.xml": ("RESHARE:TEMPLEI", "RESHARE:MILL", "49837539", "Loan"),
    "iso18626_req_1.xml": ("RESHARE:KNOWINT01", "RESHARE:TESTINST01", "49837539", "Loan"),
    "illmockrequest.xml": ("DMMY:NIA1", "DMMY:NIA2", "DMMYNIA2-1", "Loan"),
}


def real_messages() -> list[Path]:
    return sorted(SHARED.glob("*.xml")) if SHARED.is_dir() else []


@needs_shared
def test_every_real_message_is_known_here() -> None:
    names = {path.name for path in real_messages()}
    assert names == set(REFUSED) | set(READ), "a new shared message: decide what it is"


@needs_shared
@pytest.mark.parametrize("name", sorted(READ))
def test_real_requests_are_read(name: str) -> None:
    message = parse_message((SHARED / name).read_bytes())
    supplying, requesting, request_id, service = READ[name]
    assert isinstance(message, Request)
    assert str(message.header.supplying) == supplying
    assert str(message.header.requesting) == requesting
    assert message.header.requesting_request_id == request_id
    assert message.service_type == service
    assert message.header.timestamp.tzinfo is not None


@needs_shared
def test_what_real_requests_carry() -> None:
    case1 = parse_message((SHARED / "case1_request.xml").read_bytes())
    assert isinstance(case1, Request)
    assert case1.header.timestamp == dt.datetime(2014, 3, 17, 9, 30, 47, tzinfo=dt.UTC)
    assert case1.need_before == dt.date(2014, 5, 1)
    assert case1.bibliographic.supplier_record_id == "27345786"
    assert case1.service_level == "Normal"
    mock = parse_message((SHARED / "illmockrequest.xml").read_bytes())
    assert isinstance(mock, Request)
    assert mock.header.timestamp == dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    assert mock.bibliographic.title == "Layered of the Rungs"
    assert mock.bibliographic.identifiers == (("ISBN", "1884"),)
    assert mock.bibliographic.record_ids == (("patronReference", "ref-33-44-55"),)
    assert mock.request_sub_types == ("PatronRequest",)
    assert mock.note == "#CANCEL#"


@needs_shared
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_real_broken_messages_are_refused_with_the_right_error(name: str) -> None:
    error_type, word, kind = REFUSED[name]
    with pytest.raises(MessageError) as caught:
        parse_message((SHARED / name).read_bytes())
    assert caught.value.error_type == error_type
    assert word in caught.value.value
    assert caught.value.kind == kind
    header = caught.value.header
    assert header is not None, "the header could be read: the confirmation must echo it"
    assert header.requesting.value and header.requesting_request_id


@needs_shared
@pytest.mark.parametrize("version", ["1.2", "2021-2"])
def test_schema_valid_real_messages_are_all_read(version: str) -> None:
    schema = official_schema(version)
    valid = [p for p in real_messages() if schema.validate(etree.parse(str(p)))]
    assert valid, "the manifest lists messages valid against each version"
    for path in valid:
        assert path.name in READ
        parse_message(path.read_bytes())


# --------------------------------------------------------------------------- leniency

NS = 'xmlns="http://illtransactions.org/2013/iso18626" '
QUALIFIED = 'xmlns:ill="http://illtransactions.org/2013/iso18626" '


def ram(
    *,
    version: str = 'ill:version="1.2"',
    timestamp: str = "2024-01-02T03:04:05Z",
    action: str = "Received",
    header_extra: str = "",
    ns: str = NS + QUALIFIED,
) -> bytes:
    return (
        f"<ISO18626Message {ns}{version}><requestingAgencyMessage><header>"
        "<supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>TH-MFU</agencyIdValue>"
        "</supplyingAgencyId><requestingAgencyId><agencyIdType>ISIL</agencyIdType>"
        "<agencyIdValue>TH-CMU</agencyIdValue></requestingAgencyId>"
        f"<timestamp>{timestamp}</timestamp>{header_extra}"
        "<requestingAgencyRequestId>R1</requestingAgencyRequestId>"
        "<supplyingAgencyRequestId>S1</supplyingAgencyRequestId></header>"
        f"<action>{action}</action><note>n</note></requestingAgencyMessage></ISO18626Message>"
    ).encode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        ("2024-01-02T03:04:05+0000", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        ("2024-01-02T03:04:05+00:00", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        ("2024-01-02T03:04:05", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        ("2024-01-02T03:04:05.0Z", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        (
            "2024-01-02T03:04:05.123456789Z",
            dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC),
        ),
        (
            "2024-01-02T10:04:05+07:00",
            dt.datetime(2024, 1, 2, 10, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        ),
        (
            "2024-01-02T03:04:05-0530",
            dt.datetime(
                2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30))
            ),
        ),
        ("2024-01-02T03:04Z", dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC)),
        ("2024-01-02", dt.datetime(2024, 1, 2, tzinfo=dt.UTC)),
        (" 2024-01-02T03:04:05Z\n", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
    ],
)
def test_timestamps_as_peers_write_them(text: str, expected: dt.datetime) -> None:
    assert parse_datetime(text) == expected
    message = parse_message(ram(timestamp=text))
    assert message.header.timestamp == expected


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "2024-13-01T00:00:00Z", "2024-01-02T25:00:00Z", "0000-01-01T00:00:00Z",
     "2024-01-02T03:04:05+15:00", "2024-01-02T03:04:05+05:75", "20240102T030405Z"],
)  # fmt: skip
def test_a_bad_timestamp_is_an_unrecognised_value_with_the_header(text: str) -> None:
    with pytest.raises(MessageError) as caught:
        parse_message(ram(timestamp=text))
    assert caught.value.error_type == "UnrecognisedDataValue"
    assert caught.value.kind == "requestingAgencyMessage"
    assert caught.value.header is not None
    assert caught.value.header.requesting == AgencyId("ISIL", "TH-CMU")
    assert caught.value.header.supplying_request_id == "S1"


@pytest.mark.parametrize(
    ("version", "answer"),
    [
        ('ill:version="1.0"', "1.2"),
        ('ill:version="1.1"', "1.2"),
        ('ill:version="1.2"', "1.2"),
        ('ill:version="2021"', "2021-2"),
        ('ill:version="2021-2"', "2021-2"),
        ('version="1.0"', "1.2"),  # unqualified, as mod-rs' unfilledNotification
        ("", "1.2"),  # none at all
    ],
)
def test_versions(version: str, answer: str) -> None:
    body = ram(version=version)
    assert isinstance(parse_message(body), RequestingAgencyMessage)
    assert version_of(body) == answer


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(MessageError) as caught:
        parse_message(ram(version='ill:version="7.0"'))
    assert caught.value.error_type == "UnrecognisedDataValue"
    assert caught.value.header is not None


def test_the_2021_per_message_header_and_no_namespace_at_all() -> None:
    # 2021: consortialId in the header; a peer that sends no namespace is read too.
    body = ram(
        version='version="2021"',
        header_extra="<consortialId><agencyIdType>X</agencyIdType>"
        "<agencyIdValue>Y</agencyIdValue></consortialId>",
        ns="",
    )
    message = parse_message(body)
    assert isinstance(message, RequestingAgencyMessage)
    assert message.header.supplying_request_id == "S1"


@pytest.mark.parametrize(
    ("action", "error_type"),
    [
        ("Lost", "UnsupportedActionType"),
        ("Fly", "UnsupportedActionType"),
        ("", "UnsupportedActionType"),
    ],
)
def test_unknown_actions(action: str, error_type: str) -> None:
    with pytest.raises(MessageError) as caught:
        parse_message(ram(action=action))
    assert caught.value.error_type == error_type


def sam(reason: str = "StatusChange", status: str = "Loaned", extra: str = "") -> bytes:
    return (
        f'<ISO18626Message {NS}version="2021-2"><supplyingAgencyMessage><header>'
        "<supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>A</agencyIdValue>"
        "</supplyingAgencyId><requestingAgencyId><agencyIdType>ISIL</agencyIdType>"
        "<agencyIdValue>B</agencyIdValue></requestingAgencyId><timestamp>2024-01-02T03:04:05Z"
        "</timestamp><requestingAgencyRequestId>R</requestingAgencyRequestId></header>"
        f"<messageInfo><reasonForMessage>{reason}</reasonForMessage><answerYesNo/></messageInfo>"
        f"<statusInfo><status>{status}</status><dueDate></dueDate><lastChange/></statusInfo>"
        f"{extra}</supplyingAgencyMessage></ISO18626Message>"
    ).encode()


def test_supplying_agency_message_errors_and_2021_parts() -> None:
    with pytest.raises(MessageError) as caught:
        parse_message(sam(reason="Gossip"))
    assert caught.value.error_type == "UnsupportedReasonForMessageType"
    with pytest.raises(MessageError) as caught:
        parse_message(sam(status="Eaten"))
    assert caught.value.error_type == "UnrecognisedDataValue"
    message = parse_message(
        sam(
            extra="<retryInfo><offeredCosts><currencyCode>THB</currencyCode>"
            "<monetaryValue>50</monetaryValue></offeredCosts></retryInfo>"
            "<deliveryInfo><dateSent>2024-01-03T00:00:00+0700</dateSent>"
            "<itemId>I1</itemId><deliveryMethod>Mail</deliveryMethod></deliveryInfo>"
        )
    )
    assert isinstance(message, SupplyingAgencyMessage)
    assert (message.offered_costs, message.sent_via, message.item_id) == ("50 THB", "Mail", "I1")
    assert message.due_date is None and message.answer_yes_no == ""


def test_request_errors() -> None:
    def request(service: str) -> bytes:
        return (
            f'<ISO18626Message {NS}version="1.2"><request><header>'
            "<supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>A</agencyIdValue>"
            "</supplyingAgencyId><requestingAgencyId><agencyIdType>ISIL</agencyIdType>"
            "<agencyIdValue>B</agencyIdValue></requestingAgencyId><multipleItemRequestId/>"
            "<timestamp>2024-01-02T03:04:05Z</timestamp>"
            "<requestingAgencyRequestId>R</requestingAgencyRequestId></header>"
            f"<bibliographicInfo><title>T</title></bibliographicInfo>{service}"
            "</request></ISO18626Message>"
        ).encode()

    for service, error_type in [
        ("<serviceInfo><serviceType>Borrow</serviceType></serviceInfo>", "UnrecognisedDataValue"),
        ("", "BadlyFormedMessage"),
        (
            "<serviceInfo><serviceType>Loan</serviceType><needBeforeDate>soon</needBeforeDate>"
            "</serviceInfo>",
            "UnrecognisedDataValue",
        ),
        (
            "<serviceInfo><requestType>Again</requestType><serviceType>Loan</serviceType>"
            "</serviceInfo>",
            "UnrecognisedDataValue",
        ),
    ]:
        with pytest.raises(MessageError) as caught:
            parse_message(request(service))
        assert caught.value.error_type == error_type, service
        assert caught.value.kind == "request" and caught.value.header is not None
    ok = parse_message(request("<serviceInfo><serviceType>Copy</serviceType></serviceInfo>"))
    assert isinstance(ok, Request) and ok.service_type == "Copy"


def test_missing_header_is_badly_formed_with_the_kind() -> None:
    body = f"<ISO18626Message {NS}><requestingAgencyMessage><action>Received</action>"
    with pytest.raises(MessageError) as caught:
        parse_message((body + "</requestingAgencyMessage></ISO18626Message>").encode())
    assert caught.value.error_type == "BadlyFormedMessage"
    assert caught.value.kind == "requestingAgencyMessage"
    assert caught.value.header is None


# ---------------------------------------------------------------------------- hostile XML

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626"><request>&lol3;</request>
</ISO18626Message>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626"><requestingAgencyMessage>
<header/><action>&xxe;</action></requestingAgencyMessage></ISO18626Message>"""


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (LAUGHS, "request"),
        (EXTERNAL, "requestingAgencyMessage"),
        (b"<ISO18626Message><request>", "request"),  # not well-formed
        (b"\xff\xfe" + "<ISO18626Message/>".encode("utf-16-le"), ""),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><x/>', ""),
        (b"<other/>", ""),
        (b"<ISO18626Message/>", ""),
        (b"<ISO18626Message><requestConfirmation/></ISO18626Message>", ""),
        (b"", ""),
        (b"<a>" + b"x" * MAX_BODY + b"</a>", ""),
        (b"<ISO18626Message>&undefined;</ISO18626Message>", ""),
    ],
)
def test_hostile_and_broken_xml_is_badly_formed(body: bytes, kind: str) -> None:
    with pytest.raises(MessageError) as caught:
        parse_message(body)
    assert caught.value.error_type == "BadlyFormedMessage"
    assert caught.value.kind == kind
    assert b"root:" not in caught.value.value.encode()  # nothing of /etc/passwd


def test_guess_kind() -> None:
    assert guess_kind(b"<x:supplyingAgencyMessage>") == "supplyingAgencyMessage"
    assert guess_kind(b"<requestingAgencyMessageConfirmation>") == ""


# --------------------------------------------------------------------------- confirmations


def test_a_peer_confirmation_without_ids_is_read() -> None:
    body = (
        f'<ISO18626Message {NS}version="1.2"><requestConfirmation><confirmationHeader>'
        "<timestamp>2024-01-02T03:04:06Z</timestamp>"
        "<timestampReceived>2024-01-02T03:04:05+0000</timestampReceived>"
        "<messageStatus>ERROR</messageStatus></confirmationHeader>"
        "<errorData><errorType>BadlyFormedMessage</errorType></errorData>"
        "</requestConfirmation></ISO18626Message>"
    ).encode()
    confirmation = parse_confirmation(body)
    assert confirmation.kind == "request" and not confirmation.ok
    assert confirmation.error_type == "BadlyFormedMessage"
    assert confirmation.header.requesting == AgencyId("", "")
    assert confirmation.received == dt.datetime(2024, 1, 2, 3, 4, 6, tzinfo=dt.UTC)
    with pytest.raises(MessageError):
        parse_confirmation(ram())  # a message is not a confirmation
