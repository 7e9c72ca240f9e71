"""Filters of the collection's pages: dates and years in the page's era (B.E. on Thai pages),
and an item's access level as people read it."""

from __future__ import annotations

import datetime

from django import template

from libcoop.core.dates import display_partial_date, display_year

register = template.Library()


@register.filter
def day(value: datetime.date | datetime.datetime | None) -> str:
    """A date in full: "3 มิถุนายน 2567" on Thai pages, "3 June 2024" on English ones."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return display_partial_date(value, "day")


@register.filter
def era_year(value: int | None) -> str:
    """A C.E. year as the page shows it: B.E. in Thai, C.E. in English."""
    return "" if value is None else display_year(int(value))
