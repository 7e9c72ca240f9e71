"""Interlibrary-loan services: the one write path for requests, supplies, policies and agencies.

:func:`perform` takes every action of both state tables (``workflow.py``): in one transaction
it locks the row, checks the actor's ability on the row's own library, checks that the action
is allowed in the row's state (and for its service type), runs the action's step, saves, writes
one audit entry and queues the ISO 18626 message that tells the other side; the message is sent
after commit (``messaging``). Two people acting on one request at the same moment: the second
waits for the lock, then finds the state changed and is refused with a message.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record, user_of
from libcoop.ill import messaging, rota, workflow
from libcoop.ill.models import (
    Agency,
    LendingPolicy,
    PatronRequest,
    RequesterState,
    RotaEntry,
    ServiceType,
    SupplierState,
    SupplyRequest,
)
from libcoop.interop.iso18626 import messages as m
from libcoop.network.abilities import SYSTEM, Actor, can, require
from libcoop.network.models import Institution

R = RequesterState
S = SupplierState
OPEN_REQUESTER_STATES = tuple(
    s for s in R if s not in (R.COMPLETED, R.CANCELLED, R.UNFILLED, R.LOST)
)


# --- agencies and policies ---------------------------------------------------------------


def agency_for(institution: Institution) -> Agency:
    """The library's ISO 18626 agency, made on first use as ``ISIL:<code>`` if it has none."""
    agency = Agency.objects.filter(institution=institution).first()
    if agency is None:
        agency, _created = Agency.objects.get_or_create(
            id_type="ISIL",
            id_value=institution.code,
            defaults={"institution": institution, "name": institution.name_en or institution.code},
        )
    return agency


def policy_of(institution: Institution) -> LendingPolicy:
    policy = LendingPolicy.objects.filter(institution=institution).first()
    return policy or LendingPolicy(institution=institution)


@transaction.atomic
def set_policy(institution: Institution, *, acting_user: Actor, **values: Any) -> LendingPolicy:
    require(acting_user, "ill.edit_policy", institution)
    policy, _created = LendingPolicy.objects.select_for_update().get_or_create(
        institution=institution
    )
    from libcoop.audit.services import apply_changes

    allowed = (
        "open_for_lending",
        "loan_days",
        "renewals",
        "renewal_days",
        "lends_formats",
        "supplies_copies",
        "copy_fee",
        "copy_max_pages",
    )
    diff = apply_changes(policy, values, allowed)
    if diff:
        policy.full_clean()
        policy.save()
        record(
            AuditVerb.ILL_POLICY_CHANGED,
            policy,
            acting_user=acting_user,
            institution_code=institution.code,
            changes=diff,
        )
    return policy


@transaction.atomic
def add_peer(id_text: str, endpoint: str, *, name: str = "", version: str = "2021-2") -> Agency:
    """Configure an outside ISO 18626 peer (operator command: acts as SYSTEM)."""
    agency_id = m.AgencyId.parse(id_text)
    if version not in m.VERSIONS:
        raise ValidationError(f"version must be one of {', '.join(m.VERSIONS)}")
    agency, _created = Agency.objects.update_or_create(
        id_type=agency_id.type,
        id_value=agency_id.value,
        defaults={"endpoint": endpoint, "name": name or str(agency_id), "version": version},
    )
    agency.full_clean()
    record(AuditVerb.ILL_AGENCY_CHANGED, agency, acting_user=SYSTEM, endpoint=endpoint)
    return agency


# --- creating a request ------------------------------------------------------------------


def duplicates_of(
    requester: Institution, patron_id: int | None, cluster_id: int | None, title: str
) -> list[PatronRequest]:
    """Open requests of the same patron for the same cluster (or title): a warning, not a bar."""
    open_requests = PatronRequest.objects.filter(
        requester=requester, state__in=OPEN_REQUESTER_STATES
    )
    if patron_id is not None:
        open_requests = open_requests.filter(patron_id=patron_id)
    if cluster_id is not None:
        return list(open_requests.filter(cluster_id=cluster_id))
    return list(open_requests.filter(title__iexact=title.strip()))


