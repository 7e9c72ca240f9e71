"""Dates and years for people: Buddhist Era in Thai, Common Era in English, in one place; and
dates known only to a year or a month (:class:`PartialDate`, stored as a date plus a
:class:`DatePrecision` in a :func:`precision_field`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from libcoop.core.era import BE_OFFSET

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

__all__ = [
    "BE_OFFSET",
    "DatePrecision",
    "PartialDate",
    "display_partial_date",
    "display_year",
    "precision_field",
]


class DatePrecision(models.TextChoices):
    """How much of a stored date is known: the seed gives most dates as a year only."""

    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


def precision_field(
    verbose_name: Any = None, *, default: DatePrecision
) -> models.CharField[str | int | Combinable, str]:
    """The model field that says how much of a date beside it is known."""
    return models.CharField(
        verbose_name, max_length=8, choices=DatePrecision.choices, default=default
    )


@dataclass(frozen=True)
class PartialDate:
    """A date known to a year, a month or a day ("2014", "2014-06", "2014-06-01")."""

    date: datetime.date
    precision: DatePrecision

    @classmethod
    def parse(cls, value: str | int | datetime.date | None) -> PartialDate | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime.date):
            return cls(value, DatePrecision.DAY)
        text = str(value).strip()
        parts = text.split("-")
        try:
            numbers = [int(p) for p in parts]
            if len(numbers) == 1:
                return cls(datetime.date(numbers[0], 1, 1), DatePrecision.YEAR)
            if len(numbers) == 2:
                return cls(datetime.date(numbers[0], numbers[1], 1), DatePrecision.MONTH)
            if len(numbers) == 3:
                return cls(datetime.date(*numbers), DatePrecision.DAY)
        except (ValueError, OverflowError):  # OverflowError: a year of 25 digits
            pass
        raise ValidationError(
            gettext("Not a date: %(text)s (use YYYY, YYYY-MM or YYYY-MM-DD)")
            % {"text": repr(text[:40])}
        )

    def __str__(self) -> str:
        if self.precision == DatePrecision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()


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
