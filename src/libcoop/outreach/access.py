"""Which outreach records a user sees in lists and pages (tenant scoping for school contacts).

A school contact's account is scoped to their own school: every outreach list shows only the
activities held at that school, and another school's activity is a 404 (its existence is not
confirmed). Everyone else sees the public summaries of all activities.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from libcoop.network.abilities import Actor, profile_of
from libcoop.network.models import StaffRole
from libcoop.network.queries import network_and_below
from libcoop.outreach.models import Activity, Programme


def school_of(user: Actor) -> int | None:
    """The school a school contact acts for; None for everyone else."""
    profile = profile_of(user)
    if profile is not None and profile.role == StaffRole.SCHOOL_CONTACT:
        return profile.institution_id
    return None


def visible_activities(user: Actor) -> QuerySet[Activity]:
    activities = Activity.objects.select_related("programme", "programme__run_by")
    school_id = school_of(user)
    if school_id is not None:
        activities = activities.filter(schools=school_id)
    return activities.prefetch_related("schools").order_by("date", "pk")


def visible_programmes(user: Actor) -> QuerySet[Programme]:
    programmes = Programme.objects.select_related("run_by", "network")
    school_id = school_of(user)
    if school_id is not None:
        programmes = programmes.filter(activities__schools=school_id).distinct()
    return programmes.order_by("code")


def get_activity_for(user: Actor, pk: int) -> Activity:
    """The activity if *user* may see it, else 404."""
    activity = visible_activities(user).filter(pk=pk).first()
    if activity is None:
        raise Http404("No such activity")
    return activity


def my_activities(user: Actor) -> QuerySet[Activity]:
    """The staff list: a school's activities for its contact; the programmes' own for staff."""
    profile = profile_of(user)
    if profile is None:
        return Activity.objects.none()
    if profile.role == StaffRole.SCHOOL_CONTACT:
        return visible_activities(user)
    if profile.role in (StaffRole.LIBRARY_ADMIN, StaffRole.LIBRARIAN):
        return visible_activities(user).filter(programme__run_by=profile.institution_id)
    if profile.role == StaffRole.NETWORK_COORDINATOR and profile.network_id is not None:
        return visible_activities(user).filter(
            programme__network__in=network_and_below(profile.network_id)
        )
    return Activity.objects.none()
