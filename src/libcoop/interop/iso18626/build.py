"""Writing ISO 18626 messages: strict. Every document is built in the element order of its
version's XSD and validated against that XSD before it is returned; a document that does not
validate is LibCoop's bug and raises :class:`InvalidOutgoing`.

Versions: "1.2" (``ISO-18626-v1_2.xsd``, one header shape with ``multipleItemRequestId``)
and "2021-2" (``ISO-18626-2021-2.xsd``, a header per message, ``retryInfo``,
``deliveryMethod``). Timestamps are ``xs:dateTime`` with their offset; a naive datetime is
refused.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Final

from lxml import etree

from libcoop.interop.iso18626.messages import (
    NAMESPACE,
    VERSIONS,
    AgencyId,
    Confirmation,
    Header,
    Message,
    Request,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
)

__all__ = ["SCHEMAS", "InvalidOutgoing", "schema_path", "to_xml"]

SCHEMAS: Final = Path(__file__).resolve().parent / "schemas"
_SCHEMA_FILES: Final = {"1.2": "ISO-18626-v1_2.xsd", "2021-2": "ISO-18626-2021-2.xsd"}
_CONFIRMATIONS: Final = {
    "request": "requestConfirmation",
    "supplyingAgencyMessage": "supplyingAgencyMessageConfirmation",
    "requestingAgencyMessage": "requestingAgencyMessageConfirmation",
}
_LOCK = threading.Lock()  # an XMLSchema's error log is shared: one validation at a time


class InvalidOutgoing(ValueError):
    """A message LibCoop was about to send does not validate against its XSD (our bug)."""


def schema_path(version: str) -> Path:
    return SCHEMAS / _SCHEMA_FILES[version]


@cache
def _schema(version: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(schema_path(version)), parser))


def to_xml(item: Message | Confirmation, version: str) -> bytes:
    """*item* as an ``ISO18626Message`` document of *version* ("1.2" or "2021-2"), UTF-8,
    validated against that version's XSD."""
    if version not in VERSIONS:
        raise ValueError(f"LibCoop sends ISO 18626 {' or '.join(VERSIONS)}, not {version!r}")
    root = etree.Element(_q("ISO18626Message"), nsmap={"ill": NAMESPACE})
    root.set(_q("version"), version)
    v2021 = version == "2021-2"
    if isinstance(item, Confirmation):
        _confirmation(root, item)
    elif isinstance(item, Request):
        _request(root, item, v2021)
    elif isinstance(item, SupplyingAgencyMessage):
        _supplying(root, item, v2021)
    elif isinstance(item, RequestingAgencyMessage):
        _requesting(root, item, v2021)
    else:
        raise TypeError(f"not an ISO 18626 message: {type(item).__name__}")
    schema = _schema(version)
    with _LOCK:
        if not schema.validate(root):
            error = schema.error_log.last_error
            raise InvalidOutgoing(
                f"{type(item).__name__} does not validate against ISO 18626 {version}: "
                f"{error.message if error else 'invalid'} (line {error.line if error else '?'})"
            )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# ---------------------------------------------------------------------------------- pieces


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, _q(name))
    if text is not None:
        el.text = text
    return el


def _opt(parent: etree._Element, name: str, text: str) -> None:
    if text:
        _add(parent, name, text)


def _stamp(value: dt.datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"ISO 18626 timestamps carry their offset; naive datetime {value}")
    return value.isoformat()


def _agency(parent: etree._Element, name: str, agency: AgencyId) -> None:
    el = _add(parent, name)
    _add(el, "agencyIdType", agency.type)
    _add(el, "agencyIdValue", agency.value)


def _costs(parent: etree._Element, name: str, text: str) -> None:
    """``"100.00 THB"`` (or ``"THB 100.00"``) as ``type_costs``."""
    parts = text.split()
    for value, code in (parts, parts[::-1]) if len(parts) == 2 else ():
        try:
            Decimal(value)
        except InvalidOperation:
            continue
        el = _add(parent, name)
        _add(el, "currencyCode", code)
        _add(el, "monetaryValue", value)
        return
    raise ValueError(f"costs are written 'AMOUNT CURRENCY' (e.g. '100.00 THB'), not {text!r}")


def _header(parent: etree._Element, header: Header, v2021: bool, *, request: bool) -> None:
    el = _add(parent, "header")
    if not (v2021 and request and header.supplying == AgencyId("", "")):
        _agency(el, "supplyingAgencyId", header.supplying)
    _agency(el, "requestingAgencyId", header.requesting)
    if not v2021:
        _add(el, "multipleItemRequestId", "")  # required by the 1.2 header
    _add(el, "timestamp", _stamp(header.timestamp))
    _add(el, "requestingAgencyRequestId", header.requesting_request_id)
    if not request:
        _opt(el, "supplyingAgencyRequestId", header.supplying_request_id)


# -------------------------------------------------------------------------------- messages


