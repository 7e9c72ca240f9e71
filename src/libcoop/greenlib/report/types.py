"""The plain values a green-library report is made of (see :mod:`libcoop.greenlib.report`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from libcoop.greenlib.queries import AssessmentSummary


class Full(str):
    """An English sentence that carries its own subject (the others get "It …")."""

    __slots__ = ()


class ReportError(ValueError):
    """A report that cannot be made (an unknown library, a year out of range)."""


@dataclass(frozen=True)
class Cell:
    """One table cell: text, an optional link, an optional smaller second line."""

    text: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Table:
    key: str  # memberships, seats, events, outreach, knowledge, env
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    numeric: frozenset[int] = frozenset()  # indexes of right-aligned columns


@dataclass(frozen=True)
class Evidence:
    """One criterion's self-assessment, evidence and (published) score."""

    code: str
    title: str
    requirement: str
    narrative: str
    self_status: str  # label in the report's language, "" if not answered
    score: str  # "8 / 10" once published, else ""
    assessor_comment: str
    files: list[Cell]
    linked: list[Cell]  # text = "kind: label"


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str  # inline SVG, the same in the page and the PDF


@dataclass(frozen=True)
class Section:
    number: str
    heading: str  # "การดำเนินงานในหมวดที่ 7"
    title: str  # the category's title
    requirement: str
    requirement_source: str  # standard code the requirement comes from
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    institution_code: str
    institution_name: str
    year: int  # Common Era
    year_label: str  # as shown: Buddhist Era in Thai, Common Era in English
    lang: str
    title: str
    generated: datetime.date
    standard_code: str
    standard_title: str
    assessment: AssessmentSummary | None
    includes_unpublished: bool  # unpublished self-assessment content is in it
    withheld_unpublished: bool  # there was such content and it was left out
    sections: list[Section]

    @property
    def file_stem(self) -> str:
        return f"greenlib-{self.institution_code}-{self.year}-{self.lang}"
