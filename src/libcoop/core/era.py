"""The Buddhist Era (พ.ศ.) and the Common Era, in one place: the offset, conversion both ways
and the year of an imprint. Pure functions with no Django, so ``textsearch``, ``catalog`` and
``greenlib`` share them; ``core.dates`` shows years to people with them.
"""

from __future__ import annotations

import re

BE_OFFSET = 543  # Buddhist era year − 543 = Common Era year
RE_OFFSET = 1781  # Rattanakosin era (ร.ศ.) year + 1781 = Common Era year
BE_MIN = 2400  # 2400 BE = 1857 CE; no CE imprint year in a catalogue is that high
CE_MAX = 2199  # the last year a person's input is read as CE without saying so

__all__ = [
    "BE_MIN",
    "BE_OFFSET",
    "CE_MAX",
    "RE_OFFSET",
    "YearInputError",
    "be_to_ce",
    "ce_to_be",
    "ce_year",
    "read_year",
    "year_in_text",
]


def be_to_ce(year: int) -> int:
    """Buddhist Era year to Common Era; years below 2400 are taken to be CE already."""
    return year - BE_OFFSET if year >= BE_MIN else year


def ce_to_be(year: int) -> int:
    """Common Era year to Buddhist Era (BE = CE + 543)."""
    return year + BE_OFFSET


def ce_year(year: int) -> int | None:
    """Convert a 4-digit year to CE; Buddhist-era years (≥ 2400) lose 543."""
    if year >= BE_MIN:
        year -= BE_OFFSET
        return year if year <= 2999 - BE_OFFSET else None
    return year if year >= 1000 else None


_YEAR = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")
_RATTANAKOSIN = re.compile(r"ร\.\s?ศ\.\s*([0-9]{2,3})(?![0-9])")


def year_in_text(text: str) -> int | None:
    """The first full year in ``text`` (ASCII digits) as CE, or ``None``.

    A Buddhist-era year (≥ 2400) loses 543, so "2562 [2019]" and "พ.ศ. 2562" give 2019;
    a Rattanakosin-era year ("ร.ศ. 130", on old Thai imprints) before any 4-digit year adds
    1781. Incomplete years such as "[197-?]" or "[19--]" give ``None``.
    """
    rattanakosin = _RATTANAKOSIN.search(text)
    for match in _YEAR.finditer(text):
        if rattanakosin is not None and rattanakosin.start() < match.start():
            break
        year = ce_year(int(match.group(1)))
        if year is not None:
            return year
    if rattanakosin is not None:
        return int(rattanakosin.group(1)) + RE_OFFSET
    return None


# The calendar rule for a year a person types (forms, filters, URLs): the one place it is
# decided. A year marked with its era ("พ.ศ. 2567", "2567 BE", "ค.ศ. 2024", "AD 2024") is read
# in that era. An unmarked four-digit year from BE_MIN (2400) up is Buddhist Era, one up to
# CE_MAX (2199) Common Era: 2400 BE is 1857 CE and 2199 CE is far ahead, so neither era has a
# year a library means in the other's range. Years from 2200 to 2399 could be either (2300 BE
# is 1757 CE) and are refused with a request to mark the era. Thai digits are read too.

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_BE_MARK = re.compile(r"^(?:พ\.?\s?ศ\.?|b\.?\s?e\.?)$", re.IGNORECASE)
_CE_MARK = re.compile(r"^(?:ค\.?\s?ศ\.?|c\.?\s?e\.?|a\.?\s?d\.?)$", re.IGNORECASE)
_TYPED_YEAR = re.compile(r"^(?P<before>[^0-9]*?)\s*(?P<digits>[0-9]+)\s*(?P<after>[^0-9]*)$")


class YearInputError(ValueError):
    """A typed year that cannot be read: ``code`` is ``"not_a_year"`` or ``"ambiguous"``."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text!r}")
        self.code = code
        self.text = text


def read_year(text: str | int) -> int:
    """A year a person typed, in either era, as a Common Era year (see the rule above).

    >>> read_year("2567"), read_year("2024"), read_year("พ.ศ. 2300"), read_year("๒๕๖๗")
    (2024, 2024, 1757, 2024)
    """
    raw = str(text).strip()
    match = _TYPED_YEAR.match(raw.translate(_THAI_DIGITS))
    if match is None or len(match.group("digits")) != 4:
        raise YearInputError("not_a_year", raw)
    marks = [m.strip() for m in (match.group("before"), match.group("after")) if m.strip()]
    year = int(match.group("digits"))
    if len(marks) > 1:
        raise YearInputError("not_a_year", raw)
    if marks:
        if _BE_MARK.match(marks[0]):
            return year - BE_OFFSET
        if _CE_MARK.match(marks[0]):
            return year
        raise YearInputError("not_a_year", raw)
    if year >= BE_MIN:
        return year - BE_OFFSET
    if year <= CE_MAX:
        return year
    raise YearInputError("ambiguous", raw)