def _request(root: etree._Element, msg: Request, v2021: bool) -> None:
    el = _add(root, "request")
    _header(el, msg.header, v2021, request=True)
    b = msg.bibliographic
    bib = _add(el, "bibliographicInfo")
    _opt(bib, "supplierUniqueRecordId", b.supplier_record_id)
    _opt(bib, "title", b.title)
    _opt(bib, "author", b.author)
    _opt(bib, "edition", b.edition)
    _opt(bib, "titleOfComponent", b.title_of_component)
    _opt(bib, "authorOfComponent", b.author_of_component)
    _opt(bib, "volume", b.volume)
    _opt(bib, "issue", b.issue)
    _opt(bib, "pagesRequested", b.pages)
    for code, identifier in b.identifiers:
        item = _add(bib, "bibliographicItemId")
        if v2021:  # 2021 put the code first
            _add(item, "bibliographicItemIdentifierCode", code)
            _add(item, "bibliographicItemIdentifier", identifier)
        else:
            _add(item, "bibliographicItemIdentifier", identifier)
            _add(item, "bibliographicItemIdentifierCode", code)
    for code, identifier in b.record_ids:
        record = _add(bib, "bibliographicRecordId")
        _add(record, "bibliographicRecordIdentifierCode", code)
        _add(record, "bibliographicRecordIdentifier", identifier)
    if b.publisher or b.publication_date or b.place_of_publication:
        pub = _add(el, "publicationInfo")
        _opt(pub, "publisher", b.publisher)
        _opt(pub, "publicationDate", b.publication_date)
        _opt(pub, "placeOfPublication", b.place_of_publication)
    service = _add(el, "serviceInfo")
    _opt(service, "requestType", msg.request_type)
    for sub_type in msg.request_sub_types:
        _add(service, "requestSubType", sub_type)
    _opt(service, "requestingAgencyPreviousRequestId", msg.previous_request_id)
    _add(service, "serviceType", msg.service_type)
    _opt(service, "serviceLevel", msg.service_level)
    if msg.need_before is not None:
        _add(service, "needBeforeDate", f"{msg.need_before.isoformat()}T00:00:00+00:00")
    _opt(service, "copyrightCompliance", msg.copyright_compliance)
    _opt(service, "note", msg.note)
    if msg.patron_id or msg.patron_name:
        patron = _add(el, "patronInfo")
        _opt(patron, "patronId", msg.patron_id)
        _opt(patron, "surname", msg.patron_name)


def _supplying(root: etree._Element, msg: SupplyingAgencyMessage, v2021: bool) -> None:
    el = _add(root, "supplyingAgencyMessage")
    _header(el, msg.header, v2021, request=False)
    info = _add(el, "messageInfo")
    _add(info, "reasonForMessage", msg.reason_for_message)
    _opt(info, "answerYesNo", msg.answer_yes_no)
    _opt(info, "note", msg.note)
    _opt(info, "reasonUnfilled", msg.reason_unfilled)
    _opt(info, "reasonRetry", msg.reason_retry)
    if msg.offered_costs and not v2021:
        _costs(info, "offeredCosts", msg.offered_costs)
    status = _add(el, "statusInfo")
    _add(status, "status", msg.status)
    if msg.expected_delivery is not None:
        _add(status, "expectedDeliveryDate", _stamp(msg.expected_delivery))
    if msg.due_date is not None:
        _add(status, "dueDate", _stamp(msg.due_date))
    _add(status, "lastChange", _stamp(msg.header.timestamp))
    if msg.offered_costs and v2021:
        _costs(_add(el, "retryInfo"), "offeredCosts", msg.offered_costs)
    if msg.date_sent is not None or msg.item_id or msg.sent_via or msg.loan_condition:
        if msg.date_sent is None:
            raise ValueError("deliveryInfo (item id, sent via, loan condition) needs date_sent")
        delivery = _add(el, "deliveryInfo")
        _add(delivery, "dateSent", _stamp(msg.date_sent))
        _opt(delivery, "itemId", msg.item_id)
        _opt(delivery, "deliveryMethod" if v2021 else "sentVia", msg.sent_via)
        _opt(delivery, "loanCondition", msg.loan_condition)


def _requesting(root: etree._Element, msg: RequestingAgencyMessage, v2021: bool) -> None:
    el = _add(root, "requestingAgencyMessage")
    _header(el, msg.header, v2021, request=False)
    _add(el, "action", msg.action)
    _opt(el, "note", msg.note)


def _confirmation(root: etree._Element, conf: Confirmation) -> None:
    if conf.kind not in _CONFIRMATIONS:
        raise ValueError(f"no confirmation for {conf.kind!r}")
    if not conf.ok and not conf.error_type:
        raise ValueError("an ERROR confirmation names its error_type")
    el = _add(root, _CONFIRMATIONS[conf.kind])
    head = _add(el, "confirmationHeader")
    header = conf.header
    if header.supplying != AgencyId("", ""):
        _agency(head, "supplyingAgencyId", header.supplying)
    if header.requesting != AgencyId("", ""):
        _agency(head, "requestingAgencyId", header.requesting)
    _add(head, "timestamp", _stamp(conf.received or dt.datetime.now(dt.UTC)))
    _opt(head, "requestingAgencyRequestId", header.requesting_request_id)
    _add(head, "timestampReceived", _stamp(header.timestamp))
    _add(head, "messageStatus", "OK" if conf.ok else "ERROR")
    if conf.kind == "supplyingAgencyMessage":
        _opt(el, "reasonForMessage", conf.reason_for_message)
    if conf.kind == "requestingAgencyMessage":
        _opt(el, "action", conf.action)
    if not conf.ok:
        error = _add(el, "errorData")
        _add(error, "errorType", conf.error_type)
        _opt(error, "errorValue", conf.error_value)
