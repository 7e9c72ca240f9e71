"""JSON API of outreach programmes. Reads are public (a school contact sees only their own
school's activities, as in the pages); writes need a token and go through services."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from libcoop.core.api import READ_AUTH, Count, Error, token_auth
from libcoop.core.dates import PartialDate
from libcoop.network.models import Institution
from libcoop.outreach import services
from libcoop.outreach.access import get_activity_for, visible_activities, visible_programmes
from libcoop.outreach.models import Activity, ActivityType, Programme

router = Router(tags=["outreach"])


class ProgrammeOut(Schema):
    code: str
    name_th: str
    name_en: str
    run_by: str
    network: str | None
    objectives_th: str
    objectives_en: str
    start_year: int | None

    @staticmethod
    def resolve_run_by(obj: Programme) -> str:
        return obj.run_by.code

    @staticmethod
    def resolve_network(obj: Programme) -> str | None:
        return obj.network.code if obj.network else None


class ActivityOut(Schema):
    id: int
    programme: str
    title_th: str
    title_en: str
    activity_type: str
    date: date
    precision: str
    schools: list[str]
    pupils: int | None
    teachers: int | None
    staff: int | None
    materials_donated_th: str
    materials_donated_en: str
    objectives_th: str
    objectives_en: str
    description_th: str
    description_en: str
    outcomes_th: str
    outcomes_en: str
    follow_up_th: str
    follow_up_en: str
    illustrative: bool
    url: str

    @staticmethod
    def resolve_programme(obj: Activity) -> str:
        return obj.programme.code

    @staticmethod
    def resolve_schools(obj: Activity) -> list[str]:
        return sorted(s.code for s in obj.schools.all())

    @staticmethod
    def resolve_url(obj: Activity) -> str:
        return obj.get_absolute_url()


class ActivityIn(Schema):
    programme: str = Field(..., description="programme code, e.g. MFU-BIGSIB")
    title_th: str = ""
    title_en: str = ""
    activity_type: ActivityType
    date: str = Field(..., description="YYYY, YYYY-MM or YYYY-MM-DD (Common Era)")
    schools: list[str] = Field(default_factory=list, description="school institution codes")
    pupils: Count | None = None
    teachers: Count | None = None
    staff: Count | None = None
    materials_donated_th: str = ""
    materials_donated_en: str = ""
    objectives_th: str = ""
    objectives_en: str = ""
    description_th: str = ""
    description_en: str = ""
    outcomes_th: str = ""
    outcomes_en: str = ""
    follow_up_th: str = ""
    follow_up_en: str = ""


@router.get("/outreach/programmes", response=list[ProgrammeOut], auth=READ_AUTH)
def list_programmes(request: HttpRequest) -> object:
    # The same scoping as the pages: a school contact sees only its own school's programmes.
    return visible_programmes(request.user)


@router.get("/outreach/activities", response=list[ActivityOut], auth=READ_AUTH)
def list_activities(
    request: HttpRequest,
    programme: str | None = None,
    year: int | None = Query(None, ge=MINYEAR, le=MAXYEAR),
    school: str | None = None,
    activity_type: ActivityType | None = None,
) -> object:
    activities = visible_activities(request.user)
    if programme:
        activities = activities.filter(programme__code=programme)
    if year:
        activities = activities.filter(date__year=year)
    if school:
        activities = activities.filter(schools__code=school)
    if activity_type:
        activities = activities.filter(activity_type=activity_type)
    return activities.distinct()


@router.get("/outreach/activities/{pk}", response={200: ActivityOut, 404: Error}, auth=READ_AUTH)
def activity_detail(request: HttpRequest, pk: int) -> object:
    return get_activity_for(request.user, pk)


def _schools(codes: list[str]) -> list[Institution]:
    found = {i.code: i for i in Institution.objects.filter(code__in=codes)}
    missing = sorted(set(codes) - set(found))
    if missing:
        raise ValidationError(f"Unknown institution codes: {', '.join(missing)}")
    return [found[c] for c in codes]


def _date(value: str) -> PartialDate:
    try:
        parsed = PartialDate.parse(value)
    except ValidationError as exc:
        raise ValidationError(f"date: {exc.messages[0]}") from exc
    if parsed is None:
        raise ValidationError("date: required")
    return parsed


@router.post(
    "/outreach/activities",
    auth=token_auth,
    response={201: ActivityOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def create_activity(request: HttpRequest, payload: ActivityIn) -> object:
    programme = get_object_or_404(Programme, code=payload.programme)
    data = payload.dict()
    data.pop("programme")
    data["activity_type"] = payload.activity_type.value
    data["date"] = _date(payload.date)
    data["schools"] = _schools(payload.schools)
    activity = services.create_activity(programme, acting_user=request.user, **data)
    return Status(201, activity)
