"""The demo events: true to the seed and the notes, illustrative rows marked, idempotent."""

from __future__ import annotations

import pytest

from libcoop.audit.models import AuditEvent
from libcoop.core.dates import DatePrecision
from libcoop.events.demo import load_demo
from libcoop.events.models import Attendance, Event, EventStatus

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return Event.objects.count(), Attendance.objects.count(), AuditEvent.objects.count()


def test_second_load_changes_nothing(demo_registry: None) -> None:
    first = load_demo()
    counts = _counts()
    second = load_demo()
    assert _counts() == counts
    assert "0 created or changed" in second and "0 created or changed" not in first


def test_confirmed_signing_and_yearly_attendance(demo_registry: None) -> None:
    load_demo()
    signing = Event.objects.get(uid="gln-signing-2014@demo.libcoop")
    assert signing.start_date.isoformat() == "2014-06-25"
    assert signing.precision == DatePrecision.DAY and not signing.illustrative
    assert signing.organiser is not None and signing.organiser.code == "KU-LIB"
    hosts = {a.institution.code for a in signing.attendances.all()}
    assert hosts == {"KU-LIB", "DEQP", "TLA"}
    yearly = Event.objects.filter(
        network__code="GLN", attendances__institution__code="MFU-LIB", start_date__year__lte=2019
    )
    assert sorted({e.start_date.year for e in yearly}) == [2014, 2015, 2016, 2017, 2018, 2019]
    assert all(e.illustrative and e.precision == DatePrecision.YEAR for e in yearly)
    ggon = Event.objects.get(network__code="GGON", kind="exchange", status=EventStatus.HELD)
    assert ggon.organiser is not None and ggon.organiser.code == "DEQP" and ggon.illustrative
    assert Event.objects.filter(start_date__year__gte=2026, status=EventStatus.PLANNED).count() >= 2
