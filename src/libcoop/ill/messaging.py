"""The outbox: ISO 18626 messages written in the same transaction as the state change that
causes them, delivered after commit by a background task, retried with back-off, and kept
visible to staff until the peer confirms them.

A message to a member library of this LibCoop goes through the same code as one from outside:
it is written as XML in the recipient's version, read back by the wire parser and handled by
``ill.protocol.handle`` — only the HTTP hop is left out. A message to an outside peer is posted
to its endpoint (``interop.iso18626.client``).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from typing import Any, Final

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from libcoop.ill.models import Agency, Outgoing
from libcoop.interop.iso18626 import messages as m

logger = logging.getLogger("libcoop.ill")
MAX_ATTEMPTS: Final = 8

KINDS: Final[dict[str, type]] = {
    "request": m.Request,
    "supplyingAgencyMessage": m.SupplyingAgencyMessage,
    "requestingAgencyMessage": m.RequestingAgencyMessage,
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, m.AgencyId):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_payload(message: m.Message) -> dict[str, Any]:
    return {
        f.name: (
            to_payload(getattr(message, f.name))
            if dataclasses.is_dataclass(getattr(message, f.name))
            and not isinstance(getattr(message, f.name), m.AgencyId)
            else _plain(getattr(message, f.name))
        )
        for f in dataclasses.fields(message)
    }


def _header(data: dict[str, Any]) -> m.Header:
    return m.Header(
        supplying=m.AgencyId.parse(data["supplying"]),
        requesting=m.AgencyId.parse(data["requesting"]),
        timestamp=datetime.datetime.fromisoformat(data["timestamp"]),
        requesting_request_id=data["requesting_request_id"],
        supplying_request_id=data.get("supplying_request_id", ""),
    )


def from_payload(kind: str, data: dict[str, Any]) -> m.Message:
    values = dict(data)
    values["header"] = _header(values["header"])
    if kind == "request":
        bib = dict(values["bibliographic"])
        for name in ("identifiers", "record_ids"):
            bib[name] = tuple(tuple(p) for p in bib.get(name, []))
        values["bibliographic"] = m.Bibliographic(**bib)
        values["request_sub_types"] = tuple(values.get("request_sub_types", ()))
        if values.get("need_before"):
            values["need_before"] = datetime.date.fromisoformat(values["need_before"])
        return m.Request(**values)
    if kind == "supplyingAgencyMessage":
        for name in ("due_date", "expected_delivery", "date_sent"):
            if values.get(name):
                values[name] = datetime.datetime.fromisoformat(values[name])
        return m.SupplyingAgencyMessage(**values)
    return m.RequestingAgencyMessage(**values)


def kind_of(message: m.Message) -> str:
    if isinstance(message, m.Request):
        return "request"
    if isinstance(message, m.SupplyingAgencyMessage):
        return "supplyingAgencyMessage"
    return "requestingAgencyMessage"


def summary_of(message: m.Message) -> str:
    if isinstance(message, m.Request):
        return message.service_type
    if isinstance(message, m.SupplyingAgencyMessage):
        return f"{message.reason_for_message}/{message.status}"
    return message.action


def queue(sender: Agency, recipient: Agency, message: m.Message) -> Outgoing:
    """Put *message* in the outbox; it is sent after the caller's transaction commits."""
    row = Outgoing.objects.create(
        sender=sender,
        recipient=recipient,
        kind=kind_of(message),
        summary=summary_of(message)[:200],
        payload=to_payload(message),
        request_id=message.header.requesting_request_id,
        next_attempt=timezone.now(),
    )
    transaction.on_commit(lambda: deliver.enqueue(row.pk))
    return row


def _send(row: Outgoing) -> m.Confirmation:
    from libcoop.interop.iso18626.build import to_xml
    from libcoop.interop.iso18626.parse import parse_message

    message = from_payload(row.kind, row.payload)
    recipient = row.recipient
    if recipient.local:
        from libcoop.ill.protocol import handle

        # The same code as a message from outside, without the HTTP hop.
        return handle(parse_message(to_xml(message, recipient.version)))
    from libcoop.interop.iso18626.client import send

    return send(recipient.endpoint, message, recipient.version)


def deliver_one(row: Outgoing) -> None:
    from libcoop.interop.iso18626.build import InvalidOutgoing
    from libcoop.interop.iso18626.client import SendError

    row.attempts += 1
    try:
        confirmation = _send(row)
    except (InvalidOutgoing, m.MessageError, ValueError) as exc:
        # A message we cannot write or read back is our bug: kept, marked, never retried.
        row.status = Outgoing.Status.FAILED
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        row.next_attempt = None
        row.save(update_fields=["attempts", "last_error", "status", "next_attempt"])
        logger.error("ISO 18626 message %s could not be written: %s", row.pk, exc)
        return
    except SendError as exc:
        row.last_error = str(exc)[:2000]
        if getattr(exc, "retryable", True) and row.attempts < MAX_ATTEMPTS:
            backoff = datetime.timedelta(minutes=2 ** min(row.attempts, 10))
            row.next_attempt = timezone.now() + backoff
        else:
            row.status = Outgoing.Status.FAILED
            row.next_attempt = None
        row.save(update_fields=["attempts", "last_error", "status", "next_attempt"])
        logger.warning("ISO 18626 message %s to %s not sent: %s", row.pk, row.recipient, exc)
        return
    if confirmation.ok:
        row.status = Outgoing.Status.SENT
        row.last_error = ""
    else:
        row.status = Outgoing.Status.ERROR
        row.last_error = f"{confirmation.error_type}: {confirmation.error_value}"[:2000]
    row.sent_at = timezone.now()
    row.next_attempt = None
    row.save(update_fields=["attempts", "last_error", "status", "next_attempt", "sent_at"])


@task
def deliver(outgoing_id: int) -> int:
    """Send the message and every earlier one still pending for the same request and peer,
    oldest first (a Cancel never overtakes its Request)."""
    row = Outgoing.objects.filter(pk=outgoing_id).select_related("recipient").first()
    if row is None:
        return 0
    pending = Outgoing.objects.filter(
        status=Outgoing.Status.PENDING,
        recipient=row.recipient,
        request_id=row.request_id,
        pk__lte=row.pk,
    ).select_related("recipient", "sender")
    sent = 0
    for item in pending.order_by("pk"):
        deliver_one(item)
        if item.status == Outgoing.Status.PENDING:
            break  # keep the order: later ones wait for this one's retry
        sent += 1
    return sent


def retry_due(now: datetime.datetime | None = None) -> str:
    """The periodic job: send again what is pending and due (after back-off)."""
    now = now or timezone.now()
    due = Outgoing.objects.filter(status=Outgoing.Status.PENDING, next_attempt__lte=now)
    last: dict[tuple[int, str], int] = {}
    for row in due.order_by("pk"):
        last[(row.recipient_id, row.request_id)] = row.pk  # deliver() sends the earlier ones
    for pk in last.values():
        deliver.enqueue(pk)
    return f"{len(last)} conversation(s) retried"
