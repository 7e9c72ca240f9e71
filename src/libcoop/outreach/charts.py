"""Server-side inline SVG charts of outreach work (no JavaScript, so the same chart prints)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from libcoop.core.dates import display_year
from libcoop.outreach.models import Activity

BAR_WIDTH = 48
GAP = 16
HEIGHT = 120


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
    top = max(per_year.values())
    width = len(years) * (BAR_WIDTH + GAP) + GAP
    rows = []
    for i, year in enumerate(years):
        count = per_year.get(year, 0)
        bar_height = round((HEIGHT - 40) * count / top)
        x = GAP + i * (BAR_WIDTH + GAP)
        y = HEIGHT - 20 - bar_height
        tip = _("%(n)d activities, %(s)d schools") % {"n": count, "s": len(schools.get(year, ()))}
        middle = x + BAR_WIDTH // 2
        rows.append(
            (
                x,
                y,
                BAR_WIDTH,
                bar_height,
                tip,
                middle,
                y - 4,
                count,
                middle,
                HEIGHT - 5,
                display_year(year),
            )
        )
    body = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#1f6f43"><title>{}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="12">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="12">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        _("Activities per year"),
        width,
        HEIGHT,
        width,
        HEIGHT,
        body,
    )
