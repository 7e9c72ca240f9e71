"""Dates and years for people: Buddhist Era in Thai, Common Era in English, in one place."""

from __future__ import annotations

import datetime

from django.utils.translation import get_language

from libcoop.core.era import BE_OFFSET

__all__ = ["BE_OFFSET", "display_partial_date", "display_year"]

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _lang(lang: str | None) -> str:
    return (lang or get_language() or "th")[:2]


def display_year(year: int, lang: str | None = None) -> str:
    """2014 → "2557" in Thai, "2014" in English."""
    return str(year + BE_OFFSET) if _lang(lang) == "th" else str(year)


def display_partial_date(
    value: datetime.date | None, precision: str, lang: str | None = None
) -> str:
    """A date shown to the precision it is known: year, month and year, or the full date."""
    if value is None:
        return ""
    lang = _lang(lang)
    year = display_year(value.year, lang)
    if precision == "year":
        return year
    month = (THAI_MONTHS if lang == "th" else EN_MONTHS)[value.month - 1]
    if precision == "month":
        return f"{month} {year}"
    return f"{value.day} {month} {year}"
