"""Checks shared by ISO 2709 and MARCXML records once pymarc has built them."""

from __future__ import annotations

import re
from typing import Final

import pymarc

from libcoop.catalog.marc.items import Verdict

BIB_TYPES: Final = frozenset("acdefgijkmoprt")
_INDICATORS: Final = frozenset("0123456789abcdefghijklmnopqrstuvwxyz ")
_CODES: Final = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")
TAG_PATTERN = re.compile(r"[0-9A-Za-z]{3}")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def check_record(record: pymarc.Record, verdict: Verdict, *, salvaged: bool = False) -> None:
    """Checks shared by ISO 2709 and MARCXML records once pymarc has built them.

    ``salvaged``: the record was re-read by ``salvage``, whose repairs already say where a
    character was replaced by U+FFFD.
    """
    if not record.fields:
        verdict.error("no_fields", "record has no fields")
    for fld in record.fields:
        tag = fld.tag
        if not TAG_PATTERN.fullmatch(tag):
            verdict.error("bad_tag", f"tag {tag!r} is not three ASCII letters/digits")
        if fld.is_control_field():
            data = fld.data or ""
            if "\x1e" in data or "\x1d" in data:
                verdict.error("bad_directory", f"{tag} holds a field/record terminator")
            elif _CONTROL_CHARS.search(data):
                verdict.warnings.append(f"control field {tag} contains control characters")
            continue
        for ind in fld.indicators or ():
            if len(ind) != 1 or not ("\x20" <= ind <= "\x7e"):
                kind = "bad_directory" if ind in ("\x1e", "\x1d") else "bad_indicator"
                verdict.error(kind, f"{tag} has indicator {ind!r} (misaligned field?)")
            elif ind not in _INDICATORS:
                verdict.warnings.append(f"{tag} has indicator {ind!r}")
        for sf in fld.subfields:
            if len(sf.code) != 1 or not ("\x21" <= sf.code <= "\x7e"):
                verdict.error("bad_subfield", f"{tag} has subfield code {sf.code!r}")
            elif sf.code not in _CODES:
                verdict.warnings.append(f"{tag} has subfield code {sf.code!r}")
            if "\x1e" in sf.value or "\x1d" in sf.value:
                verdict.error("bad_directory", f"{tag} ${sf.code} holds a terminator")
            elif _CONTROL_CHARS.search(sf.value):
                verdict.warnings.append(f"{tag} ${sf.code} contains control characters")
            if "\ufffd" in sf.value and not salvaged:
                verdict.warnings.append(
                    f"{tag} ${sf.code} contains U+FFFD: a character was lost before "
                    "this file was written"
                )
    leader = str(record.leader)
    if leader[6:7] in BIB_TYPES and record.get("245") is None and record.get("200") is not None:
        verdict.error(
            "not_marc21",
            "looks like UNIMARC (title in 200, no 245"
            + (f", leader/08 {leader[8]!r}" if leader[8] not in " a" else "")
            + ")",
        )


def local_id_of(record: pymarc.Record) -> str | None:
    fld = record.get("001")
    if fld is None or not fld.is_control_field():
        return None
    return (fld.data or "").strip() or None
