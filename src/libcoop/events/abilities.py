"""Rows of the ability table (``network.abilities``) for network events.

Who may do what:

* create or edit an event, cancel it and add its outputs (minutes, slides, photos): a
  coordinator of the event's network, or the staff (library admin, librarian) of the
  organising institution;
* naming another institution as host needs that institution's staff or the network's
  coordinator; putting an event in a network needs its coordinator or an organiser that is a
  member (or the host) of that network — nobody writes events into another library's record;
* record attendance ("we attended"): only the staff of the attending institution itself — a
  librarian of A never records attendance for B, whoever organised the event;
* reminders are sent by the operator command only (SYSTEM);
* reading: events, attendance and outputs are public (they are the network's public record
  and evidence for assessments; nothing confidential belongs in them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from libcoop.network.abilities import coordinator_of, staff_of


def _organise(user: Any, event: Any) -> bool:
    """*event* may be unsaved (creating): organiser and network are what the form chose."""
    if event.organiser_id is not None and staff_of(user, event.organiser_id):
        return True
    return event.network is not None and coordinator_of(user, event.network)


def _name_host(user: Any, event: Any) -> bool:
    """Naming another institution as host puts the event in that institution's record (its
    report, its evidence): only its own staff or the network's coordinator may do that."""
    if event.host_id is None or event.host_id == event.organiser_id:
        return True
    if staff_of(user, event.host_id):
        return True
    return event.network is not None and coordinator_of(user, event.network)


def _place_in_network(user: Any, event: Any) -> bool:
    """An event appears in its network's calendar and dashboard: the network's coordinator
    puts it there, or the staff of an organiser that belongs to (or hosts) that network."""
    from libcoop.network.models import Membership

    network = event.network
    if network is None:
        return True
    if coordinator_of(user, network):
        return True
    organiser = event.organiser_id
    return (
        organiser is not None
        and staff_of(user, organiser)
        and (
            network.host_id == organiser
            or Membership.objects.filter(institution_id=organiser, network=network).exists()
        )
    )


def _record_attendance(user: Any, attendance: Any) -> bool:
    return staff_of(user, attendance.institution_id)


def _nobody(user: Any, obj: Any) -> bool:
    return False


ABILITIES: dict[str, Callable[[Any, Any], bool]] = {
    # obj: Event (unsaved). Organiser staff or the network's coordinator create it.
    "events.create": _organise,
    # obj: Event. The same people edit or cancel it.
    "events.edit": _organise,
    # obj: Event. Set or change its host to an institution other than the organiser.
    "events.name_host": _name_host,
    # obj: Event. Set or change its network (so it shows in that network's calendar).
    "events.place_in_network": _place_in_network,
    # obj: Event. The same people add minutes, slides, photos and reports.
    "events.add_output": _organise,
    # obj: Attendance (maybe unsaved). Staff of the attending institution only.
    "events.record_attendance": _record_attendance,
    # obj: None. Sending reminder e-mails: the operator command (SYSTEM) only.
    "events.send_reminders": _nobody,
}
