"""Reading ISO 18626 messages: safe first, then lenient where real peers deviate.

Safety (the same rules as the OAI-PMH harvester and the MARCXML reader): at most
``MAX_BODY`` bytes, UTF-8 only, no DOCTYPE and no entity declaration (refused before any
parser sees the document), no DTD loaded, no entity resolved, no network, libxml2's
huge-tree limits on.

Leniency: versions 1.0, 1.1, 1.2 and 2021 (``ill:version``, or an unqualified ``version``,
or none at all: read as 1.2); the 1.2 shared header and the 2021 per-message headers; elements
read by name in any order, the first of a repeated one wins, unknown ones ignored; timestamps
with ``Z``, ``+0000``, ``+00:00``, fractional seconds, or no zone (read as UTC); an empty
optional element is an absent one; elements without a namespace when the whole message has
none.

Refusals raise :class:`MessageError` with the standard's error type, the header when it
could be read (so that the confirmation echoes it) and the kind of message:
``BadlyFormedMessage`` (not XML, hostile XML, wrong root, a required element missing),
``UnrecognisedDataValue`` (serviceType, status, requestType, answerYesNo, a date, the
version), ``UnsupportedReasonForMessageType``, ``UnsupportedActionType``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Final, Literal, cast

from lxml import etree

from libcoop.interop.iso18626.messages import (
    ACTIONS,
    NAMESPACE,
    REASONS_FOR_MESSAGE,
    SERVICE_TYPES,
    STATUSES,
    AgencyId,
    Bibliographic,
    Confirmation,
    Header,
    Message,
    MessageError,
    Request,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
)

__all__ = [
    "MAX_BODY",
    "guess_kind",
    "parse_confirmation",
    "parse_datetime",
    "parse_message",
    "version_of",
]

MAX_BODY: Final = 1024 * 1024  # 1 MB: a real message is a few KB
MESSAGE_KINDS: Final = ("request", "supplyingAgencyMessage", "requestingAgencyMessage")
CONFIRMATION_KINDS: Final = {
    "requestConfirmation": "request",
    "supplyingAgencyMessageConfirmation": "supplyingAgencyMessage",
    "requestingAgencyMessageConfirmation": "requestingAgencyMessage",
}
REQUEST_TYPES: Final = ("New", "Retry", "Reminder")
_BAD: Final = "BadlyFormedMessage"
_VALUE: Final = "UnrecognisedDataValue"
_NO_AGENCY: Final = AgencyId("", "")
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

Kind = Literal["request", "supplyingAgencyMessage", "requestingAgencyMessage"]


# ------------------------------------------------------------------------------ timestamps

_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_datetime(text: str) -> dt.datetime:
    """An ``xs:dateTime`` as peers write it: ``2014-03-17T09:30:47.0Z``, ``…+0000``,
    ``…+07:00``, ``2023-10-04T15:22:00.543778Z``, without seconds or zone (UTC), or a bare
    date (midnight UTC). Always aware. ``ValueError`` for anything else."""
    match = _DATETIME.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not a date and time: {text[:60]!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tz: dt.tzinfo = dt.UTC
    if zone and zone not in ("Z", "z"):
        digits = zone[1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        if offset > dt.timedelta(hours=14) or int(digits[2:4] or 0) > 59:  # xs:dateTime
            raise ValueError(f"not a time zone: {zone!r}")
        tz = dt.timezone(-offset if zone[0] == "-" else offset)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    return dt.datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        micro,
        tzinfo=tz,
    )


# ---------------------------------------------------------------------------- the document

_KIND_GUESS = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(request|supplyingAgencyMessage|requestingAgencyMessage)[\s/>]"
)
_VERSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?ISO18626Message\b[^>]*?\s(?:[A-Za-z_][\w.-]*:)?version\s*=\s*"
    rb"""(?:"([^"]*)"|'([^']*)')"""
)
_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES: Final = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii"})


def guess_kind(body: bytes) -> str:
    """The kind of message a document that cannot be read seems to hold (its first message
    element), or "" — only to choose which confirmation answers it."""
    match = _KIND_GUESS.search(body[:MAX_BODY])
    return match.group(1).decode("ascii") if match else ""


def version_of(body: bytes) -> str:
    """The version LibCoop answers a message in: "2021-2" for a 2021 (or 1.3) message,
    "1.2" for 1.x, a message without a version and anything unreadable."""
    match = _VERSION.search(body[:8192])
    declared = (match.group(1) or match.group(2) or b"") if match else b""
    return "2021-2" if declared.strip().startswith((b"2021", b"1.3")) else "1.2"


def _refuse(value: str, body: bytes) -> MessageError:
    return MessageError(_BAD, value, kind=guess_kind(body))


