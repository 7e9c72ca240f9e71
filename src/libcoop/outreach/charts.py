"""Outreach's chart: activities and schools reached per year, drawn by the one chart module
(``core.charts``: inline SVG, no JavaScript, so the same chart prints)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from libcoop.core.charts import bar_chart
from libcoop.core.dates import display_year
from libcoop.outreach.models import Activity


def activities_per_year_svg(activities: Iterable[Activity]) -> SafeString:
    """Bars of activities and schools reached per year (empty string when there is nothing)."""
    per_year: Counter[int] = Counter()
    schools: dict[int, set[int]] = {}
    for activity in activities:
        per_year[activity.date.year] += 1
        schools.setdefault(activity.date.year, set()).update(s.pk for s in activity.schools.all())
    if not per_year:
        return SafeString("")
    years = list(range(min(per_year), max(per_year) + 1))
    return bar_chart(
        [
            (_("Activities"), [per_year.get(y, 0) for y in years]),
            (_("Schools reached"), [len(schools.get(y, ())) for y in years]),
        ],
        [display_year(y) for y in years],
        title=_("Activities per year"),
        width=max(320, 90 * len(years) + 80),
        height=220,
    )
