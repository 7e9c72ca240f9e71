"""The tables of a report: the records its prose is made from, assessment evidence, figures."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from libcoop.core.bilingual import pick
from libcoop.core.charts import line_chart
from libcoop.core.dates import display_partial_date, display_year
from libcoop.events.queries import AttendedEvent
from libcoop.greenlib import queries as greenlib_queries
from libcoop.greenlib.models import EnvFigure, EnvMetric, SelfStatus
from libcoop.greenlib.queries import CriterionResult
from libcoop.greenlib.report.text import and_, illustrative_mark, wg_name
from libcoop.greenlib.report.types import Cell, Chart, Evidence, Table
from libcoop.knowledge.queries import ArticleFact
from libcoop.network.models import Institution, Membership, Network, Seat
from libcoop.outreach.queries import OutreachActivityFact

# --- tables --------------------------------------------------------------------------------------


def _term(start: datetime.date | None, precision: str, lang: str) -> str:
    return display_partial_date(start, precision, lang) if start else "—"


def _network_url(network: Network) -> str:
    return reverse("network:network", args=[network.code])


def _network_label(network: Network, lang: str) -> str:
    name = network.name_in(lang)
    if network.acronym and network.acronym not in name:
        return f"{name} ({network.acronym})"
    return name


def membership_table(memberships: list[Membership], lang: str) -> Table:
    rows = [
        [
            Cell(_network_label(m.network, lang), _network_url(m.network)),
            Cell(m.get_role_display()),
            Cell(_term(m.start, m.start_precision, lang)),
            Cell(_term(m.end, m.end_precision, lang) if m.end else ""),
        ]
        for m in memberships
    ]
    return Table(
        "memberships",
        _("Memberships"),
        [_("Network"), _("Role"), _("Since"), _("Until")],
        rows,
    )


def seat_table(seats: list[Seat], lang: str) -> Table:
    rows = [
        [
            Cell(wg_name(s, lang)),
            Cell(
                s.working_group.network.acronym or s.working_group.network.name_in(lang),
                _network_url(s.working_group.network),
            ),
            Cell(
                s.get_role_display()
                + (f" ({person})" if (person := pick(s.person_th, s.person_en, lang)) else "")
            ),
            Cell(_term(s.start, s.start_precision, lang)),
        ]
        for s in seats
    ]
    return Table(
        "seats",
        _("Committees and working groups"),
        [_("Working group"), _("Network"), _("Role"), _("Since")],
        rows,
    )


def event_table(events: list[AttendedEvent], lang: str) -> Table:
    rows = [
        [
            Cell(display_partial_date(e.start, e.precision, lang)),
            Cell(
                e.title,
                e.url,
                note=e.kind_label + (illustrative_mark(lang) if e.illustrative else ""),
            ),
            Cell(e.network_name or "—"),
            Cell(e.role_label),
            Cell(str(e.attendees) if e.attendees else "—", note=", ".join(e.people)),
        ]
        for e in events
    ]
    return Table(
        "events",
        _("Meetings, seminars and other events"),
        [_("Date"), _("Event"), _("Network"), _("Role"), _("People")],
        rows,
        numeric=frozenset({4}),
    )


def outreach_table(activities: list[OutreachActivityFact], lang: str) -> Table:
    def count(value: int | None) -> str:
        return "—" if value is None else str(value)

    rows = [
        [
            Cell(display_partial_date(a.date, a.precision, lang)),
            Cell(a.title, a.url, note=a.description or a.objectives),
            Cell(and_([s.name for s in a.schools], lang) or "—"),
            Cell(count(a.pupils)),
            Cell(count(a.teachers)),
        ]
        for a in activities
    ]
    return Table(
        "outreach",
        _("Outreach activities with schools"),
        [_("Date"), _("Activity"), _("Schools"), _("Pupils"), _("Teachers")],
        rows,
        numeric=frozenset({3, 4}),
    )


def knowledge_table(articles: list[ArticleFact], lang: str) -> Table:
    rows = [
        [
            Cell(display_partial_date(a.published, "day", lang)),
            Cell(a.title, a.url, note=", ".join(a.tags)),
            Cell(a.kind_label),
        ]
        for a in articles
    ]
    return Table(
        "knowledge",
        _("Knowledge shared with the network"),
        [_("Published on"), _("Title"), _("Kind")],
        rows,
    )


# --- assessment evidence and environmental figures ----------------------------------------------


def _points(value: Decimal | None) -> str:
    """A figure as people write it: thousands grouped, no trailing zeros (811,000; 12.5).
    Thai writes numbers the same way."""
    if value is None:
        return ""
    return f"{value.normalize():,f}"


def evidence_of(result: CriterionResult, *, file_links: bool = True) -> Evidence:
    """One criterion's self-assessment as shown (the caller decides whether it may be).

    *file_links*: whether the reader may open the evidence files; if not, they are named
    without a link (a published report is public, the files stay with those who may see
    the assessment: the library's staff and the network's officers)."""
    status = ""
    if result.self_status:
        try:
            status = str(SelfStatus(result.self_status).label)
        except ValueError:
            status = result.self_status
    score = ""
    if result.score is not None:
        score = _points(result.score)
        if result.max_points is not None:
            score += f" / {_points(result.max_points)}"
    kinds = {
        "membership": _("Membership"),
        "seat": _("Working group"),
        "event": _("Event"),
        "outreach": _("Outreach activity"),
        "article": _("Knowledge article"),
    }
    return Evidence(
        code=result.code,
        title=result.title,
        requirement=result.requirement,
        narrative=result.narrative,
        self_status=status,
        score=score,
        assessor_comment=result.assessor_comment if result.score is not None else "",
        files=[Cell(name, url if file_links else "") for name, url in result.evidence_files],
        linked=[
            Cell(f"{kinds.get(kind, kind)}: {label}", url) for kind, label, url in result.linked
        ],
    )


SHORT_MONTHS_TH = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
SHORT_MONTHS_EN = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

# Which category of each standard the environmental figures belong to (resources and energy;
# waste). TLA-2558 §3 and §4; GL-2566 §6 (= GO-3) and §7 (= GO-4), standard-notes.md §1–§2.
ENV_CATEGORIES = {
    "TLA-2558": {"resources": "3", "waste": "4"},
    "GL-2566": {"resources": "6", "waste": "7"},
}


def env_tables(
    institution: Institution, year: int, standard_code: str, lang: str
) -> dict[str, tuple[Table, list[Chart]]]:
    """Monthly figures of *year* per category number: one table, and a chart per figure that
    compares the year with the one before."""
    categories = ENV_CATEGORIES.get(standard_code, ENV_CATEGORIES["TLA-2558"])
    months = list(SHORT_MONTHS_TH if lang == "th" else SHORT_MONTHS_EN)
    rows_by_category: dict[str, list[list[Cell]]] = defaultdict(list)
    charts_by_category: dict[str, list[Chart]] = defaultdict(list)
    for metric in EnvMetric:
        series = greenlib_queries.env_series(
            institution, metric=metric.value, years=[year - 1, year]
        )
        values = series.get(year, [])
        if not any(v is not None for v in values):
            continue
        number = categories["waste" if metric.value.startswith("waste_") else "resources"]
        total = sum((v for v in values if v is not None), Decimal(0))
        label = str(metric.label)
        rows_by_category[number].append(
            [Cell(label)]
            + [Cell("" if v is None else _points(v)) for v in values]
            + [Cell(_points(total))]
        )
        lines = [
            (display_year(y, lang), series[y])
            for y in (year - 1, year)
            if any(v is not None for v in series.get(y, []))
        ]
        svg = line_chart(lines, months, title=label)
        charts_by_category[number].append(Chart(label, str(svg)))
    title = _("Monthly figures %(year)s") % {"year": display_year(year, lang)}
    if EnvFigure.objects.filter(institution=institution, year=year, illustrative=True).exists():
        title += " " + _("(illustrative demo figures)")
    result = {}
    for number, rows in rows_by_category.items():
        table = Table(
            "env",
            title,
            [_("Figure"), *months, _("Total")],
            rows,
            numeric=frozenset(range(1, 14)),
        )
        result[number] = (table, charts_by_category[number])
    return result
