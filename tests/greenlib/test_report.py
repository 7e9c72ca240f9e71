"""The generated report tells the seed's category-7 story from the demo records.

The expected facts are read from the seed itself (shared/seed/…txt) where that is practical:
its Buddhist-era years, its schools with the year the seed gives each, its acronyms. Then the
report page is checked in Thai and English, year by year, and for who may see what.
"""

from __future__ import annotations

import html
import re
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from libcoop.events.queries import AttendedEvent
from libcoop.greenlib.report import (
    ReportError,
    Table,
    build_report,
    check_year,
    report_institution,
)
from libcoop.greenlib.report.text import event_sentences, illustrative_mark

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seed" / "000_84bbb22a98b47916.txt"
DEMO_APPS = ("knowledge", "events", "outreach", "greenlib")

# Names the seed gives, word for word (checked against the seed below, then looked for in the
# report). Network and working-group names, the programme, the activities.
SEED_PHRASES = [
    "ศูนย์บรรณสารและสื่อการศึกษา",
    "เครือข่ายห้องสมุดสีเขียว",
    "คณะกรรมการเครือข่ายห้องสมุดสีเขียว",
    "เป็นประจำทุกปี",
    "เครือข่ายสำนักงานสีเขียวภาครัฐ",
    "กรมส่งเสริมคุณภาพสิ่งแวดล้อม",
    "โครงการห้องสมุดพี่ช่วยน้อง",
    "จัดมุมความรู้ห้องสมุดสีเขียว",
    "MFU Green Corner",
    "สอนน้องแยกขยะก่อนทิ้ง",
    "อ.เมือง",
    "จ.เชียงราย",
    "โครงการบริการวิชาการและชุมชน",
    "สมาคมห้องสมุดแห่งประเทศไทยในพระราชูปถัมภ์สมเด็จพระเทพรัตนราชสุดาสยามบรมราชกุมารี",
    "สมาคมจดหมายเหตุไทย",
    "กลุ่มเครือข่ายห้องสมุดมหาวิทยาลัยส่วนภูมิภาค",
    "คณะทำงานกรรมการอำนวยการห้องสมุดมหาวิทยาลัยส่วนภูมิภาค",
    "คณะทำงานฝ่ายเทคโนโลยีสารนิเทศ",
    "คณะทำงานข้อมูลท้องถิ่น",
    "คณะทำงานฝ่ายบริการ",
    "เครือข่ายห้องสมุดสถาบันอุดมศึกษาไทย",
    "คณะทำงานฝ่ายบริการสารนิเทศและยืมระหว่างห้องสมุด",
    "คณะทำงานฝ่ายพัฒนาทรัพยากรสารนิเทศ",
    "โครงการพัฒนาระบบเครือข่ายห้องสมุดสถาบันอุดมศึกษาในประเทศไทย",
    "สหบรรณานุกรมห้องสมุดสถาบันอุดมศึกษาไทย",
    "ฐานข้อมูลจัดเก็บเอกสารอิเล็กทรอนิกส์",
]


def seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(f"the seed file is not beside the project ({SEED})")
    return SEED.read_text(encoding="utf-8")


def seed_schools_by_year(seed: str) -> dict[str, str]:
    """School → the Buddhist-era year the seed tells it under ("ในปี 2560 … ที่โรงเรียน…")."""
    found: dict[str, str] = {}
    year = ""
    for token in re.finditer(r"ปี (25\d\d)|(?:ที่|และ)(โรงเรียน[^\s]+(?: \([^)]*\))?)", seed):
        if token.group(1):
            year = token.group(1)
        else:
            found[token.group(2)] = year
    return found


def load_full_demo() -> None:
    """The registry, the demo accounts and every app's demo data, as ``libcoop demo`` does."""
    from libcoop.network.demo import ensure_demo_accounts
    from libcoop.network.loader import load_provinces, load_registry

    load_provinces()
    load_registry()
    ensure_demo_accounts()
    for app in DEMO_APPS:
        import_module(f"libcoop.{app}.demo").load_demo()


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    load_full_demo()


