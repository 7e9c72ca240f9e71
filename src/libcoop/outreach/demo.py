"""Demo data of outreach (loaded by ``libcoop demo``): the seed's ห้องสมุดพี่ช่วยน้อง programme.

Idempotent: programmes are matched by code, activities by programme, Thai title and year; a
second load changes nothing. Everything is written through the services as SYSTEM.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from libcoop.core.dates import PartialDate
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Network
from libcoop.outreach import services
from libcoop.outreach.models import Activity, Programme

DEMO_FILE = Path(__file__).parent / "data" / "demo_outreach.yaml"

ACTIVITY_FIELDS = (
    "title_en",
    "activity_type",
    "pupils",
    "teachers",
    "staff",
    "materials_donated_th",
    "materials_donated_en",
    "objectives_th",
    "objectives_en",
    "description_th",
    "description_en",
    "outcomes_th",
    "outcomes_en",
    "follow_up_th",
    "follow_up_en",
    "illustrative",
)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _programme(row: dict[str, Any]) -> tuple[Programme, bool]:
    network = Network.objects.get(code=row["network"]) if row.get("network") else None
    fields: dict[str, Any] = {
        "name_th": _text(row.get("name_th")),
        "name_en": _text(row.get("name_en")),
        "network": network,
        "objectives_th": _text(row.get("objectives_th")),
        "objectives_en": _text(row.get("objectives_en")),
        "start_year": row.get("start_year"),
    }
    programme = Programme.objects.filter(code=row["code"]).first()
    if programme is None:
        run_by = Institution.objects.get(code=row["run_by"])
        return services.create_programme(
            run_by, code=row["code"], acting_user=SYSTEM, **fields
        ), True
    return programme, bool(services.update_programme(programme, acting_user=SYSTEM, **fields))


def _activity(row: dict[str, Any]) -> tuple[Activity, bool]:
    programme = Programme.objects.get(code=row["programme"])
    when = PartialDate.parse(row["date"])
    assert when is not None
    schools = [Institution.objects.get(code=code) for code in row.get("schools") or []]
    fields: dict[str, Any] = {}
    for name in ACTIVITY_FIELDS:
        value = row.get(name)
        if name in ("pupils", "teachers", "staff"):
            fields[name] = value
        elif name == "illustrative":
            fields[name] = bool(value)
        else:
            fields[name] = _text(value)
    title_th = _text(row["title_th"])
    activity = Activity.objects.filter(
        programme=programme, title_th=title_th, date__year=when.date.year
    ).first()
    if activity is None:
        created = services.create_activity(
            programme,
            title_th=title_th,
            date=when,
            schools=schools,
            acting_user=SYSTEM,
            **fields,
        )
        return created, True
    diff = services.update_activity(
        activity, date=when, schools=schools, acting_user=SYSTEM, **fields
    )
    return activity, bool(diff)


@transaction.atomic
def load_demo(path: Path = DEMO_FILE) -> str:
    """Load the demo programmes and activities; return a one-line summary."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    programmes = [_programme(row) for row in data.get("programmes") or []]
    activities = [_activity(row) for row in data.get("activities") or []]
    changed = sum(c for _, c in programmes) + sum(c for _, c in activities)
    return (
        f"Outreach: {len(programmes)} programmes, {len(activities)} activities "
        f"({changed} created or changed)"
    )
