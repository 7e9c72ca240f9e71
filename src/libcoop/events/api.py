"""JSON API of network events. Reads are public; writes need a token and go through services."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from libcoop.core.api import Count, Error, token_auth
from libcoop.core.dates import PartialDate
from libcoop.events import services
from libcoop.events.models import Attendance, AttendanceRole, Event, EventKind, EventStatus
from libcoop.network.abilities import profile_of
from libcoop.network.models import Institution, Network

router = Router(tags=["events"])

# An event's time of day is kept as local time at the event (the site's zone, Asia/Bangkok) and
# published as RFC 3339 ``full-time``, which carries the offset: "09:30:00+07:00".
OffsetTime = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "format": "time",
            "description": "local time at the event, with its UTC offset (RFC 3339 full-time)",
            "examples": ["09:30:00+07:00"],
        }
    ),
]


def offset_time(day: datetime.date | None, value: datetime.time | None) -> str | None:
    """*value* on *day* in the site's zone, as RFC 3339 ``full-time`` with the offset."""
    if day is None or value is None:
        return None
    moment = datetime.datetime.combine(day, value, tzinfo=timezone.get_default_timezone())
    return moment.isoformat().split("T", 1)[1]


def local_time(value: datetime.time | None, day: datetime.date, name: str) -> datetime.time | None:
    """A time sent with an offset, as the local time at the event on *day* (the database keeps
    local times); a time without an offset is taken as local already."""
    if value is None or value.utcoffset() is None:
        return value
    zone = timezone.get_default_timezone()
    moment = datetime.datetime.combine(day, value).astimezone(zone)
    if moment.date() != day:
        raise ValidationError(
            _("%(name)s: that time falls on another day at the event; send the local time.")
            % {"name": name}
        )
    return moment.time()


class AttendanceOut(Schema):
    institution: str
    role: str
    attendees: int
    people: list[str]

    @staticmethod
    def resolve_institution(obj: Attendance) -> str:
        return obj.institution.code

    @staticmethod
    def resolve_people(obj: Attendance) -> list[str]:
        return obj.people_list


class EventOut(Schema):
    id: int
    uid: str
    title_th: str
    title_en: str
    kind: str
    status: str
    network: str | None
    organiser: str | None
    host: str | None
    start_date: datetime.date
    start_time: OffsetTime | None
    end_date: datetime.date | None
    end_time: OffsetTime | None
    precision: str
    place_th: str
    place_en: str
    online_url: str
    illustrative: bool
    url: str

    @staticmethod
    def resolve_network(obj: Event) -> str | None:
        return obj.network.code if obj.network else None

    @staticmethod
    def resolve_organiser(obj: Event) -> str | None:
        return obj.organiser.code if obj.organiser else None

    @staticmethod
    def resolve_host(obj: Event) -> str | None:
        return obj.host.code if obj.host else None

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_start_time(obj: Event) -> str | None:
        return offset_time(obj.start_date, obj.start_time)

    @staticmethod
    def resolve_end_time(obj: Event) -> str | None:
        return offset_time(obj.end_date or obj.start_date, obj.end_time)


class OutputOut(Schema):
    kind: str
    title: str
    url: str


class EventDetailOut(EventOut):
    agenda_th: str
    agenda_en: str
    description_th: str
    description_en: str
    attendances: list[AttendanceOut]
    outputs: list[OutputOut]

    @staticmethod
    def resolve_attendances(obj: Event) -> list[Attendance]:
        return list(obj.attendances.select_related("institution"))

    @staticmethod
    def resolve_outputs(obj: Event) -> list[dict[str, str]]:
        return [
            {
                "kind": o.kind,
                "title": o.title,
                "url": f"/events/outputs/{o.pk}/file/" if o.attachment_id else o.url,
            }
            for o in obj.outputs.all()
        ]


