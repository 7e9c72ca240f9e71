"""libcoop.core.era: the one Buddhist-era offset, conversion and imprint-year reading."""

from __future__ import annotations

import pytest

from libcoop.core.era import BE_OFFSET, be_to_ce, ce_to_be, ce_year, year_in_text


def test_be_ce_conversion() -> None:
    assert BE_OFFSET == 543
    assert be_to_ce(2562) == 2019
    assert be_to_ce(1999) == 1999
    assert be_to_ce(2400) == 1857
    assert ce_to_be(2019) == 2562


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2019, 2019), (2562, 2019), (999, None), (2400, 1857), (2999, 2456), (2399, 2399)],
)
def test_ce_year(year: int, expected: int | None) -> None:
    assert ce_year(year) == expected


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("c2019.", 2019),
        ("[2019?]", 2019),
        ("พ.ศ. 2562", 2019),
        ("2562 [2019]", 2019),
        ("ร.ศ. 130", 1911),
        ("[197-?]", None),
        ("[s.n.]", None),
    ],
)
def test_year_in_text(text: str, year: int | None) -> None:
    assert year_in_text(text) == year
