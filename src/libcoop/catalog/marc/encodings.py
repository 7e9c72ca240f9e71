"""Character encodings of ISO 2709 records: UTF-8 or MARC-8 (leader/09 and the bytes),
clean MARC-8 decoding, and numeric character references."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import pymarc

from libcoop.catalog.marc.capture import Captured
from libcoop.catalog.marc.items import Verdict

_UNMAPPABLE = re.compile(r"Unable to parse character 0x([0-9a-fA-F]+)")
_MARC8_ESCAPE = re.compile(rb"\x1b(?:[(,)\-]!?[1234BENQSbgp]|\$[(,)\-]?1|[gbps])")


def choose_encoding(raw: bytes, verdict: Verdict) -> tuple[str, str]:
    """(encoding label for the item, pymarc decoding mode 'utf-8' | 'marc-8')."""
    flag = chr(raw[9])
    try:
        raw.decode("utf-8")
        valid_utf8 = True
    except UnicodeDecodeError:
        valid_utf8 = False
    multibyte = not raw.isascii()
    has_escape = b"\x1b" in raw
    if flag == "a":
        if valid_utf8 and (multibyte or not has_escape):
            if has_escape:
                verdict.warnings.append("UTF-8 record contains ESC (0x1B) bytes")
            return "utf-8", "utf-8"
        return "utf-8->marc-8 mislabelled", "marc-8"
    if flag != " ":
        verdict.warnings.append(f"leader/09 is {flag!r}, neither ' ' (MARC-8) nor 'a' (UTF-8)")
        if valid_utf8 and not has_escape:
            return "utf-8", "utf-8"
        return "marc-8", "marc-8"
    if valid_utf8 and multibyte:
        verdict.warnings.append(
            "leader/09 says MARC-8 but the record is valid UTF-8 with multi-byte "
            "characters: read as UTF-8"
        )
        return "marc-8->utf-8 mislabelled", "utf-8"
    return "marc-8", "marc-8"


def check_marc8(
    raw: bytes,
    captured: Captured,
    record: pymarc.Record,
    verdict: Verdict,
    *,
    fallback: bool,
) -> bool:
    """pymarc replaces what MARC-8 cannot map with a space; make that an error.

    Returns True if the MARC-8 decoding was clean.
    """
    before = len(verdict.errors)
    unmapped = []
    for match in _UNMAPPABLE.finditer(captured.stderr):
        if int(match.group(1), 16) != 0x20:  # a space in a non-Latin G0 set: harmless
            unmapped.append("0x" + match.group(1))
    if unmapped:
        shown = ", ".join(dict.fromkeys(unmapped[:20]))
        verdict.error(
            "bad_encoding",
            f"{len(unmapped)} character(s) not valid MARC-8 ({shown}); the record may "
            "be in another character set (e.g. Windows-1251, CP866, Latin-1)",
        )
    if "exceeds length of marc8 string" in captured.stderr:
        verdict.error("bad_encoding", "truncated MARC-8 multi-byte (EACC) character")
    bad_escapes = [
        m.start() for m in re.finditer(rb"\x1b", raw) if not _MARC8_ESCAPE.match(raw, m.start())
    ]
    if bad_escapes:
        at = bad_escapes[0]
        verdict.error(
            "bad_encoding",
            f"{len(bad_escapes)} invalid MARC-8 escape sequence(s), first at byte {at}: "
            f"{raw[at : at + 4]!r}",
        )
    if fallback and len(verdict.errors) == before and _orphan_combining(record):
        verdict.error(
            "bad_encoding",
            "read as MARC-8 a diacritic would not sit on a letter (Latin-1 or Windows-1252 text?)",
        )
    return len(verdict.errors) == before


def _values(record: pymarc.Record) -> Iterator[str]:
    for fld in record.fields:
        if fld.is_control_field():
            yield fld.data or ""
        else:
            yield from (sf.value for sf in fld.subfields)


def _orphan_combining(record: pymarc.Record) -> bool:
    for value in _values(record):
        for i, char in enumerate(value):
            if unicodedata.combining(char) and (i == 0 or not value[i - 1].isalnum()):
                if i and unicodedata.combining(value[i - 1]):
                    continue
                return True
    return False


_NCR = re.compile(r"&#x([0-9A-Fa-f]{1,6})(%x)?;|&#x([0-9A-Fa-f]{4})(?![0-9A-Fa-f;%])")


def decode_ncrs(record: pymarc.Record, verdict: Verdict) -> None:
    """Turn &#xHHHH; references (how MARC-8 carries non-MARC-8 characters) into text."""
    malformed = 0

    def sub(match: re.Match[str]) -> str:
        nonlocal malformed
        digits = match.group(1) or match.group(3)
        point = int(digits, 16)
        if point == 0 or point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
            return match.group(0)
        if match.group(2) or match.group(3):
            malformed += 1
        return chr(point)

    for fld in record.fields:
        if fld.is_control_field():
            if fld.data and "&#x" in fld.data:
                fld.data = _NCR.sub(sub, fld.data)
            continue
        if any("&#x" in sf.value for sf in fld.subfields):
            fld.subfields = [
                pymarc.Subfield(sf.code, _NCR.sub(sub, sf.value)) for sf in fld.subfields
            ]
    if malformed:
        verdict.warnings.append(
            f"repaired {malformed} malformed numeric character reference(s) "
            "(missing ';' or stray '%x')"
        )
