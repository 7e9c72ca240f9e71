"""A library's green-library report for one year, assembled from the network's records.

The seed (MFU library's page "การดำเนินงานในหมวดที่ 7") is the kind of text libraries retype for
every assessment. Here it is written from data instead: memberships and seats (registry), events
attended (events), outreach activities with their schools (outreach), knowledge contributions
(knowledge) and the year's self-assessment and environmental figures (greenlib). The result is a
plain :class:`Report` that the renderers in :mod:`libcoop.greenlib.report.render` turn into a
web page, a PDF or a Word file.

"For year Y" means the library's record up to and including Y: memberships and seats that had
begun by Y (or whose start is unknown) and had not ended before Y; events, outreach activities
and articles dated Y or earlier, told year by year.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _

from libcoop.core.dates import display_year
from libcoop.core.era import BE_OFFSET
from libcoop.events.queries import AttendedEvent, events_attended
from libcoop.greenlib import queries as greenlib_queries
from libcoop.greenlib.models import Assessment
from libcoop.greenlib.queries import AssessmentSummary
from libcoop.greenlib.report.tables import (
    env_tables,
    event_table,
    evidence_of,
    knowledge_table,
    membership_table,
    outreach_table,
    seat_table,
)
from libcoop.greenlib.report.text import (
    event_sentences,
    knowledge_sentence,
    outreach_sentences,
    paragraph,
    without_subject,
)
from libcoop.greenlib.report.types import (
    Evidence,
    Report,
    ReportError,
    Section,
)
from libcoop.knowledge.queries import contributions_of
from libcoop.network.abilities import Actor, can
from libcoop.network.models import Institution, Membership, Network, Seat
from libcoop.network.narrative import cooperation_paragraphs, is_green
from libcoop.outreach.queries import activities_of, programme_objectives

__all__ = ["FIRST_YEAR", "build_report", "check_year", "report_institution"]

# The category the seed is about, and the standard to take its criterion from when the year's
# assessment (if any) is under a standard that numbers its categories differently.
COOPERATION_CATEGORY = "7"
COOPERATION_STANDARD = "TLA-2558"
FIRST_YEAR = 1980  # PULINET, the oldest network in the registry, dates from 1986


def check_year(year: int, *, today: datetime.date | None = None) -> None:
    """Refuse a year outside FIRST_YEAR..this year, with a hint for Buddhist-era input."""
    this_year = (today or datetime.date.today()).year
    if FIRST_YEAR <= year <= this_year:
        return
    if FIRST_YEAR + BE_OFFSET <= year <= this_year + BE_OFFSET:
        raise ReportError(
            f"{year} looks like a Buddhist-era year; give the Common Era year {year - BE_OFFSET}."
        )
    raise ReportError(f"The year must be between {FIRST_YEAR} and {this_year} (Common Era).")


def report_institution(code: str) -> Institution:
    """The institution with what its report reads prefetched; ReportError if unknown."""
    institution = (
        Institution.objects.prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("network", "network__host")
                .prefetch_related("network__purposes")
                .order_by("start", "network__code"),
            ),
            Prefetch(
                "seats",
                queryset=Seat.objects.select_related(
                    "working_group", "working_group__network"
                ).prefetch_related("working_group__network__purposes"),
            ),
            "hosted_networks__purposes",
            "hosted_networks__memberships__institution",
        )
        .filter(code=code)
        .first()
    )
    if institution is None:
        raise ReportError(f"No institution with the code {code!r}.")
    return institution


# --- the report ----------------------------------------------------------------------------------


def _active_in(start: datetime.date | None, end: datetime.date | None, year: int) -> bool:
    return (start is None or start.year <= year) and (end is None or end.year >= year)


def _up_to[T](items: Iterable[T], year: int, when: str) -> list[T]:
    """The facts dated *year* or earlier (*when* names their date attribute)."""
    return [i for i in items if getattr(i, when).year <= year]


def _green_codes(events: list[AttendedEvent]) -> set[str]:
    codes = {e.network_code for e in events if e.network_code}
    networks = Network.objects.filter(code__in=codes).prefetch_related("purposes")
    return {n.code for n in networks if is_green(n)}


def _standard(assessment: AssessmentSummary | None) -> tuple[str, str]:
    if assessment is not None:
        return assessment.standard_code, assessment.standard_title
    return COOPERATION_STANDARD, ""


def _category_text(standard_code: str, number: str, lang: str) -> tuple[str, str, str]:
    """(title, requirement, the standard they come from)."""
    found = greenlib_queries.category_requirement(standard_code, number, lang=lang)
    if found is not None:
        return found[0], found[1], standard_code
    return "", "", ""


def _cooperation_text(standard_code: str, lang: str) -> tuple[str, str, str]:
    """Category 7 of the year's standard when it is TLA-2558's numbering, else TLA-2558's."""
    if standard_code == COOPERATION_STANDARD:
        title, requirement, source = _category_text(standard_code, COOPERATION_CATEGORY, lang)
    else:
        title, requirement, source = "", "", ""
    if not requirement:
        title, requirement, source = _category_text(
            COOPERATION_STANDARD, COOPERATION_CATEGORY, lang
        )
    if not title:
        title = _("Networks and inter-library cooperation")
    return title, requirement, source


