"""ISO 18626 messages as plain data: what the wire layer (``parse``, ``build``) and the
interlibrary-loan app (``libcoop.ill``) exchange. Nothing here knows XML or the database.

Names follow the standard's elements (ISO 18626:2021 §8–10; v1.2 has the same messages with a
shared header). Values of closed lists are kept as the standard spells them ("Loan",
"WillSupply", "ShippedReturn" …); the constants below list the ones LibCoop understands.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Final, Literal

NAMESPACE: Final = "http://illtransactions.org/2013/iso18626"
VERSIONS: Final = ("1.2", "2021-2")  # what LibCoop sends; it reads 1.0, 1.1, 1.2 and 2021

SERVICE_TYPES: Final = ("Loan", "Copy", "CopyOrLoan")
REASONS_FOR_MESSAGE: Final = (
    "RequestResponse",
    "StatusRequestResponse",
    "RenewResponse",
    "CancelResponse",
    "StatusChange",
    "Notification",
)
STATUSES: Final = (
    "RequestReceived",
    "ExpectToSupply",
    "WillSupply",
    "Loaned",
    "Overdue",
    "Recalled",
    "RetryPossible",
    "Unfilled",
    "CopyCompleted",
    "LoanCompleted",
    "CompletedWithoutReturn",
    "Cancelled",
)
ACTIONS: Final = (
    "StatusRequest",
    "Received",
    "Cancel",
    "Renew",
    "ShippedReturn",
    "ShippedForward",
    "Notification",
)
ERROR_TYPES: Final = (
    "UnsupportedActionType",
    "UnsupportedReasonForMessageType",
    "UnrecognisedDataElement",
    "UnrecognisedDataValue",
    "BadlyFormedMessage",
)


@dataclass(frozen=True)
class AgencyId:
    """``agencyIdType`` and ``agencyIdValue``; written ``TYPE:VALUE`` (e.g. ``ISIL:TH-MFU``)."""

    type: str
    value: str

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"

    @classmethod
    def parse(cls, text: str) -> AgencyId:
        kind, sep, value = text.partition(":")
        if not sep or not kind or not value:
            raise ValueError(f"an agency id is TYPE:VALUE, not {text!r}")
        return cls(kind, value)


@dataclass(frozen=True)
class Header:
    supplying: AgencyId
    requesting: AgencyId
    timestamp: datetime.datetime
    requesting_request_id: str
    supplying_request_id: str = ""  # SupplyingAgencyMessage and RequestingAgencyMessage


@dataclass(frozen=True)
class Bibliographic:
    """``bibliographicInfo`` and ``publicationInfo``: what is asked for."""

    title: str = ""
    author: str = ""
    edition: str = ""
    # An article or chapter (a copy): the part and where it is.
    title_of_component: str = ""
    author_of_component: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    publication_date: str = ""
    place_of_publication: str = ""
    # ISBN, ISSN, DOI … as (code, identifier) pairs (``bibliographicItemId``).
    identifiers: tuple[tuple[str, str], ...] = ()
    supplier_record_id: str = ""  # ``supplierUniqueRecordId``: the lender's own record
    # Added by the wire layer: ``bibliographicRecordId`` as (code, identifier) pairs (e.g. a
    # ReShare "patronReference", a LCCN, an OCLC number).
    record_ids: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Request:
    header: Header
    bibliographic: Bibliographic
    service_type: str  # one of SERVICE_TYPES
    need_before: datetime.date | None = None
    note: str = ""
    patron_id: str = ""
    patron_name: str = ""
    copyright_compliance: str = ""
    request_type: str = "New"  # New | Retry | Reminder
    # Added by the wire layer (optional ``serviceInfo`` parts real peers send):
    request_sub_types: tuple[str, ...] = ()  # PatronRequest, TransferRequest …
    previous_request_id: str = ""  # ``requestingAgencyPreviousRequestId`` (a Retry)
    service_level: str = ""  # e.g. Normal, Rush (an open list)


@dataclass(frozen=True)
class SupplyingAgencyMessage:
    header: Header
    reason_for_message: str  # one of REASONS_FOR_MESSAGE
    status: str  # one of STATUSES
    answer_yes_no: Literal["Y", "N", ""] = ""
    note: str = ""
    reason_unfilled: str = ""
    due_date: datetime.datetime | None = None
    expected_delivery: datetime.datetime | None = None
    date_sent: datetime.datetime | None = None
    item_id: str = ""
    sent_via: str = ""
    loan_condition: str = ""
    offered_costs: str = ""  # e.g. "100.00 THB" (monetaryValue + currencyCode)
    reason_retry: str = ""  # added by the wire layer: ``reasonRetry`` (with RetryPossible)


@dataclass(frozen=True)
class RequestingAgencyMessage:
    header: Header
    action: str  # one of ACTIONS
    note: str = ""


Message = Request | SupplyingAgencyMessage | RequestingAgencyMessage


@dataclass(frozen=True)
class Confirmation:
    """The answer to any message: ``messageStatus`` OK or ERROR with ``errorData``. It echoes
    the header's agency ids and request id (and the reason or action it answers).

    On the wire (``build``/``parse``): ``header.timestamp`` is the confirmed message's own
    timestamp, sent as ``timestampReceived``; ``received`` is the confirmation's
    ``timestamp`` (when it was answered; now when None). ``confirmationHeader`` carries no
    ``supplyingAgencyRequestId``, so it is "" after parsing; absent agency ids are
    ``AgencyId("", "")``. ``extra`` is not sent."""

    header: Header
    kind: Literal["request", "supplyingAgencyMessage", "requestingAgencyMessage"]
    ok: bool
    error_type: str = ""  # one of ERROR_TYPES when not ok
    error_value: str = ""
    reason_for_message: str = ""  # echoed in a supplyingAgencyMessageConfirmation
    action: str = ""  # echoed in a requestingAgencyMessageConfirmation
    received: datetime.datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


class MessageError(Exception):
    """An incoming message that is answered with an ERROR confirmation (never a 5xx)."""

    def __init__(
        self, error_type: str, value: str, *, header: Header | None = None, kind: str = ""
    ) -> None:
        super().__init__(f"{error_type}: {value}")
        self.error_type = error_type
        self.value = value
        self.header = header
        self.kind = kind
