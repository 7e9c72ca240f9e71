"""What LibCoop does with an ISO 18626 message it receives (from a member of this LibCoop or
from an outside peer — the same function): the supplier's side for a Request and a
RequestingAgencyMessage, the requester's side for a SupplyingAgencyMessage. Each turns into a
``services.perform`` action taken by ``SYSTEM`` on behalf of the peer; the answer is a
Confirmation, OK or ERROR with the standard's error type (ISO 18626:2021 §10).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
from libcoop.ill import services
from libcoop.ill.models import Agency, PatronRequest, RequesterState, SupplyRequest
from libcoop.interop.iso18626 import messages as m
from libcoop.network.abilities import SYSTEM

R = RequesterState


def _ok(message: m.Message, **extra: Any) -> m.Confirmation:
    return m.Confirmation(
        header=message.header,
        kind=_kind(message),
        ok=True,
        reason_for_message=getattr(message, "reason_for_message", ""),
        action=getattr(message, "action", ""),
        received=timezone.now(),
        extra=extra,
    )


def _error(message: m.Message, error_type: str, value: str) -> m.Confirmation:
    return m.Confirmation(
        header=message.header,
        kind=_kind(message),
        ok=False,
        error_type=error_type,
        error_value=value[:500],
        reason_for_message=getattr(message, "reason_for_message", ""),
        action=getattr(message, "action", ""),
        received=timezone.now(),
    )


def _kind(message: m.Message) -> Any:
    if isinstance(message, m.Request):
        return "request"
    if isinstance(message, m.SupplyingAgencyMessage):
        return "supplyingAgencyMessage"
    return "requestingAgencyMessage"


def _local(agency_id: m.AgencyId) -> Agency | None:
    return (
        Agency.objects.filter(
            id_type__iexact=agency_id.type,
            id_value=agency_id.value,
            institution__isnull=False,
            endpoint="",
            active=True,
        )
        .select_related("institution")
        .first()
    )


def _peer(agency_id: m.AgencyId) -> Agency:
    """The sender: known, or recorded now (a peer may ask before it is configured; answers to
    it wait in the outbox until an operator gives its endpoint)."""
    agency, _created = Agency.objects.get_or_create(
        id_type=agency_id.type,
        id_value=agency_id.value,
        defaults={"name": str(agency_id)},
    )
    return agency


def handle(message: m.Message) -> m.Confirmation:
    if isinstance(message, m.Request):
        return _request(message)
    if isinstance(message, m.SupplyingAgencyMessage):
        return _supplying(message)
    return _requesting(message)


def _request(message: m.Request) -> m.Confirmation:
    header = message.header
    lender = _local(header.supplying)
    if lender is None or lender.institution is None:
        return _error(message, "UnrecognisedDataValue", f"supplyingAgencyId: {header.supplying}")
    if message.service_type not in ("Loan", "Copy", "CopyOrLoan"):
        return _error(message, "UnrecognisedDataValue", f"serviceType: {message.service_type}")
    if not header.requesting_request_id:
        return _error(message, "BadlyFormedMessage", "requestingAgencyRequestId is empty")
    requester = _peer(header.requesting)
    existing = SupplyRequest.objects.filter(
        lender=lender.institution,
        requesting_agency=requester,
        requesting_request_id=header.requesting_request_id,
    ).first()
    if existing is not None:  # the same request again (a retry): answered as before
        return _ok(message, supplyingAgencyRequestId=existing.supply_id)
    bib = message.bibliographic
    identifiers = dict(bib.identifiers)
    service = "Copy" if message.service_type == "Copy" else "Loan"
    try:
        with transaction.atomic():
            supply = SupplyRequest.objects.create(
                lender=lender.institution,
                requesting_agency=requester,
                requesting_request_id=header.requesting_request_id[:64],
                supply_id=f"{lender.institution.code}-S-{uuid.uuid4().hex[:12]}",
                title=(bib.title or bib.title_of_component or "(no title)")[:500],
                author=(bib.author or bib.author_of_component)[:300],
                article_title=bib.title_of_component[:500],
                volume=bib.volume[:32],
                issue=bib.issue[:32],
                pages=bib.pages[:32],
                year=bib.publication_date[:16],
                isbn=identifiers.get("ISBN", "")[:32],
                issn=identifiers.get("ISSN", "")[:16],
                doi=identifiers.get("DOI", "")[:200],
                service_type=service,
                needed_by=message.need_before,
                note=message.note,
                patron_name=message.patron_name[:200],
                supplier_record_id=bib.supplier_record_id[:100],
            )
            from libcoop.ill import notify

            notify.new_lending_request(supply)
            record(
                AuditVerb.ILL_SUPPLY_CHANGED,
                supply,
                acting_user=SYSTEM,
                institution_code=lender.institution.code,
                action="received",
                state=[None, supply.state],
                requester=str(requester),
            )
    except IntegrityError:  # the same request arriving twice at once
        supply = SupplyRequest.objects.get(
            lender=lender.institution,
            requesting_agency=requester,
            requesting_request_id=header.requesting_request_id,
        )
    return _ok(message, supplyingAgencyRequestId=supply.supply_id)


# SupplyingAgencyMessage status (and reason) → the requester's action.
STATUS_ACTIONS = {
    "ExpectToSupply": "lender_expects",
    "WillSupply": "lender_expects",
    "Loaned": "lender_shipped",
    "CopyCompleted": "lender_shipped",
    "Unfilled": "lender_unfilled",
    "Recalled": "lender_recalled",
    "Overdue": "overdue",
    "LoanCompleted": "lender_completed",
    "CompletedWithoutReturn": "lender_completed",
}


def _supplying(message: m.SupplyingAgencyMessage) -> m.Confirmation:
    header = message.header
    if message.reason_for_message not in m.REASONS_FOR_MESSAGE:
        return _error(
            message, "UnsupportedReasonForMessageType", message.reason_for_message or "(empty)"
        )
    requester = _local(header.requesting)
    request = (
        PatronRequest.objects.filter(
            request_id=header.requesting_request_id,
            requester=requester.institution if requester else None,
        )
        .select_related("supplier", "requester")
        .first()
        if requester is not None
        else None
    )
    if request is None:
        return _error(
            message,
            "UnrecognisedDataValue",
            f"requestingAgencyRequestId: {header.requesting_request_id}",
        )
    supplier = request.supplier
    if supplier is None or (supplier.id_type.upper(), supplier.id_value) != (
        header.supplying.type.upper(),
        header.supplying.value,
    ):
        return _error(message, "UnrecognisedDataValue", f"supplyingAgencyId: {header.supplying}")
    action = _requester_action(message, request)
    if action is None:  # nothing to change (e.g. a status we already know): noted, OK
        return _ok(message)
    params: dict[str, Any] = {"note": message.note}
    if header.supplying_request_id:
        params["supplier_request_id"] = header.supplying_request_id[:64]
    if message.sent_via.upper() == "URL" and message.item_id.startswith(("http://", "https://")):
        params["copy_url"] = message.item_id
    if message.due_date:
        params["due_date"] = (
            timezone.localdate(message.due_date)
            if timezone.is_aware(message.due_date)
            else message.due_date.date()
        )
    try:
        services.perform(request, action, acting_user=SYSTEM, **params)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(getattr(exc, "messages", [str(exc)]))
        return _error(message, "UnrecognisedDataValue", f"status {message.status}: {text}")
    return _ok(message)


def _requester_action(message: m.SupplyingAgencyMessage, request: PatronRequest) -> str | None:
    reason, status = message.reason_for_message, message.status
    if reason == "RenewResponse":
        return "lender_renewed" if request.state == R.RENEW_REQUESTED else None
    if reason == "CancelResponse":
        return None  # the request was cancelled on our side when the Cancel was sent
    if reason == "Notification" and message.loan_condition:
        return "lender_conditions" if request.state == R.SENT else None
    if status not in m.STATUSES:
        return None
    action = STATUS_ACTIONS.get(status)
    if action == "lender_expects" and request.state != R.SENT:
        return None
    if action == "overdue" and request.state != R.CHECKED_OUT:
        return None
    return action


def _requesting(message: m.RequestingAgencyMessage) -> m.Confirmation:
    header = message.header
    if message.action not in m.ACTIONS:
        return _error(message, "UnsupportedActionType", message.action or "(empty)")
    lender = _local(header.supplying)
    requester = Agency.objects.filter(
        id_type__iexact=header.requesting.type, id_value=header.requesting.value
    ).first()
    supply = None
    if lender is not None and requester is not None:
        supply = (
            SupplyRequest.objects.filter(
                lender=lender.institution,
                requesting_agency=requester,
                requesting_request_id=header.requesting_request_id,
            )
            .select_related("lender", "requesting_agency")
            .first()
        )
    if supply is None:
        return _error(
            message,
            "UnrecognisedDataValue",
            f"requestingAgencyRequestId: {header.requesting_request_id}",
        )
    try:
        _apply_requesting(message, supply)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(getattr(exc, "messages", [str(exc)]))
        return _error(message, "UnrecognisedDataValue", f"action {message.action}: {text}")
    return _ok(message)


def _apply_requesting(message: m.RequestingAgencyMessage, supply: SupplyRequest) -> None:
    from libcoop.ill.models import SupplierState as S

    if message.action == "Cancel":
        if supply.state in (S.NEW, S.WILL_SUPPLY, S.CONDITIONAL, S.AWAITING_PICK):
            services.perform(supply, "requester_cancelled", acting_user=SYSTEM)
        elif supply.state not in (S.CANCELLED, S.UNFILLED):
            services._sam(supply, "CancelResponse", "Loaned", answer="N")
        return
    if message.action == "Renew":
        _renew(supply)
        return
    if message.action == "Notification" and "accepted" in message.note.lower():
        if supply.state == S.CONDITIONAL:
            services.perform(supply, "requester_accepted", acting_user=SYSTEM)
        return
    # Received, ShippedReturn, StatusRequest, Notification: noted in the log.
    record(
        AuditVerb.ILL_SUPPLY_CHANGED,
        supply,
        acting_user=SYSTEM,
        institution_code=supply.lender.code,
        action=f"requester:{message.action}",
        note=message.note[:500],
    )


@transaction.atomic
def _renew(supply: SupplyRequest) -> None:
    """Renewals are answered by the lender's policy, at once (no staff round trip)."""
    import datetime

    from libcoop.ill.models import SupplierState as S

    supply = SupplyRequest.objects.select_for_update().get(pk=supply.pk)
    policy = services.policy_of(supply.lender)
    if supply.state != S.SHIPPED or supply.renewals >= policy.renewals or supply.due_date is None:
        services._sam(supply, "RenewResponse", "Loaned", answer="N")
        return
    supply.renewals += 1
    supply.due_date = supply.due_date + datetime.timedelta(days=policy.renewal_days)
    supply.save(update_fields=["renewals", "due_date", "updated"])
    record(
        AuditVerb.ILL_SUPPLY_CHANGED,
        supply,
        acting_user=SYSTEM,
        institution_code=supply.lender.code,
        action="renewed",
        due_date=str(supply.due_date),
    )
    due = datetime.datetime.combine(supply.due_date, datetime.time(23, 59), tzinfo=datetime.UTC)
    services._sam(supply, "RenewResponse", "Loaned", answer="Y", due_date=due)
