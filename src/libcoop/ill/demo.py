"""A year of interlibrary-loan traffic among the demo's university libraries (``libcoop demo``,
after the catalog), so that the statistics and the rota's history have something to show.

Every request is made and moved through the services — ``create_request``, ``perform`` by
each side's staff (a demo account where the library has one, else ``SYSTEM``), ``add_lender``
— so states, rota entries, ISO 18626 messages and audit entries are real; the messages are
delivered at once, in order, through the same code as in production. Only afterwards are the
timestamps spread over the last twelve months with queryset updates (the audit log keeps the
time the demo was loaded).

Loans ask for catalog clusters held by several demo libraries (the rota picks the lenders);
article copies are citations sent to a lender chosen by hand. Some requests go unfilled, some
pass to a second lender, a few are renewed, cancelled, overdue or lost, and the last weeks'
requests are still open. Deterministic (one seeded ``random.Random``) and idempotent: a second
run finds the demo's requests (by their note) and adds nothing.
"""

from __future__ import annotations

import datetime
import logging
import random
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from libcoop.ill import messaging, services
from libcoop.ill.models import (
    Outgoing,
    PatronRequest,
    RotaEntry,
    ServiceType,
    SupplyRequest,
)
from libcoop.network.abilities import SYSTEM, Actor
from libcoop.network.models import Institution, StaffProfile, StaffRole

DEMO_NOTE: Final = "Demo request (generated for the LibCoop demo)"
SEED: Final = 2567
COUNT: Final = 320
# The demo catalog's university libraries (catalog/demo/libraries.py), with how much each
# borrows relative to the others.
LIBRARIES: Final = (
    ("MFU-LIB", 1.3),
    ("CMU-LIB", 1.6),
    ("KKU-LIB", 1.2),
    ("NU-LIB", 0.9),
    ("MJU-LIB", 0.6),
    ("PSU-LIB", 1.2),
    ("SUT-LIB", 0.8),
    ("UBU-LIB", 0.7),
)
JOURNALS: Final = (
    ("วารสารห้องสมุด", "0125-0914"),
    ("วารสารสารสนเทศศาสตร์", "0857-4677"),
    ("Journal of Library Administration", "0193-0826"),
    ("College & Research Libraries", "0010-0870"),
    ("วารสารวิจัยและพัฒนา มจธ.", "0125-278X"),
    ("Journal of Environmental Management", "0301-4797"),
    ("Asian Journal of Agriculture and Biology", "2307-8553"),
    ("Thai Journal of Veterinary Medicine", "0125-6491"),
)
ARTICLES: Final = (
    "การพัฒนาห้องสมุดสีเขียวในมหาวิทยาลัยไทย",
    "Interlibrary loan turnaround in Southeast Asia",
    "การใช้ทรัพยากรสารสนเทศร่วมกันของห้องสมุดมหาวิทยาลัย",
    "Energy use in academic library buildings",
    "Rice straw management in northern Thailand",
    "พฤติกรรมการสืบค้นสารสนเทศของนักศึกษาปริญญาตรี",
    "Open access and resource sharing",
    "Lanna manuscripts: digitisation and access",
)
PICKUP: Final = ("เคาน์เตอร์บริการยืม-คืน", "Circulation desk", "ห้องสมุดคณะ")

# outcome → share of the requests; "open_*" ones are recent and still open.
OUTCOMES: Final = (
    ("loan", 0.46),
    ("loan_second_lender", 0.08),
    ("loan_renewed", 0.06),
    ("copy", 0.16),
    ("unfilled", 0.06),
    ("cancelled", 0.03),
    ("overdue", 0.03),
    ("lost", 0.01),
    ("open_sent", 0.03),
    ("open_shipped", 0.02),
    ("open_checked_out", 0.06),
)


@dataclass
class Plan:
    outcome: str
    requester: Institution
    cluster_id: int | None
    start: datetime.datetime  # the patron's request
    hours: dict[str, float] = field(default_factory=dict)  # step → hours after start