def page_text(response: Any) -> str:
    """The visible text of a page: tags dropped, entities decoded, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def table(report: Any, key: str) -> Table:
    section = report.sections[0]
    return next(t for t in section.tables if t.key == key)


def rows_text(t: Table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in t.rows]


def test_seed_phrases_are_the_seeds_own() -> None:
    """The phrase list above is copied from the seed (so the next test checks seed facts)."""
    seed = seed_text()
    missing = [p for p in SEED_PHRASES if p not in seed]
    assert missing == []
    assert seed_schools_by_year(seed) == {
        "โรงเรียนธารทิพย์": "2560",
        "โรงเรียนอนุบาลนางแล (บ้านทุ่ง)": "2561",
        "โรงเรียนห้วยห้างป่าสา": "2561",
    }


def test_thai_page_has_every_seed_fact(demo: None) -> None:
    seed = seed_text()
    response = Client().get("/greenlib/reports/MFU-LIB/2019/", {"lang": "th"})
    assert response.status_code == 200
    text = page_text(response)
    assert [p for p in SEED_PHRASES if p not in text] == []
    # Every Buddhist-era year of the seed, and no Common-era year of the story.
    for year in set(re.findall(r"ปี (25\d\d)", seed)):
        assert year in text
    for year in ("2014", "2017", "2018"):
        assert year not in text
    # The acronyms the seed writes in brackets: PULINET, ThaiLIS, UCTAL, TDC.
    acronyms = set(re.findall(r"\(([A-Z][A-Za-z]+)\)", seed))
    assert acronyms >= {"PULINET", "ThaiLIS", "UCTAL", "TDC"}
    assert [a for a in acronyms if a not in text] == []
    # Membership since 2557 is told in one sentence, as in the seed.
    assert re.search(r"เครือข่ายห้องสมุดสีเขียว ตั้งแต่ปี 2557", text)


def test_thai_report_tables_match_the_seed(demo: None) -> None:
    seed = seed_text()
    report = build_report(report_institution("MFU-LIB"), 2019, lang="th")
    memberships = {row[0]: row for row in rows_text(table(report, "memberships"))}
    assert memberships["เครือข่ายห้องสมุดสีเขียว"][2] == "2557"
    assert "เครือข่ายสำนักงานสีเขียวภาครัฐ" in memberships
    seats = rows_text(table(report, "seats"))
    by_network: dict[str, set[str]] = {}
    for working_group, network, *_rest in seats:
        by_network.setdefault(network, set()).add(working_group)
    assert by_network["เครือข่ายห้องสมุดสีเขียว"] == {"คณะกรรมการเครือข่ายห้องสมุดสีเขียว"}
    assert {
        "คณะทำงานกรรมการอำนวยการห้องสมุดมหาวิทยาลัยส่วนภูมิภาค",
        "คณะทำงานฝ่ายเทคโนโลยีสารนิเทศ",
        "คณะทำงานข้อมูลท้องถิ่น",
        "คณะทำงานฝ่ายบริการ",
    } <= by_network["PULINET"]
    assert by_network["เครือข่ายห้องสมุดสถาบันอุดมศึกษาไทย"] == {
        "คณะทำงานฝ่ายบริการสารนิเทศและยืมระหว่างห้องสมุด",
        "คณะทำงานฝ่ายพัฒนาทรัพยากรสารนิเทศ",
    }
    assert by_network["ThaiLIS"] == {
        "คณะทำงานสหบรรณานุกรมห้องสมุดสถาบันอุดมศึกษาไทย (UCTAL)",
        "คณะทำงานฐานข้อมูลจัดเก็บเอกสารอิเล็กทรอนิกส์ (TDC)",
    }
    # Each school of the seed appears under the year the seed gives it.
    outreach = rows_text(table(report, "outreach"))
    for school, year in seed_schools_by_year(seed).items():
        assert any(row[0] == year and school in row[2] for row in outreach), (school, year)
    assert [row[0] for row in outreach] == ["2560", "2561", "2562"]
    # The narrative tells the schools in their years too.
    story = " ".join(report.sections[0].paragraphs)
    assert re.search(r"ในปี 2560 จัดกิจกรรม “MFU Green Corner” ที่โรงเรียนธารทิพย์", story)
    assert re.search(
        r"ในปี 2561 จัดกิจกรรม “สอนน้องแยกขยะก่อนทิ้ง” ที่โรงเรียนอนุบาลนางแล \(บ้านทุ่ง\) "
        r"และโรงเรียนห้วยห้างป่าสา",
        story,
    )
    # The green-library story comes first, the other networks after (named, no connective).
    first, second = report.sections[0].paragraphs[:2]
    assert "เครือข่ายห้องสมุดสีเขียว" in first and "PULINET" not in first
    assert second.startswith("ในส่วนของเครือข่ายอื่น ๆ ") and "PULINET" in second
    # The criterion of category 7 is the standard's (the seed quotes it word for word).
    requirement = report.sections[0].requirement
    criterion = seed.split("เกณฑ์การดำเนินงาน", 1)[1].split("การดำเนินงาน", 1)[0]
    assert re.sub(r"\s+", "", requirement) == re.sub(r"\s+", "", criterion)


def test_english_report_uses_common_era(demo: None) -> None:
    response = Client().get("/greenlib/reports/MFU-LIB/2019/", {"lang": "en"})
    text = page_text(response)
    assert "Green Library Network since 2014" in text
    for year in ("2014", "2017", "2018", "2019"):
        assert year in text
    # No Buddhist-era year, except where a text names one as such ("B.E. 2558", "TLA-2558").
    assert re.findall(r"(?<!B\.E\. )(?<!-)\b25[5-6]\d\b", text) == []
    report = build_report(report_institution("MFU-LIB"), 2019, lang="en")
    generated = " ".join(report.sections[0].paragraphs) + str(report.sections[0].tables)
    assert re.findall(r"\b25[5-6]\d\b", generated) == []
    assert "Than Thip School" in text and "Huai Hang Pa Sa School" in text
    assert "PULINET" in text and "UCTAL" in text and "TDC" in text
    assert 'lang="en"' in response.content.decode()


def test_report_of_a_year_holds_what_had_happened_by_then(demo: None) -> None:
    mfu = report_institution("MFU-LIB")
    text_2017 = str(build_report(mfu, 2017, lang="th").sections[0])
    assert "MFU Green Corner" in text_2017
    assert "สอนน้องแยกขยะก่อนทิ้ง" not in text_2017
    report_2013 = build_report(mfu, 2013, lang="th")
    networks = [row[0] for row in rows_text(table(report_2013, "memberships"))]
    assert "เครือข่ายห้องสมุดสีเขียว" not in networks  # joined in 2014 (2557)
    assert "ตั้งแต่ปี 2557" not in " ".join(report_2013.sections[0].paragraphs)


def test_events_are_told_by_network_and_year(demo: None) -> None:
    report = build_report(report_institution("MFU-LIB"), 2019, lang="th")
    events = rows_text(table(report, "events"))
    assert events, "the demo has events MFU library attended"
    years = sorted({row[0][-4:] for row in events})
    assert all(int(y) <= 2562 for y in years)
    story = report.sections[0].paragraphs[0]
    assert "ส่งบุคลากรเข้าร่วม" in story


def _attended(network: str, year: int, *, illustrative: bool) -> AttendedEvent:
    return AttendedEvent(
        pk=year,
        title=f"meeting {year}",
        kind="meeting",
        kind_label="Meeting",
        network_code=network,
        network_name=network,
        start=date(year, 1, 1),
        precision="year",
        role="participant",
        role_label="Participant",
        attendees=0,
        people=[],
        place="",
        url="",
        illustrative=illustrative,
    )


def test_illustrative_events_are_told_apart_and_marked() -> None:
    events = [
        _attended("GLN", 2016, illustrative=False),
        _attended("GLN", 2017, illustrative=True),
        _attended("GGON", 2019, illustrative=True),
    ]
    sentences = event_sentences(events, 2019, "en")
    mark = illustrative_mark("en").strip()
    assert len(sentences) == 3
    confirmed = [s for s in sentences if "2016" in s]
    assert confirmed and mark not in confirmed[0] and "2017" not in confirmed[0]
    assert all(mark in s for s in sentences if "2017" in s or "GGON" in s)
    thai = event_sentences(events, 2019, "th")
    assert sum(illustrative_mark("th").strip() in s for s in thai) == 2


def test_the_demo_report_marks_its_illustrative_events(demo: None) -> None:
    """The seed says MFU attends GLN meetings every year and exchanged knowledge with GGON,
    but gives no dates: the demo's dated events are illustrative, and the report says so."""
    report = build_report(report_institution("MFU-LIB"), 2019, lang="th")
    mark = illustrative_mark("th").strip()
    story = " ".join(report.sections[0].paragraphs)
    assert "ส่งบุคลากรเข้าร่วม" in story
    # Every event sentence of MFU's (all from illustrative events) carries the mark.
    assert story.count("ส่งบุคลากรเข้าร่วม") == story.count(mark) == 2
    assert f"สำนักงานสีเขียวภาครัฐ ในปี 2562 {mark}" in story
    events = table(report, "events")
    assert events.rows and all(mark in row[1].note for row in events.rows)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/greenlib/reports/NO-SUCH-LIB/2019/", 404),
        ("/greenlib/reports/MFU-LIB/2562/", 301),  # Buddhist era: to the C.E. address (#16)
        ("/greenlib/reports/MFU-LIB/2300/", 404),  # neither era's report year
        ("/greenlib/reports/MFU-LIB/1900/", 404),
        ("/greenlib/reports/MFU-LIB/2019/", 200),
        ("/greenlib/reports/", 200),
    ],
)
def test_report_urls(demo_registry: None, url: str, status: int) -> None:
    assert Client().get(url).status_code == status


