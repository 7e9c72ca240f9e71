"""The report's sentences about events, outreach and knowledge (pure functions on plain facts)."""

from __future__ import annotations

import datetime

from libcoop.events.queries import AttendedEvent
from libcoop.greenlib.report.text import (
    Full,
    and_,
    event_sentences,
    knowledge_sentence,
    outreach_sentences,
    paragraph,
)
from libcoop.knowledge.queries import ArticleFact
from libcoop.outreach.queries import OutreachActivityFact, SchoolRef

GLN_TH = "เครือข่ายห้องสมุดสีเขียว"


def event(
    year: int, kind: str = "meeting", role: str = "participant", network: str | None = GLN_TH
):
    return AttendedEvent(
        pk=year,
        title=f"event {year}",
        kind=kind,
        kind_label=kind,
        network_code="GLN" if network else None,
        network_name=network,
        start=datetime.date(year, 6, 1),
        precision="day",
        role=role,
        role_label=role,
        attendees=2,
        people=[],
        place="",
        url=f"/events/{year}/",
    )


def test_every_year_only_when_no_year_is_missing() -> None:
    events = [event(y) for y in range(2014, 2020)] + [event(2016, "seminar")]
    assert event_sentences(events, 2019, "th") == [
        f"ส่งบุคลากรเข้าร่วมประชุมและสัมมนาของ{GLN_TH}เป็นประจำทุกปี ตั้งแต่ปี 2557 ถึงปี 2562"
    ]
    assert event_sentences(events, 2019, "en") == [
        f"sent staff to the {GLN_TH}'s meetings and seminars every year from 2014 to 2019"
    ]
    gaps = [event(2015), event(2017), event(2019)]
    assert event_sentences(gaps, 2019, "th") == [
        f"ส่งบุคลากรเข้าร่วมประชุมของ{GLN_TH} ในปี 2558 2560 และ 2562"
    ]
    # Up to 2018 but the report is for 2019: not "every year".
    assert "every year" not in event_sentences([event(y) for y in range(2014, 2019)], 2019, "en")[0]


def test_hosting_and_events_of_no_network() -> None:
    events = [event(2018, "seminar", role="host"), event(2018, "training", network=None)]
    assert event_sentences(events, 2019, "en") == [
        f"hosted the {GLN_TH}'s seminars in 2018",
        "sent staff to other training in 2018",
    ]


def school(name: str) -> SchoolRef:
    return SchoolRef(code=name, name=name, district="เมืองเชียงราย", province="เชียงราย")


def activity(
    year: int, title: str, schools: list[SchoolRef], kind: str = "green_corner"
) -> OutreachActivityFact:
    return OutreachActivityFact(
        pk=year,
        programme_code="P",
        programme_name="โครงการ",
        title=title,
        activity_type=kind,
        activity_type_label=kind,
        date=datetime.date(year, 1, 1),
        precision="year",
        schools=schools,
        pupils=None,
        teachers=None,
        staff=None,
        objectives="Teaching young people was made an objective." if not schools else "",
        description="",
        outcomes="",
        url=f"/outreach/activities/{year}/",
    )


def test_outreach_by_year_with_schools_and_place() -> None:
    activities = [
        activity(2017, "A", [school("โรงเรียนหนึ่ง")]),
        activity(2018, "B", [school("โรงเรียนสอง"), school("โรงเรียนสาม")]),
        activity(2019, "C", [], kind="service_objective"),
    ]
    th = outreach_sentences(activities, [("โครงการพี่ช่วยน้อง", "เพื่อจัดมุมความรู้")], "th")
    assert th == [
        "ดำเนินโครงการพี่ช่วยน้อง เพื่อจัดมุมความรู้",
        "ในปี 2560 จัดกิจกรรม “A” ที่โรงเรียนหนึ่ง อ.เมืองเชียงราย จ.เชียงราย",
        "ในปี 2561 จัดกิจกรรม “B” ที่โรงเรียนสอง และโรงเรียนสาม อ.เมืองเชียงราย จ.เชียงราย",
        "ในปี 2562 Teaching young people was made an objective.",
    ]
    en = outreach_sentences(activities, [("Big sibling", "To set up corners.")], "en")
    assert en[0] == "runs the programme “Big sibling”, to set up corners"
    assert en[2] == "held “B” at โรงเรียนสอง and โรงเรียนสาม, เมืองเชียงราย, เชียงราย in 2018"
    assert (
        isinstance(en[3], Full) and en[3] == "In 2019: Teaching young people was made an objective"
    )
    # English sentences get the subject once, then "It"; a full sentence keeps its own.
    text = paragraph("The library", en, "en")
    assert text.startswith("The library runs the programme")
    assert " It held “A” at " in text and " In 2019: Teaching" in text


def test_knowledge_sentence() -> None:
    def article(n: int) -> ArticleFact:
        return ArticleFact(
            pk=n,
            title=f"Article {n}",
            kind="article",
            kind_label="Article",
            tags=[],
            published=datetime.date(2019, n, 1),
            institution_code="MFU-LIB",
            url=f"/knowledge/{n}/",
        )

    assert knowledge_sentence([], "th") is None
    assert knowledge_sentence([article(n) for n in range(1, 5)], "en") == (
        "shared 4 items in the network's knowledge base, such as “Article 4”, “Article 3” and "
        "“Article 2”"
    )
    assert knowledge_sentence([article(1)], "th") == (
        "เผยแพร่องค์ความรู้ในคลังความรู้ของเครือข่าย 1 เรื่อง เช่น “Article 1”"
    )


def test_and() -> None:
    assert and_(["ก"], "th") == "ก"
    assert and_(["ประชุม", "สัมมนา"], "th", tight=True) == "ประชุมและสัมมนา"
    assert and_(["A", "B", "C"], "en") == "A, B and C"