def cooperation_section(
    institution: Institution,
    year: int,
    lang: str,
    *,
    standard_code: str,
    evidence: list[Evidence],
    reader: Actor | None = None,
) -> Section:
    """Category 7: the generated narrative, then the tables of the records it is made from.

    *reader*: knowledge articles are named only when that reader may read them (None: all)."""
    subject = institution.name_in(lang)
    memberships = sorted(
        (m for m in institution.memberships.all() if _active_in(m.start, m.end, year)),
        key=lambda m: (
            not is_green(m.network),
            m.start is None,
            m.start or datetime.date.min,
            m.network.code,
        ),
    )
    seats = sorted(
        (s for s in institution.seats.all() if _active_in(s.start, s.end, year)),
        key=lambda s: (s.working_group.network.code, s.working_group.code),
    )
    events = _up_to(events_attended(institution, lang=lang), year, "start")
    activities = _up_to(activities_of(institution, lang=lang), year, "date")
    articles = _up_to(contributions_of(institution, lang=lang, reader=reader), year, "published")
    programmes = programme_objectives(institution, lang=lang) if activities else []

    green_codes = _green_codes(events)
    green_events = [e for e in events if e.network_code in green_codes]
    other_events = [e for e in events if e.network_code not in green_codes]
    green = without_subject(
        cooperation_paragraphs(institution, lang, year=year, programmes=not activities, green=True),
        subject,
    )
    green += event_sentences(green_events, year, lang)
    green += outreach_sentences(activities, programmes, lang)
    knowledge = knowledge_sentence(articles, lang)
    if knowledge:
        green.append(knowledge)
    others = without_subject(
        cooperation_paragraphs(
            institution, lang, year=year, programmes=not activities, green=False
        ),
        subject,
    )
    others += event_sentences(other_events, year, lang)
    # No paragraph opens with a connective ("นอกจากนี้", "Furthermore"): it would hang in the
    # air for a library with no green-network facts. After a first paragraph, the Thai text
    # names the topic it turns to instead.
    first = paragraph(subject, green, lang)
    opening = "ในส่วนของเครือข่ายอื่น ๆ " if lang == "th" and first else ""
    paragraphs = [p for p in (first, paragraph(subject, others, lang, opening=opening)) if p]
    title, requirement, source = _cooperation_text(standard_code, lang)
    if standard_code == COOPERATION_STANDARD:
        number = COOPERATION_CATEGORY
        heading = _("Operations in category %(number)s") % {"number": number}
    else:  # the year's standard numbers another topic 7: no clash of headings or anchors
        number = "cooperation"
        heading = _("Networks and cooperation")
    tables = [
        membership_table(memberships, lang),
        seat_table(seats, lang),
        event_table(events, lang),
        outreach_table(activities, lang),
        knowledge_table(articles, lang),
    ]
    return Section(
        number=number,
        heading=heading,
        title=title,
        requirement=requirement,
        requirement_source=source,
        paragraphs=paragraphs,
        tables=[t for t in tables if t.rows],
        evidence=evidence,
    )


