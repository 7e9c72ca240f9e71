"""Read functions other apps use to see network events (the cross-app contract).

Text comes in the language asked for, falling back to the other one; dates are Common Era.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils import translation

from libcoop.events.models import Attendance, AttendanceRole, Event, EventKind, EventStatus
from libcoop.network.models import Institution, Network


@dataclass(frozen=True)
class AttendedEvent:
    pk: int
    title: str
    kind: str
    kind_label: str
    network_code: str | None
    network_name: str | None
    start: date
    precision: str
    role: str
    role_label: str
    attendees: int
    people: list[str]
    place: str
    url: str
    # Demo data that is not a recorded fact (Event.illustrative): reports must say so.
    illustrative: bool = False


def _label(choices: type[EventKind] | type[AttendanceRole], value: str, lang: str) -> str:
    with translation.override(lang):
        try:
            return str(choices(value).label)
        except ValueError:
            return value


def _fact(event: Event, role: str, attendance: Attendance | None, lang: str) -> AttendedEvent:
    return AttendedEvent(
        pk=event.pk,
        title=event.title_in(lang),
        kind=event.kind,
        kind_label=_label(EventKind, event.kind, lang),
        network_code=event.network.code if event.network else None,
        network_name=event.network.name_in(lang) if event.network else None,
        start=event.start_date,
        precision=event.precision,
        role=role,
        role_label=_label(AttendanceRole, role, lang),
        attendees=attendance.attendees if attendance else 0,
        people=attendance.people_list if attendance else [],
        place=event.place_in(lang),
        url=event.get_absolute_url(),
        illustrative=event.illustrative,
    )


def _held_or_planned() -> QuerySet[Event]:
    return (
        Event.objects.exclude(status=EventStatus.CANCELLED)
        .select_related("network", "organiser", "host")
        .order_by("start_date", "start_time", "pk")
    )


def _involving(institution: Institution) -> QuerySet[Event]:
    return _held_or_planned().filter(
        Q(organiser=institution) | Q(host=institution) | Q(attendances__institution=institution)
    )


def _role_of(event: Event, institution: Institution, attendance: Attendance | None) -> str:
    """The recorded role; otherwise organiser or host from the event itself."""
    if attendance is not None:
        return attendance.role
    if event.organiser_id == institution.pk:
        return AttendanceRole.ORGANISER
    if event.host_id == institution.pk:
        return AttendanceRole.HOST
    return AttendanceRole.PARTICIPANT


def events_attended(
    institution: Institution, *, year: int | None = None, lang: str = "th"
) -> list[AttendedEvent]:
    """Events the institution organised, hosted or attended (not cancelled), oldest first."""
    events = _involving(institution)
    if year is not None:
        events = events.filter(start_date__year=year)
    events = events.distinct()
    attendances = {
        a.event_id: a for a in Attendance.objects.filter(institution=institution, event__in=events)
    }
    facts = []
    for event in events:
        attendance = attendances.get(event.pk)
        facts.append(_fact(event, _role_of(event, institution, attendance), attendance, lang))
    return facts


def events_of_network(
    network: Network, *, year: int | None = None, lang: str = "th"
) -> list[AttendedEvent]:
    """The network's events (not cancelled), oldest first; role and people are the organiser's."""
    events = _held_or_planned().filter(network=network)
    if year is not None:
        events = events.filter(start_date__year=year)
    organiser_rows = {
        a.event_id: a
        for a in Attendance.objects.filter(
            event__in=events, institution_id=F("event__organiser_id")
        )
    }
    facts = []
    for event in events:
        facts.append(_fact(event, AttendanceRole.ORGANISER, organiser_rows.get(event.pk), lang))
    return facts


def event_exists_for(institution: Institution, pk: int) -> bool:
    """True when event *pk* is one the institution organised, hosted or attended."""
    return _involving(institution).filter(pk=pk).exists()
