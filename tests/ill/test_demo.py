"""The ILL demo: a year of traffic among the demo's university libraries, made through the
services (states, rota, messages and audit are real), deterministic and idempotent.

The demo catalog (~3,500 records) is slow to load, so a small catalog stands in for it here:
books held by two to five of the same libraries, which cluster by ISBN."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import pytest
from django.utils import timezone

from libcoop.audit.models import AuditEvent
from libcoop.catalog.ingest import import_file
from libcoop.ill import demo, stats
from libcoop.ill.models import Outgoing, PatronRequest, RotaEntry, SupplyRequest
from libcoop.network.abilities import SYSTEM
from libcoop.network.demo import ensure_demo_accounts
from libcoop.network.models import Institution
from tests.catalog.marcdata import book, write

COUNT = 60


def _isbn(n: int) -> str:
    digits = f"978616{n:06d}"
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10) % 10
    return f"{digits}{check}"


@pytest.fixture
def small_catalog(demo_registry: None, tmp_path: Path) -> None:
    rng = random.Random(7)
    codes = [code for code, _w in demo.LIBRARIES]
    records: dict[str, list] = {code: [] for code in codes}
    for n in range(16):
        for code in rng.sample(codes, rng.randint(2, 5)):
            records[code].append(book(f"{code[:3]}{n:04d}", f"Demo book {n}", isbn=_isbn(n)))
    for code, recs in records.items():
        if recs:
            path = write(tmp_path / f"{code}.mrc", *recs)
            import_file(path, Institution.objects.get(code=code), acting_user=SYSTEM)
    ensure_demo_accounts()


def _snapshot() -> list[tuple[str, str, str, int]]:
    return sorted(
        PatronRequest.objects.filter(note=demo.DEMO_NOTE).values_list(
            "requester__code", "service_type", "state", "renewals"
        )
    )


def test_a_year_of_traffic_through_the_services(small_catalog: None) -> None:
    summary = demo.load_demo(COUNT)
    assert summary.startswith(f"ILL: {COUNT} demo requests among 8 libraries")
    requests = PatronRequest.objects.filter(note=demo.DEMO_NOTE)
    assert requests.count() == COUNT
    states = set(requests.values_list("state", flat=True))
    assert {"completed", "unfilled", "checked_out"} <= states
    assert states & {"overdue", "lost", "cancelled", "sent", "shipped"}
    assert requests.filter(service_type="Copy", state="completed").exists()
    assert requests.filter(renewals__gte=1).exists()
    assert requests.filter(cluster_id__isnull=False).exists()
    # every message was delivered and accepted: the two sides agree
    assert not Outgoing.objects.exclude(status=Outgoing.Status.SENT).exists()
    for request in requests.filter(state="completed", service_type="Loan")[:5]:
        supply = SupplyRequest.objects.get(
            requesting_request_id=request.request_id, lender=request.supplier.institution
        )
        assert supply.state in ("checked_in", "completed")
        assert supply.shipped_at == request.shipped_at
    # a second lender asked after the first said no
    assert RotaEntry.objects.filter(outcome="unfilled", request__state="completed").exists()
    # audited as made
    assert AuditEvent.objects.filter(data__action="check_out").count() >= 10
    # spread over the last twelve months, in order within each request, none in the future
    now = timezone.now()
    created = sorted(requests.values_list("created", flat=True))
    assert created[0] > now - datetime.timedelta(days=366) and created[-1] < now
    assert created[-1] - created[0] > datetime.timedelta(days=200)
    for request in requests.filter(received_at__isnull=False):
        assert request.created < request.shipped_at < request.received_at < now
        if request.completed_at:
            assert request.received_at < request.completed_at < now
    for request in requests.filter(state="overdue"):
        assert request.due_date < timezone.localdate()
    for request in requests.filter(state="checked_out"):
        assert request.due_date >= timezone.localdate()
    for supply in SupplyRequest.objects.filter(shipped_at__isnull=False):
        assert supply.created < supply.shipped_at
    # and the statistics have something to show
    assert sum(row.figures.requests for row in stats.years()) == COUNT
    report = stats.report()  # the last twelve calendar months: nearly all of them
    assert COUNT * 0.85 < report.total.figures.requests <= COUNT
    assert 0.6 < report.total.figures.fill_rate < 0.98
    assert report.turnaround["request_to_received"].median_hours > 24
    assert sum(1 for row in report.months if row.figures.requests) >= 10

    # idempotent
    before = _snapshot()
    assert "already" in demo.load_demo(COUNT)
    assert _snapshot() == before


def test_deterministic(small_catalog: None) -> None:
    from django.db import transaction

    with transaction.atomic():
        demo.load_demo(20)
        first = _snapshot()
        transaction.set_rollback(True)
    demo.load_demo(20)
    assert _snapshot() == first
