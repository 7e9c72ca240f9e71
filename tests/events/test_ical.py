"""The per-network iCalendar feed, parsed back with the icalendar package (RFC 5545)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from icalendar import Calendar

from libcoop.core.dates import DatePrecision
from libcoop.events.demo import load_demo
from libcoop.events.models import Event, EventStatus
from tests.events.factories import EventFactory
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db


def _feed(code: str, **params: str) -> Calendar:
    response = Client().get(f"/events/network/{code}.ics", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"\r\n" in response.content  # RFC 5545 §3.1: CRLF line breaks
    return Calendar.from_ical(response.content)


def _by_uid(cal: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_timed_all_day_and_cancelled_events() -> None:
    network = NetworkFactory(code="GREEN")
    timed = EventFactory(
        network=network,
        title_th="ประชุมคณะกรรมการ",
        start_date=datetime.date(2027, 1, 12),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 0),
        place_th="ห้องประชุม 1",
        online_url="https://meet.example.org/x",
    )
    all_day = EventFactory(
        network=network,
        start_date=datetime.date(2027, 2, 3),
        end_date=datetime.date(2027, 2, 4),
    )
    cancelled = EventFactory(network=network, status=EventStatus.CANCELLED)
    year_only = EventFactory(
        network=network, start_date=datetime.date(2016, 1, 1), precision=DatePrecision.YEAR
    )
    EventFactory()  # another network's event
    events = _by_uid(_feed("GREEN"))
    assert set(events) == {timed.uid, all_day.uid, cancelled.uid}  # year-only is left out
    assert year_only.uid not in events

    v = events[timed.uid]
    start = v["DTSTART"].dt  # type: ignore[index]
    assert start == datetime.datetime(2027, 1, 12, 9, 30, tzinfo=ZoneInfo("Asia/Bangkok"))
    assert str(start.tzinfo) == "Asia/Bangkok"
    assert v["DTEND"].dt.hour == 12  # type: ignore[index]
    assert str(v["SUMMARY"]) == "ประชุมคณะกรรมการ"  # type: ignore[index]
    assert str(v["LOCATION"]) == "ห้องประชุม 1"  # type: ignore[index]
    assert str(v["URL"]).endswith(f"/events/{timed.pk}/")  # type: ignore[index]
    assert str(v["STATUS"]) == "CONFIRMED"  # type: ignore[index]

    day = events[all_day.uid]
    assert day["DTSTART"].dt == datetime.date(2027, 2, 3)  # type: ignore[index]
    assert not isinstance(day["DTSTART"].dt, datetime.datetime)  # type: ignore[index]
    assert day["DTEND"].dt == datetime.date(2027, 2, 5)  # type: ignore[index]  # exclusive
    assert str(events[cancelled.uid]["STATUS"]) == "CANCELLED"  # type: ignore[index]


def test_feed_has_a_timezone_and_english_titles() -> None:
    network = NetworkFactory(code="GREEN2", name_en="Green two")
    event = EventFactory(network=network, title_en="Committee", start_time=datetime.time(13, 0))
    cal = _feed("GREEN2", lang="en")
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Bangkok"]
    assert str(_by_uid(cal)[event.uid]["SUMMARY"]) == "Committee"  # type: ignore[index]
    assert str(cal["X-WR-CALNAME"]) == "Green two"


def test_demo_feed_and_stable_uids(demo_registry: None) -> None:
    load_demo()
    uids = set(_by_uid(_feed("GLN")))
    assert "gln-signing-2014@demo.libcoop" in uids
    assert "gln-meeting-2026-12@demo.libcoop" in uids
    assert not any(uid.startswith("gln-meeting-2015") for uid in uids)  # year-only
    assert Client().get("/events/network/NOPE.ics").status_code == 404
    assert Event.objects.filter(network__code="GLN").count() > len(uids)
