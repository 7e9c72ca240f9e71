"""Template filters of knowledge pages."""

from __future__ import annotations

import datetime

from django import template

from libcoop.core.dates import display_partial_date

register = template.Library()


@register.filter
def day(value: datetime.date | datetime.datetime | None) -> str:
    """A date in full: "3 มิถุนายน 2567" in Thai, "3 June 2024" in English."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return display_partial_date(value, "day")
