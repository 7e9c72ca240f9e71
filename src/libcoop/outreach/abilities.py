"""Rows of the ability table (``network.abilities``) for outreach programmes.

Who may do what:

* a programme and its activities are written by the staff (library admin, librarian) of the
  institution that runs the programme, or by a coordinator of the programme's network;
* a school contact (role ``school_contact``) acts only for their own school: on activities held
  at that school they add follow-up notes and photos, and read the notes; they never create or
  edit activities, and never see another school's records in the staff views
  (:mod:`libcoop.outreach.access` scopes their lists and pages);
* the public summary of an activity (title, type, date, schools, objectives, description,
  outcomes, participant counts, photos) is public evidence of the library's work; follow-up
  notes are read only by the programme's staff, its network coordinator and the schools' contacts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from libcoop.network.abilities import coordinator_of, school_contact_of, staff_of


def _runs_programme(user: Any, programme: Any) -> bool:
    if staff_of(user, programme.run_by_id):
        return True
    return programme.network is not None and coordinator_of(user, programme.network)


def _create_programme(user: Any, institution: Any) -> bool:
    return staff_of(user, institution.pk)


def _manage_activity(user: Any, activity: Any) -> bool:
    return _runs_programme(user, activity.programme)


def _contact_of_activity_school(user: Any, activity: Any) -> bool:
    if activity.pk is None:
        return False
    return any(school_contact_of(user, school_id) for school_id in _school_ids(activity))


def _school_ids(activity: Any) -> list[int]:
    return [s.pk for s in activity.schools.all()]


def _follow_up(user: Any, activity: Any) -> bool:
    return _manage_activity(user, activity) or _contact_of_activity_school(user, activity)


ABILITIES: dict[str, Callable[[Any, Any], bool]] = {
    # obj: Institution. Its staff start an outreach programme run by it.
    "outreach.create_programme": _create_programme,
    # obj: Programme. Staff of the running institution or the network's coordinator.
    "outreach.edit_programme": _runs_programme,
    # obj: Programme. The same people add activities to it.
    "outreach.add_activity": _runs_programme,
    # obj: Activity. The same people edit or remove an activity.
    "outreach.edit_activity": _manage_activity,
    # obj: Activity. The programme's people, or the contact of a school the activity was at.
    "outreach.add_photo": _follow_up,
    # obj: Activity. Add a follow-up note (the same people as photos).
    "outreach.add_follow_up": _follow_up,
    # obj: Activity. Read follow-up notes (the same people).
    "outreach.read_follow_up": _follow_up,
}