def _root(body: bytes) -> etree._Element:
    """The safely parsed ``ISO18626Message`` element."""
    if len(body) > MAX_BODY:
        raise _refuse(f"message larger than {MAX_BODY} bytes", body)
    if body.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        raise MessageError(_BAD, "only UTF-8 is accepted")
    head = body.removeprefix(b"\xef\xbb\xbf").lstrip()
    declared = _ENCODING.match(head)
    if declared and declared.group(1).lower() not in _UTF8_NAMES:
        raise _refuse("only UTF-8 is accepted", body)
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise _refuse("DOCTYPE and entity declarations are refused", body)
    if not head:
        raise MessageError(_BAD, "empty message")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _refuse(f"not well-formed XML: {str(exc)[:160]}", body) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _refuse("DOCTYPE and entity declarations are refused", body)
    qname = etree.QName(root)
    if qname.localname != "ISO18626Message" or qname.namespace not in (NAMESPACE, None):
        raise _refuse(f"the root element must be ISO18626Message, not {qname.localname}", body)
    return root


class _Doc:
    """Reading by local name within the message's namespace (the standard's, or none)."""

    def __init__(self, root: etree._Element) -> None:
        self.ns = etree.QName(root).namespace

    def kids(self, el: etree._Element) -> Iterator[tuple[str, etree._Element]]:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            qname = etree.QName(child)
            if qname.namespace == self.ns:
                yield qname.localname, child

    def child(self, el: etree._Element | None, *names: str) -> etree._Element | None:
        if el is None:
            return None
        for name, child in self.kids(el):
            if name in names:
                return child
        return None

    def all(self, el: etree._Element | None, name: str) -> list[etree._Element]:
        if el is None:
            return []
        return [child for tag, child in self.kids(el) if tag == name]

    def text(self, el: etree._Element | None, *names: str) -> str:
        """The stripped text of the first child named *names* ("" if absent or empty)."""
        child = self.child(el, *names)
        return "" if child is None else "".join(child.itertext()).strip()

    def texts(self, el: etree._Element | None, name: str) -> list[str]:
        return [t for c in self.all(el, name) if (t := "".join(c.itertext()).strip())]

    def costs(self, el: etree._Element | None, name: str) -> str:
        child = self.child(el, name)
        if child is None:
            return ""
        value = self.text(child, "monetaryValue")
        code = self.text(child, "currencyCode")
        return f"{value} {code}".strip()


def _declared(root: etree._Element) -> str | None:
    version = root.get(f"{{{NAMESPACE}}}version")
    return version if version is not None else root.get("version")


def _check_version(root: etree._Element, header: Header | None, kind: str) -> None:
    declared = _declared(root)
    if declared is None:
        return  # read as 1.2
    if not declared.strip().startswith(("1.", "2021")):
        raise MessageError(_VALUE, f"version: {declared[:40]}", header=header, kind=kind)


# -------------------------------------------------------------------------------- messages


def parse_message(body: bytes) -> Message:
    """The message in *body*, or :class:`MessageError`."""
    root = _root(body)
    doc = _Doc(root)
    first = next(doc.kids(root), None)
    if first is None:
        raise MessageError(_BAD, "ISO18626Message holds no message")
    name, el = first
    if name not in MESSAGE_KINDS:
        raise MessageError(_BAD, f"{name} is not a message LibCoop accepts")
    kind = cast(Kind, name)
    header = _header(doc, el, kind)
    _check_version(root, header, kind)
    if kind == "request":
        return _request(doc, el, header)
    if kind == "supplyingAgencyMessage":
        return _supplying(doc, el, header)
    return _requesting(doc, el, header)