@transaction.atomic
def create_request(
    requester: Institution,
    *,
    acting_user: Actor,
    patron: Any = None,
    cluster_id: int | None = None,
    **citation: Any,
) -> PatronRequest:
    """A patron's request (or staff's on a patron's behalf). A catalog cluster fills the
    citation; a copy needs the copyright statement confirmed."""
    require(acting_user, "ill.request", requester)
    user = user_of(acting_user)
    if (
        patron is None
        and user is not None
        and not can(acting_user, "ill.requester", _Probe(requester.pk))
    ):
        patron = user  # a patron asks for themselves
    if cluster_id is not None:
        from libcoop.catalog.queries import cluster_citation

        found = cluster_citation(cluster_id)
        if found is None:
            raise ValidationError(_("That catalog record is no longer in the catalog."))
        citation.setdefault("title", found.title)
        citation.setdefault("author", found.author)
        if found.year and not citation.get("year"):
            citation["year"] = str(found.year)
        if found.isbns and not citation.get("isbn"):
            citation["isbn"] = found.isbns[0]
    if not str(citation.get("title", "")).strip():
        raise ValidationError(_("Give the title of what is wanted."))
    service = citation.get("service_type", ServiceType.LOAN)
    if service == ServiceType.COPY and not citation.pop("copyright_confirmed", False):
        raise ValidationError(
            _("A copy is sent only after the copyright statement has been confirmed.")
        )
    citation.pop("copyright_confirmed", None)
    request = PatronRequest(
        requester=requester,
        request_id=f"{requester.code}-{uuid.uuid4().hex[:12]}",
        patron=patron,
        patron_name=(patron.get_full_name() or patron.get_username()) if patron else "",
        created_by=user,
        cluster_id=cluster_id,
        copyright_confirmed=service == ServiceType.COPY,
        **citation,
    )
    request.full_clean(exclude=["patron", "created_by", "supplier"])
    request.save()
    record(
        AuditVerb.ILL_REQUEST_CHANGED,
        request,
        acting_user=acting_user,
        institution_code=requester.code,
        action="create",
        state=[None, request.state],
    )
    return request


class _Probe:
    """An object with a requester id, for asking whether the actor is the library's staff."""

    def __init__(self, requester_id: int) -> None:
        self.requester_id = requester_id
        self.patron_id = None


# --- the state machines ------------------------------------------------------------------


def _now() -> datetime.datetime:
    return timezone.now()


def _header_for(request: PatronRequest, lender: Agency) -> m.Header:
    return m.Header(
        supplying=m.AgencyId(lender.id_type, lender.id_value),
        requesting=_agency_id(agency_for(request.requester)),
        timestamp=_now(),
        requesting_request_id=request.request_id,
        supplying_request_id=request.supplier_request_id,
    )


def _agency_id(agency: Agency) -> m.AgencyId:
    return m.AgencyId(agency.id_type, agency.id_value)


def _request_message(request: PatronRequest, lender: Agency) -> m.Request:
    identifiers = tuple(
        (code, value)
        for code, value in (("ISBN", request.isbn), ("ISSN", request.issn), ("DOI", request.doi))
        if value
    )
    record_id = ""
    if request.cluster_id and lender.institution_id:
        from libcoop.catalog.queries import local_record_id

        record_id = local_record_id(request.cluster_id, lender.institution_id)
    return m.Request(
        header=_header_for(request, lender),
        bibliographic=m.Bibliographic(
            title=request.journal or request.title if request.article_title else request.title,
            author=request.author,
            title_of_component=request.article_title,
            volume=request.volume,
            issue=request.issue,
            pages=request.pages,
            publication_date=request.year,
            identifiers=identifiers,
            supplier_record_id=record_id,
        ),
        service_type=request.service_type,
        need_before=request.needed_by,
        note=request.note,
        patron_name=request.patron_name,
        copyright_compliance="US-CCG" if request.service_type == ServiceType.COPY else "",
    )


