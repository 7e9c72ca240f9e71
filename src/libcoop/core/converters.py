"""URL converters with bounds: a path that cannot name a row or a year does not match (404)
instead of reaching the database or ``datetime`` with a 25-digit number (a 500 before)."""

from __future__ import annotations


class IdConverter:
    """A database id: 1 to 18 ASCII digits (fits a 64-bit primary key)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class YearConverter(IdConverter):
    """A year of the Common Era as four ASCII digits (a Buddhist-era year here is redirected
    to its C.E. address by ``core.years.BuddhistYearURLMiddleware``)."""

    regex = "[0-9]{4}"
