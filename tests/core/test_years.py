"""One calendar rule (#16): Thai pages show and take Buddhist-era years, English pages
Common-era years; either is read where unambiguous, a clear message where not. The rule
(core.era.read_year), its form fields and filters (core.years), and the pages that use it."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from libcoop.core.dates import DatePrecision, PartialDate
from libcoop.core.era import YearInputError, read_year
from libcoop.core.years import PartialDateField, YearField, parse_year, year_param
from tests.catalog.marcdata import book, write
from tests.factories import InstitutionFactory


@pytest.mark.parametrize(
    ("typed", "ce"),
    [
        ("2567", 2024),  # unmarked, from 2400: B.E.
        ("2400", 1857),
        ("2024", 2024),  # unmarked, up to 2199: C.E.
        ("2199", 2199),
        ("1986", 1986),
        ("๒๕๖๗", 2024),  # Thai digits
        ("พ.ศ. 2567", 2024),
        ("พ.ศ.2300", 1757),  # marked: the era decides, even in the ambiguous band
        ("2300 BE", 1757),
        ("B.E. 2567", 2024),
        ("ค.ศ. 2300", 2300),
        ("AD 2024", 2024),
        ("c.e. 2024", 2024),
        (" 2567 ", 2024),
        (2562, 2019),
    ],
)
def test_the_rule_reads_either_era(typed: str | int, ce: int) -> None:
    assert read_year(typed) == ce


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2300", "ambiguous"),
        ("2200", "ambiguous"),
        ("2399", "ambiguous"),
        ("67", "not_a_year"),
        ("25670", "not_a_year"),
        ("20x4", "not_a_year"),
        ("next year", "not_a_year"),
        ("พ.ศ. ค.ศ. 2024", "not_a_year"),
        ("", "not_a_year"),
    ],
)
def test_the_rule_refuses_what_it_cannot_read(typed: str, code: str) -> None:
    with pytest.raises(YearInputError) as err:
        read_year(typed)
    assert err.value.code == code


def test_messages_say_what_to_write_in_the_pages_language() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as err:
        parse_year("2300")
    assert "พ.ศ. 2300" in err.value.messages[0] and "ค.ศ. 2300" in err.value.messages[0]
    assert "2400" in err.value.messages[0]
    with translation.override("en"), pytest.raises(ValidationError) as err:
        parse_year("2567", minimum=2000, maximum=2020)
    assert err.value.messages == ["Give a year from 2000 to 2020."]
    with translation.override("th"), pytest.raises(ValidationError) as err:
        parse_year("2024", minimum=2000, maximum=2020)
    assert "2543" in err.value.messages[0] and "2563" in err.value.messages[0]  # B.E. limits
    assert parse_year("") is None and parse_year(None) is None
    assert year_param("2562") == (2019, None)
    year, problem = year_param("soon")
    assert year is None and problem


class _Form(forms.Form):
    year = YearField(min_value=1900, max_value=2100)
    date = PartialDateField(required=False)


def test_year_field_shows_the_pages_era_and_takes_either() -> None:
    with translation.override("th"):
        html = str(_Form(initial={"year": 2024, "date": PartialDate.parse("2019-06")})["year"])
        assert 'value="2567"' in html and 'inputmode="numeric"' in html
        assert 'value="2562-06"' in str(
            _Form(initial={"date": PartialDate.parse("2019-06")})["date"]
        )
    with translation.override("en"):
        assert 'value="2024"' in str(_Form(initial={"year": 2024})["year"])
    for typed in ("2567", "2024", "พ.ศ. 2567"):
        form = _Form({"year": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["year"] == 2024
    form = _Form({"year": "2300"})
    assert not form.is_valid() and "2300" in form.errors["year"][0]
    # shown again as typed, not converted
    assert 'value="2300"' in str(form["year"])


def test_partial_dates_take_buddhist_era_years() -> None:
    form = _Form({"year": "2024", "date": "2557-06-30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date"] == PartialDate(datetime.date(2014, 6, 30), DatePrecision.DAY)
    form = _Form({"year": "2024", "date": "2557"})
    assert form.is_valid() and form.cleaned_data["date"].date.year == 2014
    form = _Form({"year": "2024", "date": "2557-13"})
    assert not form.is_valid() and "2557-13" in form.errors["date"][0]


# --- pages that take a year -------------------------------------------------------------------


@pytest.mark.django_db
def test_catalog_year_filter_takes_buddhist_era_years(tmp_path: Path) -> None:
    """`year_from=2560&year_to=2567` found nothing: the filter compared B.E. with C.E."""
    InstitutionFactory(code="AAA-LIB")
    marc = write(
        tmp_path / "a.mrc",
        book("a1", "Green library design", year=2019),
        book("a2", "Old library buildings", year=1990),
    )
    call_command("catalog", "import", str(marc), "--library", "AAA-LIB", stdout=io.StringIO())
    client = Client()
    html = client.get(
        "/catalog/",
        {"q": "library", "year_from": "2560", "year_to": "2567"},
        HTTP_ACCEPT_LANGUAGE="th",
    ).content.decode()
    assert "Green library design" in html and "Old library buildings" not in html
    assert 'name="year_from"' in html and 'value="2560"' in html  # shown back in B.E.
    english = client.get(
        "/catalog/", {"q": "library", "year_from": "2015"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Green library design" in english and 'value="2015"' in english
    ambiguous = client.get(
        "/catalog/", {"q": "library", "year_from": "2300"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "ค.ศ. 2300" in ambiguous  # the message says how to write it


@pytest.mark.django_db
def test_events_list_filters_by_a_buddhist_era_year() -> None:
    html = Client().get("/events/", {"year": "2562"}, HTTP_ACCEPT_LANGUAGE="th")
    assert html.status_code == 200
    assert html.context["year"] == 2019


@pytest.mark.django_db
def test_ill_statistics_take_either_era() -> None:
    from libcoop.ill.stats_views import _year

    assert _year("2566") == 2023 and _year("2023") == 2023 and _year("2300") is None


@pytest.mark.django_db
def test_event_form_shows_and_takes_buddhist_era_dates() -> None:
    from libcoop.events.models import Event
    from tests.events.factories import EventFactory
    from tests.factories import UserFactory

    event = EventFactory(start_date=datetime.date(2019, 6, 5))
    superuser = UserFactory(is_superuser=True, is_staff=True)
    superuser.save()
    client = Client()
    client.force_login(superuser)
    url = f"/events/{event.pk}/edit/"
    thai = client.get(url, HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert 'value="2562-06-05"' in thai
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="2019-06-05"' in english
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(start="2563-03", title_th=event.title_th, title_en=event.title_en)
    client.post(url, {k: str(v) for k, v in data.items() if not isinstance(v, list)})
    event = Event.objects.get(pk=event.pk)
    assert event.start_date == datetime.date(2020, 3, 1), event.start_date