def _ram(request: PatronRequest, action: str, note: str = "") -> None:
    """Tell the current lender (requesting agency message), if one has been asked."""
    if request.supplier is None:
        return
    message = m.RequestingAgencyMessage(
        header=_header_for(request, request.supplier), action=action, note=note
    )
    messaging.queue(agency_for(request.requester), request.supplier, message)


def _sam(
    supply: SupplyRequest, reason: str, status: str, *, answer: str = "", **extra: Any
) -> None:
    """Tell the requester (supplying agency message)."""
    lender = agency_for(supply.lender)
    message = m.SupplyingAgencyMessage(
        header=m.Header(
            supplying=_agency_id(lender),
            requesting=_agency_id(supply.requesting_agency),
            timestamp=_now(),
            requesting_request_id=supply.requesting_request_id,
            supplying_request_id=supply.supply_id,
        ),
        reason_for_message=reason,
        status=status,
        answer_yes_no=answer,  # type: ignore[arg-type]
        **extra,
    )
    messaging.queue(lender, supply.requesting_agency, message)


def _ask_next(request: PatronRequest, params: dict[str, Any]) -> str:
    """Ask the next lender of the rota; unfilled when none is left. Returns the new state."""
    entry = request.rota.filter(outcome=RotaEntry.Outcome.WAITING).order_by("position").first()
    if entry is None:
        request.supplier = None
        request.supplier_request_id = ""
        return R.UNFILLED
    entry.outcome = RotaEntry.Outcome.ASKED
    entry.asked_at = _now()
    entry.save(update_fields=["outcome", "asked_at"])
    request.supplier = entry.agency
    request.supplier_request_id = ""
    messaging.queue(
        agency_for(request.requester), entry.agency, _request_message(request, entry.agency)
    )
    params["lender"] = str(entry.agency)
    return R.SENT


def _close_current(request: PatronRequest, outcome: str, note: str = "") -> None:
    if request.supplier_id is None:
        return
    request.rota.filter(agency=request.supplier, outcome=RotaEntry.Outcome.ASKED).update(
        outcome=outcome, answered_at=_now(), note=note[:500]
    )


def build_rota(request: PatronRequest) -> list[RotaEntry]:
    from libcoop.catalog.queries import cluster_citation

    fmt = ""
    if request.cluster_id:
        found = cluster_citation(request.cluster_id)
        fmt = found.format if found else ""
    start = (request.rota.aggregate(n=models.Max("position"))["n"] or 0) + 1
    known = set(request.rota.values_list("agency_id", flat=True))
    entries = [
        RotaEntry(request=request, position=start + n, agency=agency, reason=reason)
        for n, (agency, reason) in enumerate(
            (a, r) for a, r in rota.choose(request, fmt) if a.pk not in known
        )
    ]
    return RotaEntry.objects.bulk_create(entries)


# Steps: what an action does beyond changing the state. (request, params) → new state or None.
def _r_send(request: PatronRequest, params: dict[str, Any]) -> str | None:
    if not request.rota.exists():
        build_rota(request)
    if not request.rota.filter(outcome=RotaEntry.Outcome.WAITING).exists():
        raise ValidationError(_("No library that lends holds this item; add a lender by hand."))
    return _ask_next(request, params)


def _r_cancel(request: PatronRequest, params: dict[str, Any]) -> str | None:
    if request.state in (R.SENT, R.EXPECTS_TO_SUPPLY, R.CONDITIONAL):
        _ram(request, "Cancel", params.get("note", ""))
        _close_current(request, RotaEntry.Outcome.SKIPPED, "cancelled by the requester")
    return None


def _r_accept(request: PatronRequest, params: dict[str, Any]) -> str | None:
    _ram(request, "Notification", "Conditions accepted")
    return None


def _r_reject(request: PatronRequest, params: dict[str, Any]) -> str | None:
    _ram(request, "Cancel", "Conditions declined")
    _close_current(request, RotaEntry.Outcome.SKIPPED, "conditions declined")
    return _ask_next(request, params)


def _r_receive(request: PatronRequest, params: dict[str, Any]) -> str | None:
    request.received_at = _now()
    _ram(request, "Received")
    return None