def load_demo(count: int = COUNT) -> str:
    """Add the demo's ILL traffic once; return a one-line summary."""
    existing = PatronRequest.objects.filter(note=DEMO_NOTE).count()
    if existing:
        return f"ILL: {existing} demo requests already there"
    libraries = _libraries()
    if len(libraries) < 2:
        return "ILL: the demo's university libraries are not loaded; nothing added"
    # Messages are delivered here, one by one (deliver_one); the task each action also
    # enqueues after commit then finds nothing left to send (and says so quietly).
    task_log = logging.getLogger("django.tasks")
    level = task_log.level
    task_log.setLevel(logging.WARNING)
    try:
        with (
            override_settings(
                TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
            ),
            transaction.atomic(),
        ):
            made = _load(libraries, count)
    finally:
        task_log.setLevel(level)
    states = PatronRequest.objects.filter(note=DEMO_NOTE).values_list("state", flat=True)
    filled = PatronRequest.objects.filter(note=DEMO_NOTE, shipped_at__isnull=False).count()
    return (
        f"ILL: {made} demo requests among {len(libraries)} libraries "
        f"({filled} filled, {sum(1 for s in states if s == 'unfilled')} unfilled)"
    )


def _libraries() -> list[tuple[Institution, float]]:
    found = {i.code: i for i in Institution.objects.filter(code__in=[c for c, _w in LIBRARIES])}
    return [(found[code], weight) for code, weight in LIBRARIES if code in found]


def _staff() -> dict[int, Actor]:
    """A demo staff account per library where there is one (librarian first), else SYSTEM."""
    actors: dict[int, Actor] = {}
    for profile in (
        StaffProfile.objects.filter(role__in=[StaffRole.LIBRARIAN, StaffRole.LIBRARY_ADMIN])
        .select_related("user")
        .order_by("-role", "user__username")
    ):
        actors.setdefault(profile.institution_id, profile.user)
    return actors


def _patrons() -> dict[int, Any]:
    return {
        p.institution_id: p.user
        for p in StaffProfile.objects.filter(role=StaffRole.PATRON)
        .select_related("user")
        .order_by("user__username")
    }


def _clusters(library_ids: list[int]) -> list[tuple[int, set[int]]]:
    """Catalog clusters held by at least two demo libraries, with their holders (read only)."""
    from libcoop.catalog.models import BibRecord

    holders: dict[int, set[int]] = {}
    for cluster_id, library_id in (
        BibRecord.objects.filter(
            active=True, library_id__in=library_ids, cluster__library_count__gte=2
        )
        .order_by("cluster_id")
        .values_list("cluster_id", "library_id")
    ):
        holders.setdefault(cluster_id, set()).add(library_id)
    return [(pk, held) for pk, held in holders.items() if len(held) >= 2]


def _flush() -> None:
    """Deliver every message in the outbox, oldest first (each may cause more)."""
    while True:
        row = (
            Outgoing.objects.filter(status=Outgoing.Status.PENDING)
            .select_related("recipient", "sender")
            .order_by("pk")
            .first()
        )
        if row is None:
            return
        messaging.deliver_one(row)
        if row.status == Outgoing.Status.PENDING:  # pragma: no cover - all local
            raise RuntimeError(f"demo message {row.pk} not delivered: {row.last_error}")


def _pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    return rng.choices([x for x, _w in weighted], weights=[w for _x, w in weighted])[0]


def _load(libraries: list[tuple[Institution, float]], count: int) -> int:
    rng = random.Random(SEED)
    for library, _weight in libraries:
        services.agency_for(library)
    staff = _staff()
    patrons = _patrons()
    ids = [library.pk for library, _w in libraries]
    clusters = _clusters(ids)
    now = timezone.now()
    plans: list[Plan] = []
    for _n in range(count):
        outcome = _pick(rng, list(OUTCOMES))
        requester = _pick(rng, libraries)
        cluster_id = None
        if outcome != "copy" and clusters:
            candidates = [pk for pk, held in clusters if held - {requester.pk}]
            if outcome == "loan_second_lender":
                candidates = [pk for pk, held in clusters if len(held - {requester.pk}) >= 2]
            cluster_id = rng.choice(candidates) if candidates else None
        plans.append(Plan(outcome, requester, cluster_id, _start(rng, outcome, now)))
    for plan in sorted(plans, key=lambda p: p.start):
        _run(plan, rng, staff, patrons, [lib for lib, _w in libraries])
    return len(plans)


def _start(rng: random.Random, outcome: str, now: datetime.datetime) -> datetime.datetime:
    """When the patron asked: recent for what is still open, any time in the year else."""
    days = {
        "open_sent": (0.4, 2.5),
        "open_shipped": (5.0, 8.0),
        "open_checked_out": (12.0, 25.0),
        "overdue": (45.0, 90.0),
        "lost": (120.0, 300.0),
        "copy": (7.0, 362.0),
        "cancelled": (3.0, 362.0),
        "unfilled": (20.0, 362.0),
        "loan_renewed": (80.0, 362.0),
    }.get(outcome, (60.0, 362.0))  # completed loans take up to ~45 days
    moment = now - datetime.timedelta(days=rng.uniform(*days))
    # office hours in Bangkok, mostly
    local = timezone.localtime(moment)
    return local.replace(hour=rng.randint(8, 19), minute=rng.randint(0, 59), second=0)


