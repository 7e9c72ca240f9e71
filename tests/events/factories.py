"""factory_boy factories for event models (writes in tests still go through services)."""

from __future__ import annotations

import datetime

import factory

from libcoop.core.dates import DatePrecision
from libcoop.events.models import Event, EventKind, EventStatus
from tests.factories import InstitutionFactory, NetworkFactory


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title_th = factory.Sequence(lambda n: f"ประชุมทดสอบ {n}")
    title_en = factory.Sequence(lambda n: f"Test meeting {n}")
    kind = EventKind.MEETING
    network = factory.SubFactory(NetworkFactory)
    organiser = factory.SubFactory(InstitutionFactory)
    start_date = datetime.date(2027, 2, 1)
    precision = DatePrecision.DAY
    status = EventStatus.PLANNED
