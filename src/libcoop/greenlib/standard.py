"""Reading an assessment-standard data file (YAML) into plain, checked specs.

The file format is described at the top of ``data/standards/tla-2558.yaml``. Parsing is strict
(an unknown key is an error, so a typo cannot silently drop a fact) and checks the rules a
coordinator could break when editing: unique codes, a number only with a confirmed or derived
status, audit splits and item points that fit the points above them. Writing the specs to the
database is :func:`libcoop.greenlib.services.load_standard`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import yaml
from django.core.exceptions import ValidationError

from libcoop.greenlib.models import CriterionLevel, FactStatus, Wording

STANDARDS_DIR: Final = Path(__file__).resolve().parent / "data" / "standards"
STATUSES: Final = frozenset(FactStatus.values)
AUDIT_METHODS: Final = ("interview", "documents", "onsite")

_STANDARD_KEYS: Final = {
    "code", "title_th", "title_en", "issuer", "effective_year", "total_points",
    "total_points_status", "description_th", "description_en", "sources", "categories",
}  # fmt: skip
_CATEGORY_KEYS: Final = {
    "number", "title_th", "title_en", "title_status", "requirement_th", "requirement_en",
    "requirement_wording", "max_points", "points_status", "audit", "audit_items", "go_ref",
    "note_th", "note_en", "sources", "criteria",
}  # fmt: skip
_CRITERION_KEYS: Final = {
    "code", "level", "title_th", "title_en", "status", "requirement_th", "requirement_en",
    "requirement_wording", "max_points", "points_status", "audit", "evidence", "go_ref",
    "note_th", "note_en", "sources", "assessable", "children",
}  # fmt: skip
_EVIDENCE_KEYS: Final = {"th", "en", "status", "points"}
_AUDIT_ITEM_KEYS: Final = {"method", "points", "th", "en"}


@dataclass(frozen=True)
class AuditSplit:
    interview: Decimal | None = None
    documents: Decimal | None = None
    onsite: Decimal | None = None

    def total(self) -> Decimal:
        return sum((p for p in (self.interview, self.documents, self.onsite) if p), Decimal(0))


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    level: str
    position: int
    assessable: bool
    title_th: str
    title_en: str
    status: str
    requirement_th: str
    requirement_en: str
    requirement_wording: str
    max_points: Decimal | None
    points_status: str
    audit: AuditSplit
    evidence: list[dict[str, Any]]
    go_ref: str
    note_th: str
    note_en: str
    sources: list[dict[str, str]]
    children: list[CriterionSpec] = field(default_factory=list)

    def walk(self) -> list[CriterionSpec]:
        return [self, *(d for c in self.children for d in c.walk())]


@dataclass(frozen=True)
class CategorySpec:
    number: str
    position: int
    title_th: str
    title_en: str
    title_status: str
    requirement_th: str
    requirement_en: str
    requirement_wording: str
    max_points: Decimal | None
    points_status: str
    audit: AuditSplit
    audit_items: list[dict[str, Any]]
    go_ref: str
    note_th: str
    note_en: str
    sources: list[dict[str, str]]
    criteria: list[CriterionSpec]

    def all_criteria(self) -> list[CriterionSpec]:
        return [d for c in self.criteria for d in c.walk()]


@dataclass(frozen=True)
class StandardSpec:
    code: str
    title_th: str
    title_en: str
    issuer: str | None
    effective_year: int | None
    total_points: Decimal | None
    total_points_status: str
    description_th: str
    description_en: str
    sources: list[dict[str, str]]
    categories: list[CategorySpec]
    sha256: str
    source_name: str

    def criterion_count(self) -> int:
        return sum(len(c.all_criteria()) for c in self.categories)


class _Reader:
    """Parses one file, collecting every problem with its place before raising."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{self.name}: {where}: {message}")

    def keys(self, data: Any, allowed: set[str], where: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.error(where, "expected a mapping")
            return {}
        for key in sorted(set(data) - allowed):
            self.error(where, f"unknown key {key!r}")
        return data

    def text(self, data: dict[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, (str, int, float)):
            self.error(where, f"{key} must be text")
            return ""
        return " ".join(str(value).split())

    def status(self, data: dict[str, Any], key: str, where: str, default: str) -> str:
        value = data.get(key, default)
        if value not in STATUSES:
            self.error(where, f"{key} must be one of {sorted(STATUSES)}, not {value!r}")
            return default
        return str(value)

    def points(self, value: Any, where: str) -> Decimal | None:
        if value is None:
            return None
        try:
            points = Decimal(str(value))
        except InvalidOperation:
            self.error(where, f"points must be a number, not {value!r}")
            return None
        if points < 0 or points != points.quantize(Decimal("0.01")):
            self.error(where, f"points must be ≥ 0 with at most two decimals, not {value}")
            return None
        return points

    def numbered(self, data: dict[str, Any], where: str) -> tuple[Decimal | None, str]:
        """Max points and their status: a number needs a status that is not unconfirmed."""
        points = self.points(data.get("max_points"), where)
        status = self.status(data, "points_status", where, FactStatus.UNCONFIRMED)
        if points is None:
            return None, FactStatus.UNCONFIRMED
        if status == FactStatus.UNCONFIRMED:
            self.error(where, "max_points is set but points_status is unconfirmed; leave it null")
        return points, status

    def wording(self, data: dict[str, Any], where: str) -> str:
        value = data.get("requirement_wording", Wording.PARAPHRASE)
        if value not in Wording.values:
            self.error(where, f"requirement_wording must be one of {Wording.values}")
            return str(Wording.PARAPHRASE)
        return str(value)

    def audit(self, data: dict[str, Any], where: str, points: Decimal | None) -> AuditSplit:
        raw = data.get("audit") or {}
        raw = self.keys(raw, {*AUDIT_METHODS, "status"}, f"{where}.audit")
        split = AuditSplit(
            **{m: self.points(raw.get(m), f"{where}.audit.{m}") for m in AUDIT_METHODS}
        )
        if points is not None and split.total() > points:
            self.error(where, f"audit split {split.total()} exceeds the {points} points")
        return split

    def sources(self, data: dict[str, Any], where: str) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for raw in data.get("sources") or []:
            if isinstance(raw, str):
                out.append({"url": raw.strip(), "fact": ""})
            elif (
                isinstance(raw, dict)
                and isinstance(raw.get("url"), str)
                and set(raw) <= {"url", "fact", "fact_en", "fact_th"}
            ):
                # What the source shows, in English (fact or fact_en) and in Thai (fact_th).
                source = {
                    "url": raw["url"].strip(),
                    "fact": str(raw.get("fact_en") or raw.get("fact") or ""),
                }
                if raw.get("fact_th"):
                    source["fact_th"] = str(raw["fact_th"])
                out.append(source)
            else:
                self.error(where, f"a source is a URL or {{url, fact, fact_th}}, not {raw!r}")
        return out

    def evidence(self, data: dict[str, Any], where: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i, raw in enumerate(data.get("evidence") or []):
            here = f"{where}.evidence[{i}]"
            raw = self.keys(raw, _EVIDENCE_KEYS, here)
            item: dict[str, Any] = {
                "th": self.text(raw, "th", here),
                "en": self.text(raw, "en", here),
                "status": self.status(raw, "status", here, FactStatus.CONFIRMED),
            }
            points = self.points(raw.get("points"), here)
            if points is not None:
                item["points"] = str(points)
            if not (item["th"] or item["en"]):
                self.error(here, "an evidence item needs th or en text")
            out.append(item)
        return out

    def audit_items(self, data: dict[str, Any], where: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i, raw in enumerate(data.get("audit_items") or []):
            here = f"{where}.audit_items[{i}]"
            raw = self.keys(raw, _AUDIT_ITEM_KEYS, here)
            if raw.get("method") not in AUDIT_METHODS:
                self.error(here, f"method must be one of {AUDIT_METHODS}")
            points = self.points(raw.get("points"), here)
            out.append(
                {
                    "method": raw.get("method", ""),
                    "points": str(points) if points is not None else None,
                    "th": self.text(raw, "th", here),
                    "en": self.text(raw, "en", here),
                }
            )
        return out

    def criterion(self, raw: Any, where: str, counter: list[int]) -> CriterionSpec:
        data = self.keys(raw, _CRITERION_KEYS, where)
        code = self.text(data, "code", where)
        here = f"{where} {code}" if code else where
        if not code:
            self.error(where, "a criterion needs a code")
        level = data.get("level", CriterionLevel.ITEM)
        if level not in CriterionLevel.values:
            self.error(here, f"level must be one of {CriterionLevel.values}")
        counter[0] += 1
        position = counter[0]
        children = [
            self.criterion(c, f"{here}.children[{i}]", counter)
            for i, c in enumerate(data.get("children") or [])
        ]
        points, points_status = self.numbered(data, here)
        child_points = sum((c.max_points for c in children if c.max_points), Decimal(0))
        if points is not None and child_points > points:
            self.error(here, f"its children's points ({child_points}) exceed its {points}")
        assessable = data.get("assessable", not children)
        if not isinstance(assessable, bool):
            self.error(here, "assessable must be true or false")
            assessable = not children
        return CriterionSpec(
            code=code,
            level=str(level),
            position=position,
            assessable=assessable,
            title_th=self.text(data, "title_th", here),
            title_en=self.text(data, "title_en", here),
            status=self.status(data, "status", here, FactStatus.CONFIRMED),
            requirement_th=self.text(data, "requirement_th", here),
            requirement_en=self.text(data, "requirement_en", here),
            requirement_wording=self.wording(data, here),
            max_points=points,
            points_status=points_status,
            audit=self.audit(data, here, points),
            evidence=self.evidence(data, here),
            go_ref=self.text(data, "go_ref", here),
            note_th=self.text(data, "note_th", here),
            note_en=self.text(data, "note_en", here),
            sources=self.sources(data, here),
            children=children,
        )

    def category(self, raw: Any, index: int, counter: list[int]) -> CategorySpec:
        where = f"categories[{index}]"
        data = self.keys(raw, _CATEGORY_KEYS, where)
        number = self.text(data, "number", where)
        if not number:
            self.error(where, "a category needs a number")
        where = f"category {number or index}"
        points, points_status = self.numbered(data, where)
        criteria = [
            self.criterion(c, f"{where}.criteria[{i}]", counter)
            for i, c in enumerate(data.get("criteria") or [])
        ]
        item_points = sum((c.max_points for c in criteria if c.max_points), Decimal(0))
        if points is not None and item_points > points:
            self.error(where, f"its criteria's points ({item_points}) exceed its {points}")
        return CategorySpec(
            number=number,
            position=index + 1,
            title_th=self.text(data, "title_th", where),
            title_en=self.text(data, "title_en", where),
            title_status=self.status(data, "title_status", where, FactStatus.UNCONFIRMED),
            requirement_th=self.text(data, "requirement_th", where),
            requirement_en=self.text(data, "requirement_en", where),
            requirement_wording=self.wording(data, where),
            max_points=points,
            points_status=points_status,
            audit=self.audit(data, where, points),
            audit_items=self.audit_items(data, where),
            go_ref=self.text(data, "go_ref", where),
            note_th=self.text(data, "note_th", where),
            note_en=self.text(data, "note_en", where),
            sources=self.sources(data, where),
            criteria=criteria,
        )

    def standard(self, raw: Any, sha256: str) -> StandardSpec:
        data = self.keys(raw, _STANDARD_KEYS, "file")
        code = self.text(data, "code", "file")
        if not code:
            self.error("file", "the standard needs a code")
        total = self.points(data.get("total_points"), "total_points")
        total_status = self.status(data, "total_points_status", "file", FactStatus.UNCONFIRMED)
        if total is not None and total_status == FactStatus.UNCONFIRMED:
            self.error("file", "total_points is set but total_points_status is unconfirmed")
        year = data.get("effective_year")
        if year is not None and not (isinstance(year, int) and 1900 < year < 2200):
            self.error("file", "effective_year must be a Common Era year")
            year = None
        counter = [0]
        raw_categories = data.get("categories") or []
        if not raw_categories:
            self.error("file", "the standard needs categories")
        categories = [self.category(c, i, counter) for i, c in enumerate(raw_categories)]
        self._unique(categories)
        if total is not None:
            sum_points = sum((c.max_points for c in categories if c.max_points), Decimal(0))
            if sum_points > total:
                self.error("file", f"the categories' points ({sum_points}) exceed {total}")
        issuer = data.get("issuer")
        return StandardSpec(
            code=code,
            title_th=self.text(data, "title_th", "file"),
            title_en=self.text(data, "title_en", "file"),
            issuer=str(issuer) if issuer else None,
            effective_year=year,
            total_points=total,
            total_points_status=FactStatus.UNCONFIRMED if total is None else total_status,
            description_th=self.text(data, "description_th", "file"),
            description_en=self.text(data, "description_en", "file"),
            sources=self.sources(data, "file"),
            categories=categories,
            sha256=sha256,
            source_name=self.name,
        )

    def _unique(self, categories: list[CategorySpec]) -> None:
        numbers = [c.number for c in categories]
        for n in sorted({n for n in numbers if numbers.count(n) > 1}):
            self.error("file", f"category {n} appears twice")
        codes = [c.code for cat in categories for c in cat.all_criteria()]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            self.error("file", f"criterion {code} appears twice")


def parse_standard(data: bytes, name: str = "standard.yaml") -> StandardSpec:
    """Parse and check a standard file's bytes; raises ``ValidationError`` listing every problem."""
    reader = _Reader(name)
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{name}: not a readable YAML file: {exc}") from exc
    spec = reader.standard(raw, hashlib.sha256(data).hexdigest())
    if reader.errors:
        raise ValidationError(reader.errors)
    return spec


def read_standard(path: Path) -> StandardSpec:
    return parse_standard(path.read_bytes(), path.name)


def bundled_standards() -> list[Path]:
    """The standard files shipped with LibCoop (TLA-2558 and GL-2566)."""
    return sorted(STANDARDS_DIR.glob("*.yaml"))
