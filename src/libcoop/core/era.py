"""The Buddhist Era (พ.ศ.) and the Common Era, in one place: the offset, conversion both ways
and the year of an imprint. Pure functions with no Django, so ``textsearch``, ``catalog`` and
``greenlib`` share them; ``core.dates`` shows years to people with them.
"""

from __future__ import annotations

import re

BE_OFFSET = 543  # Buddhist era year − 543 = Common Era year
RE_OFFSET = 1781  # Rattanakosin era (ร.ศ.) year + 1781 = Common Era year
BE_MIN = 2400  # 2400 BE = 1857 CE; no CE imprint year in a catalogue is that high

__all__ = [
    "BE_MIN",
    "BE_OFFSET",
    "RE_OFFSET",
    "be_to_ce",
    "ce_to_be",
    "ce_year",
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
