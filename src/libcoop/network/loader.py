"""Load the registry from an editable YAML file (the demo network, or a network's own list).

Loading is an upsert by natural keys (codes; for memberships and seats the institution, the
network or working group, the role and the start), so loading the same file twice changes
nothing and writes no audit events. Nothing is deleted: removing a line from the file does not
remove history from the database.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
from libcoop.core.dates import PartialDate
from libcoop.network import services
from libcoop.network.abilities import SYSTEM, Actor, require
from libcoop.network.models import (
    Institution,
    InstitutionKind,
    Membership,
    MembershipRole,
    Network,
    NetworkKind,
    NetworkPurpose,
    Province,
    Purpose,
    Seat,
    SeatRole,
    WorkingGroup,
    WorkingGroupKind,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_FILE = DATA_DIR / "demo_network.yaml"
PROVINCES_FILE = DATA_DIR / "provinces.yaml"


class RegistryFileError(ValueError):
    """The file is not a valid registry file; the message says where and why."""


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return ", ".join(
            f"{k}: {self.created[k]} new, {self.updated[k]} changed, {self.unchanged[k]} same"
            for k in kinds
        )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RegistryFileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RegistryFileError(f"{path}: expected a mapping at the top level")
    return data


def _choice(value: Any, choices: type[models.TextChoices], where: str) -> str:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise RegistryFileError(f"{where}: {value!r} is not one of: {allowed}")
    return str(value)


def _date(value: Any, where: str) -> PartialDate | None:
    try:
        return PartialDate.parse(value)
    except ValidationError as exc:
        raise RegistryFileError(f"{where}: {exc.messages[0]}") from exc


def _upsert(
    report: LoadReport,
    kind: str,
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    verbs: tuple[AuditVerb, AuditVerb] | None,
    acting_user: Actor = SYSTEM,
) -> Any:
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        report.created[kind] += 1
        if verbs:
            record(verbs[0], obj, acting_user=acting_user, source="registry file")
        return obj
    diff = {
        name: [str(getattr(obj, name)), str(new)]
        for name, new in values.items()
        if getattr(obj, name) != new
    }
    if diff:
        for name, new in values.items():
            setattr(obj, name, new)
        obj.full_clean()
        obj.save()
        report.updated[kind] += 1
        if verbs:
            record(verbs[1], obj, acting_user=acting_user, changes=diff, source="registry file")
    else:
        report.unchanged[kind] += 1
    return obj


@transaction.atomic
def load_provinces(path: Path = PROVINCES_FILE) -> LoadReport:
    report = LoadReport()
    for i, row in enumerate(_read(path).get("provinces") or []):
        if not isinstance(row, dict) or not row.get("code"):
            raise RegistryFileError(f"{path}: provinces[{i}]: needs a code")
        _upsert(
            report,
            "province",
            Province,
            {"code": row["code"]},
            {"name_th": row.get("name_th", ""), "name_en": row.get("name_en", "")},
            None,
        )
    return report


@transaction.atomic
def load_registry(path: Path = DEMO_FILE, *, acting_user: Actor = SYSTEM) -> LoadReport:
    """Load institutions, networks, working groups, memberships and seats from *path*."""
    # Only trusted operators load whole registries: it creates institutions and networks.
    require(acting_user, "registry.load", None)
    data = _read(path)
    report = LoadReport()
    institutions = _load_institutions(data.get("institutions") or [], report)
    networks, groups = _load_networks(data.get("networks") or [], institutions, report)
    _load_memberships(data.get("memberships") or [], institutions, networks, report, acting_user)
    _load_seats(data.get("seats") or [], institutions, groups, report, acting_user)
    return report


def _ref(table: dict[str, Any], code: Any, where: str) -> Any:
    if code not in table:
        raise RegistryFileError(f"{where}: unknown code {code!r}")
    return table[code]


def _load_institutions(rows: list[dict[str, Any]], report: LoadReport) -> dict[str, Institution]:
    provinces = {p.code: p for p in Province.objects.all()}
    result: dict[str, Institution] = {}
    for i, row in enumerate(rows):
        where = f"institutions[{i}] ({row.get('code')})"
        province = row.get("province")
        values = {
            "kind": _choice(row.get("kind"), InstitutionKind, where),
            "name_th": row.get("name_th") or "",
            "name_en": row.get("name_en") or "",
            "short_name": row.get("short_name") or "",
            "province": _ref(provinces, province, where) if province else None,
            "district_th": row.get("district_th") or "",
            "district_en": row.get("district_en") or "",
            "website": row.get("website") or "",
        }
        result[row["code"]] = _upsert(
            report,
            "institution",
            Institution,
            {"code": row["code"]},
            values,
            (AuditVerb.INSTITUTION_CREATED, AuditVerb.INSTITUTION_CHANGED),
        )
    for i, row in enumerate(rows):
        if row.get("parent"):
            inst = result[row["code"]]
            parent = _ref(result, row["parent"], f"institutions[{i}].parent")
            if inst.parent_id != parent.pk:
                inst.parent = parent
                inst.save(update_fields=["parent"])
    return result


def _load_networks(
    rows: list[dict[str, Any]], institutions: dict[str, Institution], report: LoadReport
) -> tuple[dict[str, Network], dict[str, WorkingGroup]]:
    networks: dict[str, Network] = {}
    groups: dict[str, WorkingGroup] = {}
    for i, row in enumerate(rows):
        where = f"networks[{i}] ({row.get('code')})"
        host = row.get("host")
        values = {
            "kind": _choice(row.get("kind"), NetworkKind, where),
            "name_th": row.get("name_th") or "",
            "name_en": row.get("name_en") or "",
            "acronym": row.get("acronym") or "",
            "host": _ref(institutions, host, where) if host else None,
            "website": row.get("website") or "",
            "description_th": row.get("description_th") or "",
            "description_en": row.get("description_en") or "",
        }
        network = _upsert(
            report,
            "network",
            Network,
            {"code": row["code"]},
            values,
            (AuditVerb.NETWORK_CREATED, AuditVerb.NETWORK_CHANGED),
        )
        networks[row["code"]] = network
        wanted = {_choice(p, Purpose, where) for p in row.get("purposes") or []}
        have = set(network.purposes.values_list("purpose", flat=True))
        for purpose in wanted - have:
            NetworkPurpose.objects.create(network=network, purpose=purpose)
        for j, wg in enumerate(row.get("working_groups") or []):
            wg_where = f"{where}.working_groups[{j}]"
            groups[wg["code"]] = _upsert(
                report,
                "working_group",
                WorkingGroup,
                {"code": wg["code"]},
                {
                    "network": network,
                    "kind": _choice(wg.get("kind"), WorkingGroupKind, wg_where),
                    "name_th": wg.get("name_th") or "",
                    "name_en": wg.get("name_en") or "",
                    "description_th": wg.get("description_th") or "",
                    "description_en": wg.get("description_en") or "",
                },
                (AuditVerb.WORKING_GROUP_CREATED, AuditVerb.WORKING_GROUP_CHANGED),
            )
    for i, row in enumerate(rows):
        parent_code = row.get("parent")
        network = networks[row["code"]]
        parent = _ref(networks, parent_code, f"networks[{i}].parent") if parent_code else None
        if network.parent_id != (parent.pk if parent else None):
            network.parent = parent
            network.save(update_fields=["parent"])
    return networks, groups


def _term_values(
    row: dict[str, Any], where: str
) -> tuple[PartialDate | None, PartialDate | None, dict[str, Any], dict[str, Any]]:
    """The row's start and end, the lookup part (start) and the values part (the rest)."""
    start = _date(row.get("start"), f"{where}.start")
    end = _date(row.get("end"), f"{where}.end")
    if start and end and end.date < start.date:
        raise RegistryFileError(f"{where}: ends before it starts")
    lookup = {"start": start.date if start else None}
    values = {
        "start_precision": start.precision if start else "year",
        "end": end.date if end else None,
        "end_precision": end.precision if end else "year",
    }
    return start, end, lookup, values