def build_report(
    institution: Institution,
    year: int,
    *,
    lang: str,
    include_unpublished: bool = False,
    reader: Actor | None = None,
    today: datetime.date | None = None,
) -> Report:
    """The report of *institution* for CE *year* in *lang* ("th" or "en").

    The self-assessment's narratives, evidence and self-judgements appear when the year's
    assessment is published, or when *include_unpublished* is set (the caller has checked that
    the reader may see the draft: the library's staff, the network's assessors and
    coordinators, or an operator). Scores appear only once published, whoever reads.
    Knowledge articles are named only when *reader* may read them (a page passes its user:
    an article shared with a network or kept within the library is not named to the public);
    None (the operator's command) names them all. Environmental figures follow
    ``greenlib.view_env`` until the assessment is published.
    """
    if lang not in ("th", "en"):
        raise ReportError(f"Unknown language {lang!r}: use th or en.")
    check_year(year, today=today)
    with translation.override(lang):
        assessment = greenlib_queries.assessment_for(institution, year)
        standard_code, standard_title = _standard(assessment)
        published = assessment is not None and assessment.status == "published"
        results = greenlib_queries.criterion_results(institution, year, lang=lang, reader=reader)
        show_self = published or include_unpublished
        withheld = bool(results) and not show_self
        by_category: dict[str, list[Evidence]] = defaultdict(list)
        titles: dict[str, str] = {}
        # Files are linked for readers who may open them (asked only when answers are shown).
        file_links = reader is None or (
            show_self
            and bool(results)
            and assessment is not None
            and can(reader, "greenlib.view_assessment", Assessment.objects.get(pk=assessment.pk))
        )
        for r in results if show_self else []:
            by_category[r.category_number].append(evidence_of(r, file_links=file_links))
            titles.setdefault(r.category_number, r.category_title)
        # Monthly figures are the library's own until it hands them in: they appear to those
        # who may see its figures pages, and to everyone once the year's assessment is
        # published (then they are part of its published evidence).
        show_env = reader is None or published or can(reader, "greenlib.view_env", institution)
        env = env_tables(institution, year, standard_code, lang) if show_env else {}
        # Under TLA-2558 numbering category 7 *is* cooperation; under another standard its
        # category 7 is another topic and gets its own section below.
        same_numbering = standard_code == COOPERATION_STANDARD
        sections = [
            cooperation_section(
                institution,
                year,
                lang,
                standard_code=standard_code,
                evidence=by_category.pop(COOPERATION_CATEGORY, []) if same_numbering else [],
                reader=reader,
            )
        ]
        for number in sorted(set(by_category) | set(env), key=_number_key):
            title, requirement, source = _category_text(standard_code, number, lang)
            table, charts = env.get(number, (None, []))
            sections.append(
                Section(
                    number=number,
                    heading=_("Operations in category %(number)s") % {"number": number},
                    title=title or titles.get(number, ""),
                    requirement=requirement,
                    requirement_source=source,
                    tables=[table] if table else [],
                    charts=charts,
                    evidence=by_category.get(number, []),
                )
            )
        name = institution.name_in(lang)
        year_label = display_year(year, lang)
        return Report(
            institution_code=institution.code,
            institution_name=name,
            year=year,
            year_label=year_label,
            lang=lang,
            title=_("Green library report %(year)s") % {"year": year_label},
            generated=today or datetime.date.today(),
            standard_code=standard_code,
            standard_title=standard_title,
            assessment=assessment,
            includes_unpublished=show_self and not published and bool(results),
            withheld_unpublished=withheld,
            sections=sections,
        )


def _number_key(number: str) -> tuple[int, str]:
    digits = re.match(r"\d+", number)
    return (int(digits.group()) if digits else 999, number)