def _r_complete_copy(request: PatronRequest, params: dict[str, Any]) -> str | None:
    request.completed_at = _now()
    return None


def _r_renew(request: PatronRequest, params: dict[str, Any]) -> str | None:
    _ram(request, "Renew")
    return None


def _r_ship_return(request: PatronRequest, params: dict[str, Any]) -> str | None:
    _ram(request, "ShippedReturn")
    return None


def _r_lender_expects(request: PatronRequest, params: dict[str, Any]) -> str | None:
    request.supplier_request_id = params.get("supplier_request_id", request.supplier_request_id)
    request.rota.filter(agency=request.supplier, outcome=RotaEntry.Outcome.ASKED).update(
        outcome=RotaEntry.Outcome.SUPPLYING, answered_at=_now()
    )
    return None


def _r_lender_shipped(request: PatronRequest, params: dict[str, Any]) -> str | None:
    _r_lender_expects(request, params)
    request.shipped_at = _now()
    if params.get("copy_url"):
        request.copy_url = str(params["copy_url"])[:500]
    if params.get("due_date"):
        request.due_date = params["due_date"]
    return None


def _r_lender_unfilled(request: PatronRequest, params: dict[str, Any]) -> str | None:
    _close_current(request, RotaEntry.Outcome.UNFILLED, params.get("note", ""))
    return _ask_next(request, params)


def _r_lender_timeout(request: PatronRequest, params: dict[str, Any]) -> str | None:
    _ram(request, "Cancel", "No answer in time")
    _close_current(request, RotaEntry.Outcome.TIMED_OUT)
    return _ask_next(request, params)


def _r_lender_renewed(request: PatronRequest, params: dict[str, Any]) -> str | None:
    if params.get("due_date"):
        request.due_date = params["due_date"]
        request.renewals += 1
    return None


def _r_lender_completed(request: PatronRequest, params: dict[str, Any]) -> str | None:
    request.completed_at = _now()
    return None


REQUESTER_STEPS: dict[str, Callable[[PatronRequest, dict[str, Any]], str | None]] = {
    "send": _r_send,
    "cancel": _r_cancel,
    "accept_conditions": _r_accept,
    "reject_conditions": _r_reject,
    "receive": _r_receive,
    "complete": _r_complete_copy,
    "request_renewal": _r_renew,
    "ship_return": _r_ship_return,
    "lender_expects": _r_lender_expects,
    "lender_conditions": _r_lender_expects,
    "lender_shipped": _r_lender_shipped,
    "lender_unfilled": _r_lender_unfilled,
    "lender_timeout": _r_lender_timeout,
    "lender_renewed": _r_lender_renewed,
    "lender_completed": _r_lender_completed,
}


def _s_will_supply(supply: SupplyRequest, params: dict[str, Any]) -> str | None:
    _sam(supply, "RequestResponse", "WillSupply", answer="Y")
    return None


def _s_conditions(supply: SupplyRequest, params: dict[str, Any]) -> str | None:
    conditions = str(params.get("conditions", "")).strip()
    if not conditions:
        raise ValidationError(_("Say what the conditions are."))
    supply.conditions = conditions[:500]
    _sam(supply, "Notification", "ExpectToSupply", note=conditions, loan_condition="Other")
    return None


def _s_cannot_supply(supply: SupplyRequest, params: dict[str, Any]) -> str | None:
    supply.reason_unfilled = str(params.get("reason", "NotAvailableForILL"))[:100]
    _sam(
        supply,
        "RequestResponse",
        "Unfilled",
        answer="N",
        reason_unfilled=supply.reason_unfilled,
        note=str(params.get("note", ""))[:500],
    )
    return None


def _s_ship(supply: SupplyRequest, params: dict[str, Any]) -> str | None:
    policy = policy_of(supply.lender)
    supply.due_date = params.get("due_date") or (
        timezone.localdate() + datetime.timedelta(days=policy.loan_days)
    )
    supply.shipped_at = _now()
    due = datetime.datetime.combine(supply.due_date, datetime.time(23, 59), tzinfo=datetime.UTC)
    _sam(supply, "StatusChange", "Loaned", due_date=due, date_sent=_now())
    return None


