"""The demo outreach data: the seed's programme, schools and years; idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest

from libcoop.audit.models import AuditEvent
from libcoop.core.dates import DatePrecision
from libcoop.outreach.demo import load_demo
from libcoop.outreach.models import Activity, Programme

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Programme.objects.count(),
        Activity.objects.count(),
        Activity.schools.through.objects.count(),
        AuditEvent.objects.count(),
    )


def test_second_load_changes_nothing(demo_registry: None) -> None:
    load_demo()
    counts = _counts()
    summary = load_demo()
    assert _counts() == counts
    assert "(0 created or changed)" in summary


def test_the_seeds_programme_schools_and_years(demo_registry: None) -> None:
    load_demo()
    programme = Programme.objects.get(code="MFU-BIGSIB")
    assert programme.name_th == "โครงการห้องสมุดพี่ช่วยน้อง"
    assert programme.run_by.code == "MFU-LIB"
    assert programme.network is not None and programme.network.code == "MFU-BIGSIB"
    assert "จัดมุมความรู้ห้องสมุดสีเขียว" in programme.objectives_th
    assert "ให้ความรู้แก่นักเรียนในการคัดแยกขยะก่อนทิ้ง" in programme.objectives_th
    rows = {
        a.date.year: (a.activity_type, sorted(s.code for s in a.schools.all()), a)
        for a in programme.activities.all()
    }
    assert sorted(rows) == [2017, 2018, 2019]
    assert rows[2017][:2] == ("green_corner", ["THANTHIP-SCH"])
    assert rows[2017][2].title_th == "MFU Green Corner"
    assert "ประดิษฐ์ของจากวัสดุเหลือใช้" in rows[2017][2].description_th
    assert rows[2018][:2] == ("waste_sorting", ["ANUBAN-NANGLAE-SCH", "HUAIHANGPASA-SCH"])
    assert rows[2018][2].title_th == "สอนน้องแยกขยะก่อนทิ้ง"
    assert rows[2019][0] == "service_objective"
    assert "โครงการบริการวิชาการและชุมชน" in rows[2019][2].objectives_th
    for activity in programme.activities.all():
        assert activity.precision == DatePrecision.YEAR
        assert (activity.pupils, activity.teachers, activity.staff) == (None, None, None)
        assert not activity.illustrative


def test_a_changed_file_is_applied_through_the_services(
    demo_registry: None, tmp_path: Path
) -> None:
    from libcoop.outreach.demo import DEMO_FILE

    load_demo()
    text = DEMO_FILE.read_text(encoding="utf-8").replace(
        "schools: [THANTHIP-SCH]", "schools: [THANTHIP-SCH, HUAIHANGPASA-SCH]"
    )
    changed = tmp_path / "demo.yaml"
    changed.write_text(text, encoding="utf-8")
    assert "(1 created or changed)" in load_demo(changed)
    corner = Activity.objects.get(title_th="MFU Green Corner")
    assert corner.schools.count() == 2
    event = AuditEvent.objects.filter(verb="outreach.activity.changed").get()
    assert event.data["changes"]["schools"] == [
        ["THANTHIP-SCH"],
        ["HUAIHANGPASA-SCH", "THANTHIP-SCH"],
    ]