def _run(
    plan: Plan,
    rng: random.Random,
    staff: dict[int, Actor],
    patrons: dict[int, Any],
    libraries: list[Institution],
) -> None:
    requester = plan.requester
    me = staff.get(requester.pk, SYSTEM)
    patron = patrons.get(requester.pk)
    by_patron = patron is not None and rng.random() < 0.5
    h = plan.hours
    copy = plan.outcome == "copy"
    citation: dict[str, Any] = {
        "pickup_location": rng.choice(PICKUP),
        "note": DEMO_NOTE,
        "service_type": ServiceType.COPY if copy else ServiceType.LOAN,
    }
    if copy or plan.cluster_id is None:
        journal, issn = rng.choice(JOURNALS)
        citation.update(
            title=journal if copy else rng.choice(ARTICLES),
            article_title=rng.choice(ARTICLES) if copy else "",
            issn=issn if copy else "",
            volume=str(rng.randint(5, 40)) if copy else "",
            issue=str(rng.randint(1, 4)) if copy else "",
            pages=f"{(p := rng.randint(1, 180))}-{p + rng.randint(6, 20)}" if copy else "",
            year=str(rng.randint(2015, 2025)),
            copyright_confirmed=copy,
        )
    asker: Actor = patron if by_patron and patron is not None else me
    request = services.create_request(
        requester,
        acting_user=asker,
        patron=None if by_patron else patron if rng.random() < 0.3 else None,
        cluster_id=None if copy else plan.cluster_id,
        **citation,
    )
    if plan.cluster_id is None or copy:
        others = [lib for lib in libraries if lib.pk != requester.pk]
        for lender in rng.sample(
            others, 2 if plan.outcome in ("unfilled", "loan_second_lender") else 1
        ):
            services.add_lender(request, services.agency_for(lender), acting_user=me)

    def act(obj: Any, action: str, actor: Actor, **params: Any) -> None:
        services.perform(obj, action, acting_user=actor, **params)
        _flush()

    def supply() -> SupplyRequest:
        request.refresh_from_db()
        assert request.supplier is not None
        return SupplyRequest.objects.get(
            requesting_request_id=request.request_id, lender=request.supplier.institution
        )

    def lender_staff(s: SupplyRequest) -> Actor:
        return staff.get(s.lender_id, SYSTEM)

    h["validated"] = rng.uniform(0.2, 6)
    act(request, "validate", me)
    h["sent"] = h["validated"] + rng.uniform(0.1, 3)
    act(request, "send", me)
    request.refresh_from_db()
    if request.state != "sent":  # no lender (cannot happen with the choices above)
        return
    if plan.outcome == "open_sent":
        _times(request, plan)
        return
    if plan.outcome == "cancelled":
        h["cancelled"] = h["sent"] + rng.uniform(2, 40)
        act(request, "cancel", asker)
        _times(request, plan)
        return
    asked = 0
    while True:
        s = supply()
        asked += 1
        if plan.outcome == "unfilled" or (plan.outcome == "loan_second_lender" and asked == 1):
            h[f"unfilled{asked}"] = h.get(f"unfilled{asked - 1}", h["sent"]) + rng.uniform(3, 50)
            act(s, "cannot_supply", lender_staff(s), reason=rng.choice(["NotOnShelf", "InUse"]))
            request.refresh_from_db()
            if request.state == "unfilled":
                _times(request, plan)
                return
            continue
        break
    base = h.get(f"unfilled{asked - 1}", h["sent"])
    h["will_supply"] = base + rng.uniform(1, 30)
    act(s, "will_supply", lender_staff(s))
    h["shipped"] = h["will_supply"] + rng.uniform(2, 70)
    if copy:
        act(s, "send_copy", lender_staff(s))
        h["received"] = h["shipped"] + rng.uniform(0.5, 8)
        act(request, "receive", me)
        h["completed"] = h["received"] + rng.uniform(0.2, 24)
        act(request, "complete", me)
        _times(request, plan)
        return
    act(s, "pick", lender_staff(s))
    act(s, "ship", lender_staff(s))
    if plan.outcome == "open_shipped":
        _times(request, plan)
        return
    h["received"] = h["shipped"] + rng.uniform(20, 110)
    act(request, "receive", me)
    h["checked_out"] = h["received"] + rng.uniform(1, 50)
    act(request, "check_out", me)
    if plan.outcome == "open_checked_out":
        _times(request, plan)
        return
    if plan.outcome == "loan_renewed":
        h["renewed"] = h["checked_out"] + rng.uniform(15, 25) * 24
        act(request, "request_renewal", me)
    if plan.outcome in ("overdue", "lost"):
        _times(request, plan)  # the due date must have passed before the clock says so
        act(request, "overdue", SYSTEM)
        if plan.outcome == "lost":
            act(request, "mark_lost", me)
        _times(request, plan)
        return
    h["returned"] = h.get("renewed", h["checked_out"]) + rng.uniform(5, 26) * 24
    act(request, "patron_returned", me)
    h["return_shipped"] = h["returned"] + rng.uniform(2, 30)
    act(request, "ship_return", me)
    h["completed"] = h["return_shipped"] + rng.uniform(24, 100)
    act(s, "check_in", lender_staff(s))
    act(s, "complete", lender_staff(s))
    _times(request, plan)