def _s_send_copy(supply: SupplyRequest, params: dict[str, Any]) -> str | None:
    """A scan attached (``attach_copy``) goes as a download link; otherwise by post."""
    supply.shipped_at = _now()
    supply.completed_at = _now()
    scan = supply.copies.filter(attachment__isnull=False).order_by("-pk").first()
    extra: dict[str, Any] = {"sent_via": "Mail"}
    if scan is not None:
        path = reverse("ill:copy", args=[scan.token])
        extra = {"sent_via": "URL", "item_id": settings.LIBCOOP_SITE_URL.rstrip("/") + path}
    _sam(supply, "StatusChange", "CopyCompleted", date_sent=_now(), **extra)
    return None


def _s_recall(supply: SupplyRequest, params: dict[str, Any]) -> str | None:
    _sam(supply, "StatusChange", "Recalled")
    return None


def _s_check_in(supply: SupplyRequest, params: dict[str, Any]) -> str | None:
    _sam(supply, "StatusChange", "LoanCompleted")
    return None


def _s_complete(supply: SupplyRequest, params: dict[str, Any]) -> str | None:
    supply.completed_at = _now()
    return None


def _s_cancelled(supply: SupplyRequest, params: dict[str, Any]) -> str | None:
    _sam(supply, "CancelResponse", "Cancelled", answer="Y")
    return None


SUPPLIER_STEPS: dict[str, Callable[[SupplyRequest, dict[str, Any]], str | None]] = {
    "will_supply": _s_will_supply,
    "offer_conditions": _s_conditions,
    "cannot_supply": _s_cannot_supply,
    "ship": _s_ship,
    "send_copy": _s_send_copy,
    "recall": _s_recall,
    "check_in": _s_check_in,
    "complete": _s_complete,
    "requester_cancelled": _s_cancelled,
}


def _refuse_action(side: str, obj: Any, action: str, acting_user: Actor) -> None:
    """An action not allowed now: a permission error for someone who may never act on this
    row (they learn nothing of its state), else a message naming the state."""
    if action not in workflow.actions(side):
        raise ValidationError(_("Unknown action: %(action)s") % {"action": action[:40]})
    abilities = {t.ability for t in workflow.table(side) if t.action == action}
    if not any(can(acting_user, a, obj) for a in abilities):
        raise PermissionDenied(_("Not allowed: %(action)s") % {"action": action})
    raise ValidationError(
        _("This cannot be done while the request is “%(state)s”.")
        % {"state": obj.get_state_display()}
    )


def _notify(side: str, obj: Any, action: str, old: str) -> None:
    from libcoop.ill import notify

    if side != "requester":
        return
    if action in notify.PATRON_EVENTS:
        notify.patron(obj, notify.PATRON_EVENTS[action])
    if obj.state == R.UNFILLED and old != R.UNFILLED:
        notify.unfilled(obj)


def perform(
    obj: PatronRequest | SupplyRequest, action: str, *, acting_user: Actor, **params: Any
) -> Any:
    """Take *action* on either side of a request (see the module's docstring)."""
    side = "requester" if isinstance(obj, PatronRequest) else "supplier"
    model: type[models.Model] = PatronRequest if side == "requester" else SupplyRequest
    with transaction.atomic():
        locked: Any = model.objects.select_for_update().get(pk=obj.pk)  # type: ignore[attr-defined]
        transition = workflow.find(side, locked.state, action, locked.service_type)
        if transition is None:
            _refuse_action(side, locked, action, acting_user)
        assert transition is not None
        require(acting_user, transition.ability, locked)
        old = locked.state
        steps: dict[str, Any] = REQUESTER_STEPS if side == "requester" else SUPPLIER_STEPS
        step = steps.get(action)
        target = (step(locked, params) if step else None) or transition.target
        locked.state = target
        locked.save()
        _notify(side, locked, action, old)
        library = locked.requester if side == "requester" else locked.lender
        audit_params = {k: str(v)[:200] for k, v in params.items() if k != "supplier_request_id"}
        record(
            AuditVerb.ILL_REQUEST_CHANGED if side == "requester" else AuditVerb.ILL_SUPPLY_CHANGED,
            locked,
            acting_user=acting_user,
            institution_code=library.code,
            action=action,
            state=[old, target],
            **audit_params,
        )
    obj.state = locked.state
    return locked


