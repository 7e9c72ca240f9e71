"""The network dashboard: members' assessment status, events, outreach reach, knowledge growth.

Reads other apps only through their read contracts (``events.queries``, ``outreach.queries``,
``knowledge.queries``) and this app's own :mod:`libcoop.greenlib.queries`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from libcoop.core import charts
from libcoop.core.dates import display_year
from libcoop.greenlib.models import AssessmentStatus
from libcoop.greenlib.queries import AssessmentSummary, assessments_of_network, members_in_year
from libcoop.network.models import Institution, Network

if TYPE_CHECKING:
    from libcoop.events.queries import AttendedEvent
    from libcoop.outreach.queries import Reach


@dataclass(frozen=True)
class MemberStatus:
    institution: Institution
    assessment: AssessmentSummary | None


@dataclass(frozen=True)
class Dashboard:
    year: int
    members: list[MemberStatus]
    status_counts: list[tuple[str, str, int]]  # (status, label, count); "none" = not started
    status_chart: SafeString
    events: list[AttendedEvent]
    events_chart: SafeString
    reach: Reach
    reach_chart: SafeString
    growth: list[tuple[int, int]]
    growth_chart: SafeString


def network_dashboard(network: Network, year: int, *, lang: str = "th") -> Dashboard:
    from libcoop.events.queries import events_of_network
    from libcoop.knowledge.queries import growth_of_network
    from libcoop.outreach.queries import reach_of

    members = members_in_year(network, year)
    summaries = {s.institution_code: s for s in assessments_of_network(network, year)}
    rows = [MemberStatus(m, summaries.get(m.code)) for m in members]
    counts = Counter(r.assessment.status if r.assessment else "none" for r in rows)
    labels = [("none", _("Not started")), *AssessmentStatus.choices]
    status_counts = [(value, str(label), counts.get(value, 0)) for value, label in labels]
    status_chart = charts.bar_chart(
        [(_("Members"), [c for _v, _l, c in status_counts])],
        [label for _v, label, _c in status_counts],
        title=_("Assessment status of members, %(year)s") % {"year": display_year(year, lang)},
    )

    years = [year - 4 + i for i in range(5)]
    events = events_of_network(network, year=year, lang=lang)
    # Many events are known to the year only, so the chart counts them per year.
    per_year = [len(events_of_network(network, year=y, lang=lang)) for y in years]
    events_chart = charts.bar_chart(
        [(_("Events"), per_year)],
        [display_year(y, lang) for y in years],
        title=_("Network events per year"),
    )

    member_ids = [m.pk for m in members]
    reach_by_year = [reach_of(member_ids, year=y) for y in years]
    reach = reach_of(member_ids, year=year)
    reach_chart = charts.bar_chart(
        [
            (_("Schools"), [r.schools for r in reach_by_year]),
            (_("Pupils"), [r.pupils for r in reach_by_year]),
        ],
        [display_year(y, lang) for y in years],
        title=_("Outreach reach of members"),
    )

    growth = growth_of_network(network, years=5)
    growth_chart = charts.bar_chart(
        [(_("Articles"), [n for _y, n in growth])],
        [display_year(y, lang) for y, _n in growth],
        title=_("Knowledge articles published by members"),
    )
    return Dashboard(
        year=year,
        members=rows,
        status_counts=status_counts,
        status_chart=status_chart,
        events=events,
        events_chart=events_chart,
        reach=reach,
        reach_chart=reach_chart,
        growth=growth,
        growth_chart=growth_chart,
    )
