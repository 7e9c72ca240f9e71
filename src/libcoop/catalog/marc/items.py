"""What reading a MARC file yields: one item per record, and the verdict that makes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import pymarc

REASONS: Final = frozenset(
    {
        "bad_leader",  # leader missing, not ASCII, non-numeric length/base address, bad base
        "bad_length",  # truncated record, no record terminator, length beyond the data
        "bad_directory",  # directory not a multiple of 12, non-ASCII/non-numeric entries
        "no_fields",  # a well-formed record with no fields at all
        "bad_encoding",  # invalid UTF-8, unmappable MARC-8, bad escape sequence
        "bad_indicator",  # a data field without its two indicators, or control bytes there
        "bad_subfield",  # a subfield code that is not one printable ASCII character
        "bad_tag",  # a tag that is not three ASCII letters/digits
        "not_marc21",  # UNIMARC or other non-MARC 21 ISO 2709 / XML
        "not_well_formed_xml",
        "hostile_xml",  # DOCTYPE / ENTITY declarations, entity expansion attacks
        "unparseable",  # pymarc failed in a way not mapped above (message has the detail)
    }
)


@dataclass(frozen=True, slots=True)
class Repair:
    """What the salvage of a locally damaged record changed (``salvage``): one of the
    REASONS the strict reading would have refused it for, and what was done."""

    reason: str
    detail: str

    def as_json(self) -> dict[str, str]:
        """The record's ``warnings`` entry that flags it for its library."""
        return {"repaired": self.reason, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """A record pymarc parsed cleanly (``warnings`` lists what was odd but harmless), or a
    salvaged one: ``repairs`` then says what was replaced or dropped (the record is flagged
    for its library to fix; ``raw`` is still the bytes as received)."""

    position: int  # 1-based record number in the file
    offset: int  # byte offset of the record (ISO 2709) or line of <record> (MARCXML)
    local_id: str | None  # 001, stripped
    record: pymarc.Record
    raw: bytes  # exact original bytes (ISO 2709) or the serialised <record> element
    encoding: str  # 'utf-8', 'marc-8', 'marc-8->utf-8 mislabelled', ...
    warnings: list[str] = field(default_factory=list)
    repairs: tuple[Repair, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A record that could not be accepted; ``raw`` keeps its bytes for a human."""

    position: int
    offset: int
    local_id: str | None
    reason: str  # one of REASONS
    message: str
    raw: bytes


MarcItem = ParsedRecord | RecordProblem


class Verdict:
    """Errors (reason, message) and warnings collected for one record."""

    def __init__(self, warnings: list[str] | None = None) -> None:
        self.errors: list[tuple[str, str]] = []
        self.warnings: list[str] = list(warnings or [])

    def error(self, reason: str, message: str) -> None:
        self.errors.append((reason, message))

    def problem(
        self, position: int, offset: int, local_id: str | None, raw: bytes
    ) -> RecordProblem:
        errors = sorted(self.errors, key=lambda e: e[0] != "not_marc21")  # stable
        if not errors:
            errors = [("unparseable", "refused without a recorded reason")]
        message = "; ".join(m for _, m in errors)
        if self.warnings:
            message += " (also: " + "; ".join(self.warnings) + ")"
        return RecordProblem(position, offset, local_id, errors[0][0], message, raw)