@transaction.atomic
def add_lender(request: PatronRequest, agency: Agency, *, acting_user: Actor) -> PatronRequest:
    """Staff add a lender by hand (when the rota is exhausted, or before sending)."""
    request = PatronRequest.objects.select_for_update().get(pk=request.pk)
    require(acting_user, "ill.requester", request)
    if agency.institution_id == request.requester_id:
        raise ValidationError(_("A library does not lend to itself."))
    if request.state not in (R.NEW, R.VALIDATED, R.UNFILLED):
        raise ValidationError(_("Lenders can be added before sending, or once it is unfilled."))
    position = (request.rota.aggregate(n=models.Max("position"))["n"] or 0) + 1
    RotaEntry.objects.create(
        request=request,
        position=position,
        agency=agency,
        added_by_hand=True,
        reason={"added_by": getattr(user_of(acting_user), "username", "system")},
    )
    record(
        AuditVerb.ILL_REQUEST_CHANGED,
        request,
        acting_user=acting_user,
        institution_code=request.requester.code,
        action="add_lender",
        lender=str(agency),
    )
    if request.state == R.UNFILLED:
        params: dict[str, Any] = {}
        request.state = _ask_next(request, params)
        request.save()
    return request


@transaction.atomic
def correct_due_date(
    supply: SupplyRequest, due: datetime.date, reason: str, *, acting_user: Actor
) -> SupplyRequest:
    """The lender's staff correct a due date, with a reason that stays in the audit log; the
    requester is told (StatusChange with the new dueDate)."""
    supply = SupplyRequest.objects.select_for_update().get(pk=supply.pk)
    require(acting_user, "ill.supplier", supply)
    if supply.state != S.SHIPPED:
        raise ValidationError(_("Only a loan that is out has a due date to correct."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the correction."))
    old = supply.due_date
    supply.due_date = due
    supply.save(update_fields=["due_date", "updated"])
    record(
        AuditVerb.ILL_DUE_DATE_CORRECTED,
        supply,
        acting_user=acting_user,
        institution_code=supply.lender.code,
        due_date=[str(old), str(due)],
        reason=reason[:500],
    )
    when = datetime.datetime.combine(due, datetime.time(23, 59), tzinfo=datetime.UTC)
    _sam(supply, "StatusChange", "Loaned", due_date=when, note=reason[:500])
    return supply


@transaction.atomic
def attach_copy(supply: SupplyRequest, upload: Any, name: str, *, acting_user: Actor) -> Any:
    """The lender's staff attach the scan of a copy (PDF only). The patron gets a link that
    works for the lender's ``copy_link_days`` and ``copy_downloads``; then the file is deleted."""
    from django.utils.crypto import get_random_string

    from libcoop.core.attachments import store_upload
    from libcoop.ill.models import CopyFile

    supply = SupplyRequest.objects.select_for_update().select_related("lender").get(pk=supply.pk)
    require(acting_user, "ill.supplier", supply)
    if supply.service_type != ServiceType.COPY:
        raise ValidationError(_("Only a copy request takes a scan."))
    if supply.state not in (S.WILL_SUPPLY, S.AWAITING_PICK):
        raise ValidationError(_("Attach the scan once you will supply it, before sending."))
    attachment = store_upload(
        upload,
        name=name,
        acting_user=acting_user,
        institution=supply.lender,
        allowed=frozenset({"pdf"}),
    )
    policy = policy_of(supply.lender)
    return CopyFile.objects.create(
        supply=supply,
        attachment=attachment,
        token=get_random_string(40),
        expires=_now() + datetime.timedelta(days=policy.copy_link_days),
        downloads_left=policy.copy_downloads,
    )