def _header(doc: _Doc, msg: etree._Element, kind: str) -> Header:
    """The header, or :class:`MessageError` carrying as much of it as could be read."""
    el = doc.child(
        msg,
        "header",
        "requestHeader",
        "supplyingAgencyMessageHeader",
        "requestingAgencyMessageHeader",
    )
    if el is None:
        raise MessageError(_BAD, f"{kind}/header is missing", kind=kind)
    problems: list[tuple[str, str]] = []

    def agency(name: str, required: bool) -> AgencyId:
        agency_el = doc.child(el, name)
        if agency_el is None:
            if required:
                problems.append((_BAD, f"header/{name} is missing"))
            return _NO_AGENCY
        return AgencyId(doc.text(agency_el, "agencyIdType"), doc.text(agency_el, "agencyIdValue"))

    # A 2021 request may leave the supplier out (a broker or transfer request); 1.x may not.
    version_2021 = (_declared(msg.getroottree().getroot()) or "").strip().startswith("2021")
    supplying = agency("supplyingAgencyId", not (kind == "request" and version_2021))
    requesting = agency("requestingAgencyId", True)
    timestamp = _EPOCH
    stamp = doc.child(el, "timestamp")
    if stamp is None:
        problems.append((_BAD, "header/timestamp is missing"))
    else:
        text = "".join(stamp.itertext()).strip()
        try:
            timestamp = parse_datetime(text)
        except ValueError:
            problems.append((_VALUE, f"timestamp: {text[:60]}"))
    if doc.child(el, "requestingAgencyRequestId") is None:
        problems.append((_BAD, "header/requestingAgencyRequestId is missing"))
    header = Header(
        supplying=supplying,
        requesting=requesting,
        timestamp=timestamp,
        requesting_request_id=doc.text(el, "requestingAgencyRequestId"),
        supplying_request_id=doc.text(el, "supplyingAgencyRequestId"),
    )
    if problems:
        error_type, value = problems[0]
        if timestamp is _EPOCH:  # not read: the echo carries the time of receipt instead
            header = Header(
                supplying,
                requesting,
                dt.datetime.now(dt.UTC).replace(microsecond=0),
                header.requesting_request_id,
                header.supplying_request_id,
            )
        raise MessageError(error_type, value, header=header, kind=kind)
    return header


def _date(
    doc: _Doc, el: etree._Element | None, name: str, header: Header, kind: str
) -> dt.datetime | None:
    text = doc.text(el, name)
    if not text:
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        raise MessageError(_VALUE, f"{name}: {text[:60]}", header=header, kind=kind) from None


def _request(doc: _Doc, el: etree._Element, header: Header) -> Request:
    kind = "request"
    bib = doc.child(el, "bibliographicInfo")
    if bib is None:
        raise MessageError(_BAD, "request/bibliographicInfo is missing", header=header, kind=kind)
    pub = doc.child(el, "publicationInfo")
    service = doc.child(el, "serviceInfo")
    if doc.child(service, "serviceType") is None:
        raise MessageError(_BAD, "serviceInfo/serviceType is missing", header=header, kind=kind)
    request_type = doc.text(service, "requestType") or "New"
    if request_type not in REQUEST_TYPES:
        raise MessageError(_VALUE, f"requestType: {request_type[:60]}", header=header, kind=kind)
    service_type = doc.text(service, "serviceType")
    if service_type not in SERVICE_TYPES:
        raise MessageError(_VALUE, f"serviceType: {service_type[:60]}", header=header, kind=kind)
    need_before = _date(doc, service, "needBeforeDate", header, kind)
    patron = doc.child(el, "patronInfo")
    bibliographic = Bibliographic(
        title=doc.text(bib, "title"),
        author=doc.text(bib, "author"),
        edition=doc.text(bib, "edition"),
        title_of_component=doc.text(bib, "titleOfComponent"),
        author_of_component=doc.text(bib, "authorOfComponent"),
        volume="; ".join(doc.texts(bib, "volume")),
        issue=doc.text(bib, "issue"),
        pages=doc.text(bib, "pagesRequested"),
        publisher=doc.text(pub, "publisher"),
        publication_date=doc.text(pub, "publicationDate"),
        place_of_publication=doc.text(pub, "placeOfPublication"),
        identifiers=tuple(
            pair
            for item in doc.all(bib, "bibliographicItemId")
            if any(
                pair := (
                    doc.text(item, "bibliographicItemIdentifierCode"),
                    doc.text(item, "bibliographicItemIdentifier"),
                )
            )
        ),
        supplier_record_id=doc.text(bib, "supplierUniqueRecordId"),
        record_ids=tuple(
            pair
            for item in doc.all(bib, "bibliographicRecordId")
            if any(
                pair := (
                    doc.text(item, "bibliographicRecordIdentifierCode"),
                    doc.text(item, "bibliographicRecordIdentifier"),
                )
            )
        ),
    )
    name = " ".join(n for n in (doc.text(patron, "givenName"), doc.text(patron, "surname")) if n)
    return Request(
        header=header,
        bibliographic=bibliographic,
        service_type=service_type,
        need_before=need_before.date() if need_before else None,
        note=doc.text(service, "note"),
        patron_id=doc.text(patron, "patronId"),
        patron_name=name,
        copyright_compliance=doc.text(service, "copyrightCompliance"),
        request_type=request_type,
        request_sub_types=tuple(doc.texts(service, "requestSubType")),
        previous_request_id=doc.text(service, "requestingAgencyPreviousRequestId"),
        service_level=doc.text(service, "serviceLevel"),
    )


