"""factory_boy factories for outreach models (writes in tests still go through services)."""

from __future__ import annotations

import datetime

import factory

from libcoop.core.dates import DatePrecision
from libcoop.network.models import InstitutionKind
from libcoop.outreach.models import Activity, ActivityType, Programme
from tests.factories import InstitutionFactory


class SchoolFactory(InstitutionFactory):
    code = factory.Sequence(lambda n: f"SCH-{n:03d}")
    kind = InstitutionKind.SCHOOL
    name_th = factory.Sequence(lambda n: f"โรงเรียนทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test School {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"PRG-{n:03d}")
    name_th = factory.Sequence(lambda n: f"โครงการทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test programme {n}")
    run_by = factory.SubFactory(InstitutionFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    title_th = factory.Sequence(lambda n: f"กิจกรรมทดสอบ {n}")
    title_en = factory.Sequence(lambda n: f"Test activity {n}")
    activity_type = ActivityType.GREEN_CORNER
    date = datetime.date(2018, 1, 1)
    precision = DatePrecision.YEAR

    @factory.post_generation
    def schools(self, create: bool, extracted: list[object] | None, **kwargs: object) -> None:
        if create and extracted:
            self.schools.set(extracted)
