"""Demo data of events (loaded by ``libcoop demo``): see ``data/demo_events.yaml`` for what is
confirmed by the sources and what is illustrative.

Idempotent: each event's iCalendar UID is made from its key in the file, so a second load
finds every event and changes nothing. Everything is written through the services as SYSTEM.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from libcoop.core.dates import PartialDate
from libcoop.core.era import BE_OFFSET
from libcoop.events import services
from libcoop.events.models import Attendance, Event
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Network

DEMO_FILE = Path(__file__).parent / "data" / "demo_events.yaml"
UID_DOMAIN = "demo.libcoop"
TEXT_FIELDS = (
    "title_th",
    "title_en",
    "place_th",
    "place_en",
    "online_url",
    "agenda_th",
    "agenda_en",
    "description_th",
    "description_en",
)


def _expand(row: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per year for rows with ``years`` ({year} and {year_be} filled in)."""
    years = row.get("years")
    if not years:
        return [row]
    out = []
    for year in years:
        values = {"year": year, "year_be": year + BE_OFFSET}
        out.append(
            {
                k: v.format(**values) if isinstance(v, str) else v
                for k, v in row.items()
                if k != "years"
            }
        )
    return out


def _institution(code: str | None) -> Institution | None:
    return Institution.objects.get(code=code) if code else None


def _time(value: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(value) if value else None


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    start = PartialDate.parse(row["start"])
    end = PartialDate.parse(row.get("end"))
    assert start is not None
    fields: dict[str, Any] = {name: str(row.get(name) or "").strip() for name in TEXT_FIELDS}
    fields.update(
        kind=row["kind"],
        network=Network.objects.get(code=row["network"]) if row.get("network") else None,
        organiser=_institution(row.get("organiser")),
        host=_institution(row.get("host")),
        start_date=start.date,
        precision=start.precision,
        end_date=end.date if end else None,
        start_time=_time(row.get("start_time")),
        end_time=_time(row.get("end_time")),
        status=row.get("status", "planned"),
        illustrative=bool(row.get("illustrative")),
    )
    return fields


def _event(row: dict[str, Any]) -> tuple[Event, int]:
    """Create or update one event and its attendance; return it and the number of changes."""
    uid = f"{row['key']}@{UID_DOMAIN}"
    fields = _fields(row)
    event = Event.objects.filter(uid=uid).first()
    changes = 0
    if event is None:
        event = services.create_event(uid=uid, acting_user=SYSTEM, **fields)
        changes += 1
    elif services.update_event(event, acting_user=SYSTEM, **fields):
        changes += 1
    for item in row.get("attendances") or []:
        institution = Institution.objects.get(code=item["institution"])
        before = Attendance.objects.filter(event=event, institution=institution).first()
        after = services.set_attendance(
            event,
            institution,
            role=item.get("role", "participant"),
            attendees=int(item.get("attendees") or 0),
            people=item.get("people") or [],
            acting_user=SYSTEM,
        )
        if before is None or (after is not None and after.updated != before.updated):
            changes += 1
    return event, changes


@transaction.atomic
def load_demo(path: Path = DEMO_FILE) -> str:
    """Load the demo events; return a one-line summary."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = [expanded for row in data.get("events") or [] for expanded in _expand(row)]
    results = [_event(row) for row in rows]
    changed = sum(c for _, c in results)
    return f"Events: {len(results)} events ({changed} created or changed)"
