"""The cross-app read contract of libcoop.outreach.queries (docs/contracts.md)."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from libcoop.network.models import Institution
from libcoop.outreach import queries
from libcoop.outreach.demo import load_demo
from libcoop.outreach.models import Activity
from tests.outreach.factories import ActivityFactory, ProgrammeFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfu(demo_registry: None) -> Institution:
    load_demo()
    return Institution.objects.get(code="MFU-LIB")


def test_activities_of_in_thai_and_english(mfu: Institution) -> None:
    facts = queries.activities_of(mfu)
    assert [f.date.year for f in facts] == [2017, 2018, 2019]
    corner = facts[0]
    assert isinstance(corner, queries.OutreachActivityFact)
    assert dataclasses.is_dataclass(corner) and corner.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert corner.programme_code == "MFU-BIGSIB"
    assert corner.programme_name == "โครงการห้องสมุดพี่ช่วยน้อง"
    assert corner.activity_type == "green_corner" and corner.precision == "year"
    assert corner.date == datetime.date(2017, 1, 1)
    assert corner.schools == [
        queries.SchoolRef("THANTHIP-SCH", "โรงเรียนธารทิพย์", "เมืองเชียงราย", "เชียงราย")
    ]
    assert corner.pupils is None and corner.url == f"/outreach/activities/{corner.pk}/"
    english = queries.activities_of(mfu, year=2018, lang="en")
    assert len(english) == 1
    assert english[0].title.startswith("Teaching the little ones")
    assert english[0].activity_type_label == "Waste-sorting lesson"
    assert english[0].schools[0].province == "Chiang Rai"


def test_programme_objectives(mfu: Institution) -> None:
    [(name, objectives)] = queries.programme_objectives(mfu)
    assert name == "โครงการห้องสมุดพี่ช่วยน้อง" and "จัดมุมความรู้ห้องสมุดสีเขียว" in objectives
    [(name_en, _)] = queries.programme_objectives(mfu, lang="en")
    assert name_en.startswith("Big-sibling")


def test_reach_counts_known_figures_and_distinct_schools(mfu: Institution) -> None:
    reach = queries.reach_of([mfu.pk])
    assert reach == queries.Reach(activities=3, schools=3, pupils=0, teachers=0)
    assert queries.reach_of([mfu.pk], year=2018).schools == 2
    programme = ProgrammeFactory()
    school = SchoolFactory()
    ActivityFactory(programme=programme, schools=[school], pupils=10, teachers=2)
    ActivityFactory(programme=programme, schools=[school], pupils=None, teachers=1)
    both = queries.reach_of([mfu.pk, programme.run_by_id])
    assert both == queries.Reach(activities=5, schools=4, pupils=10, teachers=3)


def test_activity_exists_for(mfu: Institution) -> None:
    own = Activity.objects.filter(programme__run_by=mfu).first()
    other = ActivityFactory()
    assert own is not None and queries.activity_exists_for(mfu, own.pk)
    assert not queries.activity_exists_for(mfu, other.pk)
    assert not queries.activity_exists_for(mfu, 999999)