def test_picking_a_library_and_year_opens_its_report(demo_registry: None) -> None:
    response = Client().get("/greenlib/reports/", {"institution": "MFU-LIB", "year": "2019"})
    assert response.status_code == 302
    assert response["Location"] == "/greenlib/reports/MFU-LIB/2019/"


def test_the_institution_page_leads_to_its_report(demo_registry: None) -> None:
    page = Client().get("/institutions/MFU-LIB/").content.decode()
    assert 'href="/greenlib/reports/?institution=MFU-LIB"' in page
    index = Client().get("/greenlib/reports/", {"institution": "MFU-LIB"}).content.decode()
    assert '<option value="MFU-LIB" selected>' in index


def test_year_checks() -> None:
    import datetime

    today = datetime.date(2025, 6, 1)
    check_year(2019, today=today)
    with pytest.raises(ReportError, match="Buddhist-era year; give the Common Era year 2019"):
        check_year(2562, today=today)
    with pytest.raises(ReportError, match="between 1980 and 2025"):
        check_year(2026, today=today)


def test_a_year_under_another_standard_keeps_cooperation_apart(demo_registry: None) -> None:
    """GL-2566 numbers waste management 7: cooperation keeps TLA-2558's criterion, unnumbered."""
    from libcoop.greenlib import services
    from libcoop.greenlib.models import Criterion
    from libcoop.greenlib.standard import STANDARDS_DIR
    from libcoop.network.abilities import SYSTEM

    for name in ("tla-2558.yaml", "gl-2566.yaml"):
        standard = services.load_standard(STANDARDS_DIR / name, acting_user=SYSTEM)
    mfu = report_institution("MFU-LIB")
    assessment = services.open_assessment(mfu, 2023, standard, acting_user=SYSTEM)
    criterion = Criterion.objects.get(standard=standard, code="1.1.1")
    services.save_response(assessment, criterion, acting_user=SYSTEM, narrative_en="Our scope.")
    report = build_report(mfu, 2023, lang="en", include_unpublished=True)
    cooperation = report.sections[0]
    assert cooperation.number == "cooperation"
    assert cooperation.requirement_source == "TLA-2558"
    assert "cooperate with other libraries" in cooperation.requirement
    assert [s.number for s in report.sections] == ["cooperation", "1"]
    assert report.sections[1].requirement_source == "GL-2566"
    assert report.sections[1].evidence[0].narrative == "Our scope."
    assert report.includes_unpublished
    # A draft: the public report of that year shows no self-assessment and says so.
    public = build_report(mfu, 2023, lang="en")
    assert public.withheld_unpublished and not any(s.evidence for s in public.sections)
