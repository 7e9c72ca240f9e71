"""Template filters for bilingual display."""

from __future__ import annotations

import datetime

from django import template

from libcoop.core.dates import display_partial_date, display_year

register = template.Library()


@register.filter
def year(value: int | datetime.date | None) -> str:
    if value is None:
        return ""
    return display_year(value.year if isinstance(value, datetime.date) else int(value))


@register.simple_tag
def term_start(term: object) -> str:
    return display_partial_date(
        getattr(term, "start", None), str(getattr(term, "start_precision", "year"))
    )


@register.simple_tag
def term_end(term: object) -> str:
    return display_partial_date(
        getattr(term, "end", None), str(getattr(term, "end_precision", "year"))
    )
