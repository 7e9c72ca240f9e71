"""Read functions other apps use to see outreach work (the cross-app contract).

Text comes in the language asked for, falling back to the other one; dates are Common Era.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet, Sum
from django.utils import translation

from libcoop.core.bilingual import pick
from libcoop.network.models import Institution
from libcoop.outreach.models import Activity, ActivityType, Programme


@dataclass(frozen=True)
class SchoolRef:
    code: str
    name: str
    district: str
    province: str


@dataclass(frozen=True)
class OutreachActivityFact:
    pk: int
    programme_code: str
    programme_name: str
    title: str
    activity_type: str
    activity_type_label: str
    date: date
    precision: str
    schools: list[SchoolRef]
    pupils: int | None
    teachers: int | None
    staff: int | None
    objectives: str
    description: str
    outcomes: str
    url: str


@dataclass(frozen=True)
class Reach:
    activities: int
    schools: int
    pupils: int
    teachers: int


def _type_label(value: str, lang: str) -> str:
    with translation.override(lang):
        try:
            return str(ActivityType(value).label)
        except ValueError:
            return value


def _school(school: Institution, lang: str) -> SchoolRef:
    province = school.province
    return SchoolRef(
        code=school.code,
        name=school.name_in(lang),
        district=pick(school.district_th, school.district_en, lang),
        province=pick(province.name_th, province.name_en, lang) if province else "",
    )


def activity_fact(activity: Activity, lang: str) -> OutreachActivityFact:
    """One activity as a plain fact (the activity's programme and schools prefetched)."""
    return OutreachActivityFact(
        pk=activity.pk,
        programme_code=activity.programme.code,
        programme_name=activity.programme.name_in(lang),
        title=activity.title_in(lang),
        activity_type=activity.activity_type,
        activity_type_label=_type_label(activity.activity_type, lang),
        date=activity.date,
        precision=activity.precision,
        schools=[_school(s, lang) for s in activity.schools.all()],
        pupils=activity.pupils,
        teachers=activity.teachers,
        staff=activity.staff,
        objectives=activity.text("objectives", lang),
        description=activity.text("description", lang),
        outcomes=activity.text("outcomes", lang),
        url=activity.get_absolute_url(),
    )


def _activities_run_by(institution: Institution) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(programme__run_by=institution)
        .select_related("programme")
        .prefetch_related("schools__province")
        .order_by("date", "pk")
    )


def activities_of(
    institution: Institution, *, year: int | None = None, lang: str = "th"
) -> list[OutreachActivityFact]:
    """Activities of programmes the institution runs, oldest first."""
    activities = _activities_run_by(institution)
    if year is not None:
        activities = activities.filter(date__year=year)
    return [activity_fact(a, lang) for a in activities]


def programme_objectives(institution: Institution, *, lang: str = "th") -> list[tuple[str, str]]:
    """(programme name, objectives text) for each programme the institution runs."""
    return [
        (p.name_in(lang), p.objectives_in(lang))
        for p in Programme.objects.filter(run_by=institution).order_by("code")
    ]


def reach_of_activities(activities: QuerySet[Activity]) -> Reach:
    """Totals of some activities; unknown participant counts add nothing."""
    totals = activities.aggregate(pupils=Sum("pupils"), teachers=Sum("teachers"))
    schools = Institution.objects.filter(outreach_activities__in=activities).distinct().count()
    return Reach(
        activities=activities.count(),
        schools=schools,
        pupils=totals["pupils"] or 0,
        teachers=totals["teachers"] or 0,
    )


def reach_of(institution_ids: Iterable[int], *, year: int | None = None) -> Reach:
    """How far the programmes run by these institutions reached (unknown counts add nothing)."""
    activities = Activity.objects.filter(programme__run_by__in=list(institution_ids))
    if year is not None:
        activities = activities.filter(date__year=year)
    return reach_of_activities(activities)


def activity_exists_for(institution: Institution, pk: int) -> bool:
    """True when activity *pk* belongs to a programme the institution runs."""
    return Activity.objects.filter(pk=pk, programme__run_by=institution).exists()
