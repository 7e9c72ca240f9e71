"""The prose of a report: sentences about events, outreach and knowledge, in Thai or English.

Sentences are *predicates* ("is a member of …", "เป็นสมาชิก…"): :func:`paragraph` puts the
library's name before the first one (and "It" before the others in English), as the seed does.
An English sentence that carries its own subject is marked :class:`Full`.
"""

from __future__ import annotations

import re
from collections import defaultdict

from libcoop.core.dates import display_year
from libcoop.events.queries import AttendedEvent
from libcoop.greenlib.report.types import Full
from libcoop.knowledge.queries import ArticleFact
from libcoop.network.models import Seat
from libcoop.outreach.queries import OutreachActivityFact, SchoolRef

# --- small text helpers ------------------------------------------------------------------------


def and_(items: list[str], lang: str, *, tight: bool = False) -> str:
    """ "A B และC" in Thai ("AและB" for *tight* single words), "A, B and C" in English."""
    if len(items) <= 1:
        return "".join(items)
    if lang == "th":
        if tight and len(items) == 2:
            return f"{items[0]}และ{items[1]}"
        joiner = " และ " if items[-1][:1].isdigit() else " และ"  # "2560 และ 2562", "และโรงเรียน…"
        return " ".join(items[:-1]) + joiner + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _years_text(years: list[int], last: int, lang: str) -> str:
    """ "every year from 2014 to 2019" when no year is missing, else the years listed."""
    shown = [display_year(y, lang) for y in years]
    if len(years) >= 3 and years == list(range(years[0], last + 1)):
        if lang == "th":
            return f"เป็นประจำทุกปี ตั้งแต่ปี {shown[0]} ถึงปี {shown[-1]}"
        return f"every year from {shown[0]} to {shown[-1]}"
    return f" ในปี {and_(shown, lang)}" if lang == "th" else f"in {and_(shown, lang)}"


def without_subject(sentences: list[str], subject: str) -> list[str]:
    """The narrative's sentences as predicates: without the library's name or a final stop."""
    return [s.removeprefix(subject).strip().rstrip(".") for s in sentences]


def wg_name(seat: Seat, lang: str) -> str:
    """The working group's name; in Thai with the acronym its English name carries (UCTAL)."""
    name = seat.working_group.name_in(lang)
    if lang == "th":
        acronym = re.search(r"\(([A-Z][A-Za-z]{1,11})\)", seat.working_group.name_en)
        if acronym and acronym.group(1) not in name:
            name += f" ({acronym.group(1)})"
    return name


# --- paragraphs ----------------------------------------------------------------------------------

_KIND_TH = {
    "meeting": "ประชุม",
    "seminar": "สัมมนา",
    "study_visit": "ศึกษาดูงาน",
    "exchange": "แลกเปลี่ยนเรียนรู้",
    "training": "อบรม",
    "workshop": "ประชุมเชิงปฏิบัติการ",
}
_KIND_EN = {
    "meeting": "meetings",
    "seminar": "seminars",
    "study_visit": "study visits",
    "exchange": "knowledge exchanges",
    "training": "training",
    "workshop": "workshops",
}
_HOSTING = ("organiser", "host")


def _kinds(events: list[AttendedEvent], lang: str) -> str:
    words = _KIND_TH if lang == "th" else _KIND_EN
    other = "กิจกรรม" if lang == "th" else "events"
    seen: list[str] = []
    for e in events:
        word = words.get(e.kind, other)
        if word not in seen:
            seen.append(word)
    return and_(seen, lang, tight=True)


def illustrative_mark(lang: str) -> str:
    """What follows a sentence or entry made from illustrative demo data."""
    return " (ข้อมูลตัวอย่างเพื่อการสาธิต)" if lang == "th" else " (illustrative demo data)"