def _supplying(doc: _Doc, el: etree._Element, header: Header) -> SupplyingAgencyMessage:
    kind = "supplyingAgencyMessage"
    info = doc.child(el, "messageInfo")
    if doc.child(info, "reasonForMessage") is None:
        raise MessageError(
            _BAD, "messageInfo/reasonForMessage is missing", header=header, kind=kind
        )
    reason = doc.text(info, "reasonForMessage")
    if reason not in REASONS_FOR_MESSAGE:
        raise MessageError("UnsupportedReasonForMessageType", reason[:60], header=header, kind=kind)
    answer = doc.text(info, "answerYesNo")
    if answer not in ("Y", "N", ""):
        raise MessageError(_VALUE, f"answerYesNo: {answer[:60]}", header=header, kind=kind)
    status_info = doc.child(el, "statusInfo")
    if doc.child(status_info, "status") is None:
        raise MessageError(_BAD, "statusInfo/status is missing", header=header, kind=kind)
    status = doc.text(status_info, "status")
    if status not in STATUSES:
        raise MessageError(_VALUE, f"status: {status[:60]}", header=header, kind=kind)
    expected = _date(doc, status_info, "expectedDeliveryDate", header, kind)
    due = _date(doc, status_info, "dueDate", header, kind)
    retry = doc.child(el, "retryInfo")  # 2021
    delivery = doc.child(el, "deliveryInfo")
    sent = _date(doc, delivery, "dateSent", header, kind)
    return SupplyingAgencyMessage(
        header=header,
        reason_for_message=reason,
        status=status,
        answer_yes_no=cast(Literal["Y", "N", ""], answer),
        note=doc.text(info, "note"),
        reason_unfilled=doc.text(info, "reasonUnfilled"),
        due_date=due,
        expected_delivery=expected,
        date_sent=sent,
        item_id=doc.text(delivery, "itemId"),
        sent_via=doc.text(delivery, "sentVia", "deliveryMethod"),
        loan_condition=doc.text(delivery, "loanCondition"),
        offered_costs=doc.costs(info, "offeredCosts") or doc.costs(retry, "offeredCosts"),
        reason_retry=doc.text(info, "reasonRetry"),
    )


def _requesting(doc: _Doc, el: etree._Element, header: Header) -> RequestingAgencyMessage:
    kind = "requestingAgencyMessage"
    if doc.child(el, "action") is None:
        raise MessageError(
            _BAD, "requestingAgencyMessage/action is missing", header=header, kind=kind
        )
    action = doc.text(el, "action")
    if action not in ACTIONS:
        raise MessageError("UnsupportedActionType", action[:60], header=header, kind=kind)
    return RequestingAgencyMessage(header=header, action=action, note=doc.text(el, "note"))


# --------------------------------------------------------------------------- confirmations


def parse_confirmation(body: bytes) -> Confirmation:
    """The confirmation in *body* (a peer's answer), or :class:`MessageError`
    (BadlyFormedMessage)."""
    root = _root(body)
    doc = _Doc(root)
    first = next(doc.kids(root), None)
    if first is None or first[0] not in CONFIRMATION_KINDS:
        raise MessageError(_BAD, "not a confirmation")
    name, el = first
    kind = cast(Kind, CONFIRMATION_KINDS[name])
    head = doc.child(el, "confirmationHeader")
    if head is None:
        raise MessageError(_BAD, f"{name}/confirmationHeader is missing", kind=kind)
    status = doc.text(head, "messageStatus")
    if status not in ("OK", "ERROR"):
        raise MessageError(_BAD, f"messageStatus: {status[:60]}", kind=kind)

    def stamp(tag: str) -> dt.datetime | None:
        text = doc.text(head, tag)
        if not text:
            return None
        try:
            return parse_datetime(text)
        except ValueError:
            raise MessageError(_BAD, f"{tag}: {text[:60]}", kind=kind) from None

    def agency(tag: str) -> AgencyId:
        agency_el = doc.child(head, tag)
        if agency_el is None:
            return _NO_AGENCY
        return AgencyId(doc.text(agency_el, "agencyIdType"), doc.text(agency_el, "agencyIdValue"))

    sent = stamp("timestamp")
    received = stamp("timestampReceived")
    error = doc.child(el, "errorData")
    return Confirmation(
        header=Header(
            supplying=agency("supplyingAgencyId"),
            requesting=agency("requestingAgencyId"),
            timestamp=received or sent or _EPOCH,
            requesting_request_id=doc.text(head, "requestingAgencyRequestId"),
        ),
        kind=kind,
        ok=status == "OK",
        error_type=doc.text(error, "errorType"),
        error_value=doc.text(error, "errorValue"),
        reason_for_message=doc.text(el, "reasonForMessage"),
        action=doc.text(el, "action"),
        received=sent,
    )
