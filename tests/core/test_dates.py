import datetime

from libcoop.core.dates import display_partial_date, display_year


def test_buddhist_era_in_thai_common_era_in_english() -> None:
    assert display_year(2014, "th") == "2557"
    assert display_year(2014, "en") == "2014"
    d = datetime.date(2019, 6, 5)
    assert display_partial_date(d, "day", "th") == "5 มิถุนายน 2562"
    assert display_partial_date(d, "month", "en") == "June 2019"
    assert display_partial_date(d, "year", "th") == "2562"
    assert display_partial_date(None, "year", "th") == ""