def _load_term(
    report: LoadReport,
    kind: str,
    model: type[Membership] | type[Seat],
    row: dict[str, Any],
    where: str,
    lookup: dict[str, Any],
    extra: dict[str, str],
    add: Any,
    verbs: tuple[AuditVerb, AuditVerb],
    acting_user: Actor,
) -> None:
    """A new term (membership, seat) is added through its service, *add* (the service's rules
    and audit entry, as the acting user); a known one is brought up to date (ends, notes)."""
    start, end, term_lookup, term_values = _term_values(row, where)
    lookup = {**lookup, **term_lookup}
    if model.objects.filter(**lookup).exists():
        _upsert(report, kind, model, lookup, {**term_values, **extra}, verbs, acting_user)
        return
    try:
        add(start=start, end=end, acting_user=acting_user, **extra)
    except ValidationError as exc:
        raise RegistryFileError(f"{where}: {' '.join(exc.messages)}") from exc
    report.created[kind] += 1


def _load_memberships(
    rows: list[dict[str, Any]],
    institutions: dict[str, Institution],
    networks: dict[str, Network],
    report: LoadReport,
    acting_user: Actor,
) -> None:
    for i, row in enumerate(rows):
        where = f"memberships[{i}]"
        institution = _ref(institutions, row.get("institution"), where)
        network = _ref(networks, row.get("network"), where)
        role = _choice(row.get("role", "member"), MembershipRole, where)
        _load_term(
            report,
            "membership",
            Membership,
            row,
            where,
            {"institution": institution, "network": network, "role": role},
            {"note_th": row.get("note_th") or "", "note_en": row.get("note_en") or ""},
            functools.partial(services.add_membership, network, institution, role=role),
            (AuditVerb.MEMBERSHIP_ADDED, AuditVerb.MEMBERSHIP_CHANGED),
            acting_user,
        )


def _load_seats(
    rows: list[dict[str, Any]],
    institutions: dict[str, Institution],
    groups: dict[str, WorkingGroup],
    report: LoadReport,
    acting_user: Actor,
) -> None:
    for i, row in enumerate(rows):
        where = f"seats[{i}]"
        group = _ref(groups, row.get("working_group"), where)
        institution = _ref(institutions, row.get("institution"), where)
        role = _choice(row.get("role", "member"), SeatRole, where)
        _load_term(
            report,
            "seat",
            Seat,
            row,
            where,
            {"working_group": group, "institution": institution, "role": role},
            {"person_th": row.get("person_th") or "", "person_en": row.get("person_en") or ""},
            functools.partial(services.add_seat, group, institution, role=role),
            (AuditVerb.SEAT_ADDED, AuditVerb.SEAT_CHANGED),
            acting_user,
        )