def event_sentences(events: list[AttendedEvent], year: int, lang: str) -> list[str]:
    """One sentence per network (and one for events of no network), years listed; events
    that are illustrative demo data get sentences of their own, marked as such."""
    by_network: dict[tuple[str | None, bool], list[AttendedEvent]] = defaultdict(list)
    for e in events:
        by_network[e.network_name, e.illustrative].append(e)
    sentences = []
    for (network, illustrative), group in by_network.items():
        mark = illustrative_mark(lang) if illustrative else ""
        attended = [e for e in group if e.role not in _HOSTING]
        hosted = [e for e in group if e.role in _HOSTING]
        if attended:
            years = sorted({e.start.year for e in attended})
            when = _years_text(years, year, lang)
            kinds = _kinds(attended, lang)
            if lang == "th":
                whose = f"ของ{network}" if network else "อื่น ๆ"
                sentences.append(f"ส่งบุคลากรเข้าร่วม{kinds}{whose}{when}{mark}")
            else:
                whose = f"the {network}'s" if network else "other"
                sentences.append(f"sent staff to {whose} {kinds} {when}{mark}")
        if hosted:
            years = sorted({e.start.year for e in hosted})
            when = _years_text(years, year, lang)
            kinds = _kinds(hosted, lang)
            if lang == "th":
                whose = f"ของ{network}" if network else ""
                sentences.append(f"เป็นเจ้าภาพจัด{kinds}{whose}{when}{mark}")
            else:
                whose = f"the {network}'s" if network else ""
                sentences.append(f"hosted {whose} {kinds} {when}{mark}".replace("  ", " "))
    return sentences


def place(schools: list[SchoolRef], lang: str) -> str:
    """Schools, with their district and province once when they share them."""
    names = [s.name for s in schools]
    places = {(s.district, s.province) for s in schools}
    where = ""
    if len(places) == 1:
        district, province = next(iter(places))
        if lang == "th":
            where = " ".join(
                p
                for p in (f"อ.{district}" if district else "", f"จ.{province}" if province else "")
                if p
            )
        else:
            where = ", ".join(p for p in (district, province) if p)
    joined = and_(names, lang)
    if not where:
        return joined
    return f"{joined} {where}" if lang == "th" else f"{joined}, {where}"


def _aims(objectives: str) -> str:
    text = objectives.strip().rstrip(".")
    if text.startswith("To "):
        return ", t" + text[1:]  # "…”, to extend …"
    return f" ({text})"


def outreach_sentences(
    activities: list[OutreachActivityFact], programmes: list[tuple[str, str]], lang: str
) -> list[str]:
    """The programme and its aims, then what was done each year and where."""
    sentences: list[str] = []
    for name, objectives in programmes:
        if lang == "th":
            sentences.append(f"ดำเนิน{name}" + (f" {objectives}" if objectives else ""))
        else:
            sentences.append(
                f"runs the programme “{name}”" + (_aims(objectives) if objectives else "")
            )
    by_year: dict[int, list[OutreachActivityFact]] = defaultdict(list)
    for a in activities:
        by_year[a.date.year].append(a)
    for year in sorted(by_year):
        y = display_year(year, lang)
        parts = []
        for a in by_year[year]:
            where = place(a.schools, lang) if a.schools else ""
            objective = a.activity_type == "service_objective" and not a.schools and a.objectives
            if lang == "th":
                if objective:
                    parts.append(a.objectives)
                else:
                    parts.append(f"จัดกิจกรรม “{a.title}”" + (f" ที่{where}" if where else ""))
            elif objective:
                sentences.append(Full(f"In {y}: {a.objectives.strip().rstrip('.')}"))
            else:
                sentences.append(
                    f"held “{a.title}”" + (f" at {where}" if where else "") + f" in {y}"
                )
        if parts:
            sentences.append(f"ในปี {y} " + " และ".join(parts))
    return sentences


def knowledge_sentence(articles: list[ArticleFact], lang: str) -> str | None:
    if not articles:
        return None
    examples = [f"“{a.title}”" for a in list(reversed(articles))[:3]]
    n = len(articles)
    if lang == "th":
        return f"เผยแพร่องค์ความรู้ในคลังความรู้ของเครือข่าย {n} เรื่อง เช่น {and_(examples, lang)}"
    items = "item" if n == 1 else "items"
    return f"shared {n} {items} in the network's knowledge base, such as {and_(examples, lang)}"


def paragraph(subject: str, sentences: list[str], lang: str, *, opening: str = "") -> str:
    if not sentences:
        return ""
    if lang == "th":
        return f"{opening}{subject} " + " ".join(sentences)
    out = []
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, Full):
            out.append(f"{sentence}.")
        else:
            out.append(f"{subject if i == 0 else 'It'} {sentence}.")
    return opening + " ".join(out)
