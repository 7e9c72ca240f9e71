"""iCalendar (RFC 5545) feed of a network's events — the wire format lives here only.

Each event is one VEVENT with a stable UID (``Event.uid``). Events known to the day without a
time are all-day (``DTSTART;VALUE=DATE``, RFC 5545 §3.6.1, with an exclusive DTEND the day after
the last day); timed events carry Asia/Bangkok times with a VTIMEZONE. Events known only to a
month or a year are left out: a calendar cannot say "some day in 2016", and putting them on the
first of the month would be false. Cancelled events stay in the feed with STATUS:CANCELLED so
that subscribed calendars remove them (§3.8.1.11).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, vText
from icalendar import Event as VEvent

from libcoop.core.bilingual import pick
from libcoop.core.dates import DatePrecision
from libcoop.events.models import Event, EventStatus
from libcoop.network.models import Network

BANGKOK = ZoneInfo("Asia/Bangkok")
STATUS = {
    EventStatus.PLANNED: "CONFIRMED",
    EventStatus.HELD: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}


def _span(
    event: Event,
) -> tuple[datetime.date | datetime.datetime, datetime.date | datetime.datetime]:
    last = event.end_date or event.start_date
    if event.start_time is None:
        return event.start_date, last + datetime.timedelta(days=1)
    start = datetime.datetime.combine(event.start_date, event.start_time, tzinfo=BANGKOK)
    if event.end_time is not None:
        end = datetime.datetime.combine(last, event.end_time, tzinfo=BANGKOK)
    elif event.end_date is not None:
        end = datetime.datetime.combine(
            last + datetime.timedelta(days=1), datetime.time(0), BANGKOK
        )
    else:
        end = start + datetime.timedelta(hours=1)
    return start, max(end, start)


def _vevent(event: Event, base_url: str, lang: str) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", event.updated or timezone.now())
    start, end = _span(event)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("summary", event.title_in(lang))
    place = event.place_in(lang)
    if place or event.online_url:
        vevent.add("location", vText(place or event.online_url))
    vevent.add("url", base_url + event.get_absolute_url())
    organiser = event.organiser.name_in(lang) if event.organiser else ""
    description = "\n\n".join(
        part
        for part in (
            organiser,
            pick(event.description_th, event.description_en, lang),
            pick(event.agenda_th, event.agenda_en, lang),
            event.online_url,
        )
        if part
    )
    if description:
        vevent.add("description", description)
    vevent.add("status", STATUS[EventStatus(event.status)])
    vevent.add("categories", [event.kind])
    return vevent


def calendar_for(
    network: Network, events: Iterable[Event], *, base_url: str, lang: str = "th"
) -> bytes:
    """The network's feed as bytes (CRLF line endings, folded lines, UTF-8)."""
    cal = Calendar()
    cal.add("prodid", "-//LibCoop//Network events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", network.name_in(lang))
    cal.add("x-wr-timezone", "Asia/Bangkok")
    for event in events:
        if event.precision == DatePrecision.DAY:
            cal.add_component(_vevent(event, base_url, lang))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