# Outgoing message summary → the step whose time it carries.
MESSAGE_STEP: Final[dict[str, str]] = {
    "RequestResponse/WillSupply": "will_supply",
    "StatusChange/Loaned": "shipped",
    "StatusChange/CopyCompleted": "shipped",
    "Received": "received",
    "Renew": "renewed",
    "RenewResponse/Loaned": "renewed",
    "ShippedReturn": "return_shipped",
    "StatusChange/LoanCompleted": "completed",
    "Cancel": "cancelled",
    "CancelResponse/Cancelled": "cancelled",
}


def _times(request: PatronRequest, plan: Plan) -> None:
    """Move the request's timestamps from the load's moment to the plan's (queryset updates:
    no audit entry, no message)."""
    h = plan.hours

    def at(step: str) -> datetime.datetime | None:
        return plan.start + datetime.timedelta(hours=h[step]) if step in h else None

    request.refresh_from_db()
    shipped = at("shipped")
    due = None
    if shipped is not None and request.due_date is not None:
        lender = request.supplier.institution if request.supplier else None
        policy = services.policy_of(lender) if lender is not None else None
        loan_days = policy.loan_days if policy else 28
        renew_days = policy.renewal_days if policy else 14
        due = timezone.localtime(shipped).date() + datetime.timedelta(
            days=loan_days + renew_days * request.renewals
        )
    PatronRequest.objects.filter(pk=request.pk).update(
        created=plan.start,
        updated=plan.start + datetime.timedelta(hours=max(h.values(), default=0)),
        shipped_at=shipped if request.shipped_at else None,
        received_at=at("received") if request.received_at else None,
        completed_at=at("completed") if request.completed_at else None,
        due_date=due if request.due_date else None,
    )
    # Each lender asked: the request reached it when it was sent or the one before said no.
    asked_times = [at("sent")] + [at(f"unfilled{n}") for n in range(1, 10) if f"unfilled{n}" in h]
    entries = request.rota.filter(asked_at__isnull=False).order_by("position")
    for n, (entry, asked) in enumerate(zip(entries, asked_times, strict=False), 1):
        answered = at(f"unfilled{n}") or at("will_supply") or at("cancelled")
        RotaEntry.objects.filter(pk=entry.pk).update(
            asked_at=asked, answered_at=answered if entry.answered_at else None
        )
        SupplyRequest.objects.filter(
            requesting_request_id=request.request_id, lender=entry.agency.institution_id
        ).update(created=asked, updated=answered or asked)
    SupplyRequest.objects.filter(
        requesting_request_id=request.request_id, shipped_at__isnull=False
    ).update(shipped_at=shipped, due_date=due)
    SupplyRequest.objects.filter(
        requesting_request_id=request.request_id, completed_at__isnull=False
    ).update(completed_at=at("completed") or shipped)
    for summary, step in MESSAGE_STEP.items():
        moment = at(step)
        if moment is not None:
            Outgoing.objects.filter(request_id=request.request_id, summary=summary).update(
                created=moment, sent_at=moment, next_attempt=None
            )
    Outgoing.objects.filter(request_id=request.request_id, kind="request").update(
        created=at("sent"), sent_at=at("sent")
    )