class EventIn(Schema):
    title_th: str = ""
    title_en: str = ""
    kind: EventKind
    network: str | None = Field(None, description="network code, e.g. GLN")
    organiser: str = Field(..., description="institution code, e.g. MFU-LIB")
    host: str | None = None
    start: str = Field(..., description="YYYY-MM-DD (YYYY or YYYY-MM for past events)")
    start_time: datetime.time | None = Field(
        None, description="local time at the event; an offset, if sent, is converted"
    )
    end_date: datetime.date | None = None
    end_time: datetime.time | None = Field(
        None, description="local time at the event; an offset, if sent, is converted"
    )
    place_th: str = ""
    place_en: str = ""
    online_url: str = ""
    agenda_th: str = ""
    agenda_en: str = ""
    description_th: str = ""
    description_en: str = ""
    status: EventStatus = EventStatus.PLANNED


class AttendanceIn(Schema):
    institution: str | None = Field(
        None, description="institution code; default: the token owner's own institution"
    )
    role: AttendanceRole = AttendanceRole.PARTICIPANT
    attendees: Count = 0
    people: list[str] = Field(default_factory=list)


@router.get("/events", response=list[EventOut])
def list_events(
    request: HttpRequest,
    network: str | None = None,
    year: int | None = Query(None, ge=datetime.MINYEAR, le=datetime.MAXYEAR),
    institution: str | None = None,
    status: EventStatus | None = None,
    upcoming: bool | None = None,
) -> object:
    events = Event.objects.select_related("network", "organiser", "host")
    if network:
        events = events.filter(network__code=network)
    if year:
        events = events.filter(start_date__year=year)
    if institution:
        events = events.filter(
            Q(organiser__code=institution)
            | Q(host__code=institution)
            | Q(attendances__institution__code=institution)
        ).distinct()
    if status:
        events = events.filter(status=status)
    if upcoming is not None:
        today = datetime.date.today()
        future = Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today)
        events = events.filter(future) if upcoming else events.exclude(future)
    return events.order_by("start_date", "start_time", "pk")


@router.get("/events/{pk}", response={200: EventDetailOut, 404: Error})
def event_detail(request: HttpRequest, pk: int) -> object:
    return get_object_or_404(Event.objects.select_related("network", "organiser", "host"), pk=pk)


def _institution(code: str | None) -> Institution | None:
    return get_object_or_404(Institution, code=code) if code else None


@router.post(
    "/events",
    auth=token_auth,
    response={201: EventDetailOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def create_event(request: HttpRequest, payload: EventIn) -> object:
    try:
        start = PartialDate.parse(payload.start)
    except ValidationError as exc:
        raise ValidationError(f"start: {exc.messages[0]}") from exc
    if start is None:
        raise ValidationError(_("%(name)s: required") % {"name": "start"})
    data = payload.dict(exclude={"network", "organiser", "host", "start"})
    data["start_time"] = local_time(payload.start_time, start.date, "start_time")
    data["end_time"] = local_time(payload.end_time, payload.end_date or start.date, "end_time")
    data["kind"] = payload.kind.value
    data["status"] = payload.status.value
    event = services.create_event(
        network=get_object_or_404(Network, code=payload.network) if payload.network else None,
        organiser=_institution(payload.organiser),
        host=_institution(payload.host),
        start_date=start.date,
        precision=start.precision,
        acting_user=request.user,
        **data,
    )
    return Status(201, event)


@router.post(
    "/events/{pk}/attendance",
    auth=token_auth,
    response={200: EventDetailOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def record_attendance(request: HttpRequest, pk: int, payload: AttendanceIn) -> object:
    event = get_object_or_404(Event, pk=pk)
    institution = _institution(payload.institution)
    if institution is None:
        profile = profile_of(request.user)
        if profile is None:
            raise ValidationError("institution: required (the token's user has no institution)")
        institution = profile.institution
    services.set_attendance(
        event,
        institution,
        role=payload.role.value,
        attendees=payload.attendees,
        people=payload.people,
        acting_user=request.user,
    )
    return event
