"""The wire-format edge of the union catalog: MARC files in, one item per record out.

``read_marc`` streams ISO 2709 (``.mrc``/``.dat``/``.marc``) or MARCXML and yields, for
every record in the file, in order, either a :class:`ParsedRecord` (a ``pymarc.Record``)
or a :class:`RecordProblem` (why the record was refused, with its exact bytes).  One bad
record never stops a file, and nothing is silently dropped or repaired.

Parsing is pymarc's.  This module only splits the byte stream into records, checks the
leader, chooses the character decoding, and turns pymarc's exceptions, log lines,
warnings and stderr chatter into reason codes.  MARCXML lives in :mod:`.marc_xml`.

Character encoding (ISO 2709), as decided for LibCoop:

* Ldr/09 ``a``: UTF-8, decoded strictly.  If the bytes are *not* valid UTF-8 (or are pure
  ASCII plus MARC-8 escape sequences) the record is tried as MARC-8: exports that flag
  ``a`` but hold MARC-8 exist in the wild (``ruby-marc/marc8_accented_chars.marc``, which
  the shared manifest says "needs MARC-8 decoding despite flag").  It is accepted only if
  MARC-8 decoding is clean (no unmappable byte, no bad escape, no orphan diacritic);
  otherwise the record is a ``bad_encoding`` problem.  Nothing is ever replaced.
* Ldr/09 blank: MARC-8 via pymarc, NFC, then numeric character references
  (``&#x0E01;``, also marc4j's damaged ``&#x0E01%x;``) turned into characters, as MARC-8
  to Unicode conversion requires (Thai in MARC-8 records arrives this way).  If the
  bytes are valid UTF-8 and contain multi-byte sequences the record is read as UTF-8
  with a warning (encoding ``'marc-8->utf-8 mislabelled'``).
* A byte MARC-8 cannot map, an invalid escape sequence, or an EACC error is a
  ``bad_encoding`` problem.  That is what Windows-1251 and CP866 records become: they are
  not MARC-8, and guessing a code page is left to a human with the raw bytes.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

import pymarc
from pymarc.exceptions import (
    BadSubfieldCodeWarning,
    BaseAddressInvalid,
    BaseAddressNotFound,
    NoFieldsFound,
    RecordDirectoryInvalid,
    RecordLeaderInvalid,
    TruncatedRecord,
)

__all__ = [
    "REASONS",
    "MarcItem",
    "ParsedRecord",
    "RecordProblem",
    "read_marc",
    "sniff_format",
]

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

RECORD_TERMINATOR: Final = 0x1D
FIELD_TERMINATOR: Final = 0x1E
_WHITESPACE: Final = frozenset(b" \t\r\n\x00\x1a")  # padding found between/after records
_BOM: Final = b"\xef\xbb\xbf"
_READ_SIZE: Final = 64 * 1024
# The leader can declare at most 99,999 bytes; anything much longer without a record
# terminator is garbage and is cut here so memory stays bounded.
MAX_RECORD_BYTES: Final = 1_000_000


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """A record pymarc parsed cleanly (``warnings`` lists what was odd but harmless)."""

    position: int  # 1-based record number in the file
    offset: int  # byte offset of the record (ISO 2709) or line of <record> (MARCXML)
    local_id: str | None  # 001, stripped
    record: pymarc.Record
    raw: bytes  # exact original bytes (ISO 2709) or the serialised <record> element
    encoding: str  # 'utf-8', 'marc-8', 'marc-8->utf-8 mislabelled', ...
    warnings: list[str] = field(default_factory=list)


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


def sniff_format(head: bytes) -> str | None:
    """'marcxml' if the first non-blank bytes are '<' (or a UTF-16 BOM), 'iso2709' if
    they are anything else, None if ``head`` is empty or blank."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "marcxml"
    body = head.removeprefix(_BOM).lstrip(bytes(_WHITESPACE))
    if not body:
        return None
    return "marcxml" if body.startswith(b"<") else "iso2709"


_FORMAT_ALIASES: Final = {
    "iso2709": "iso2709",
    "marc": "iso2709",
    "marc21": "iso2709",
    "mrc": "iso2709",
    "dat": "iso2709",
    "marcxml": "marcxml",
    "xml": "marcxml",
}


def read_marc(source: str | Path | BinaryIO, *, format: str | None = None) -> Iterator[MarcItem]:
    """Stream the records of a MARC file as ParsedRecord / RecordProblem items.

    ``source`` is a path (opened and closed here) or a binary file object (left open;
    it need not be seekable).  ``format`` is 'iso2709' or 'marcxml' (aliases: marc,
    mrc, xml); None sniffs the first non-blank bytes.  Positions run 1..N without gaps.
    Reading is lazy: nothing is read until the first item is requested.
    """
    wanted = None
    if format is not None:
        wanted = _FORMAT_ALIASES.get(format.lower())
        if wanted is None:  # raised now, not at the first next()
            raise ValueError(f"unknown MARC format {format!r}: use 'iso2709' or 'marcxml'")
    return _iterate(source, wanted)


def _iterate(source: str | Path | BinaryIO, wanted: str | None) -> Iterator[MarcItem]:
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            yield from _read_stream(stream, wanted)
    else:
        yield from _read_stream(source, wanted)


def _read_stream(stream: BinaryIO, wanted: str | None) -> Iterator[MarcItem]:
    head = b""
    fmt = wanted
    while fmt is None:
        chunk = stream.read(4096)
        if not chunk:
            break
        head += chunk
        fmt = sniff_format(head)
        if fmt is None and len(head) > MAX_RECORD_BYTES:
            break
    if fmt == "marcxml":
        # Imported here: marc_xml imports this module for the item types.
        from libcoop.catalog.marc_xml import read_marcxml

        yield from read_marcxml(stream, head)
    else:
        yield from _read_iso2709(stream, head)


# --------------------------------------------------------------------------- splitting


@dataclass(slots=True)
class _Chunk:
    offset: int
    raw: bytes
    problem: tuple[str, str] | None = None
    warnings: list[str] = field(default_factory=list)
    missing_terminator: bool = False


def _split_iso2709(stream: BinaryIO, head: bytes) -> Iterator[_Chunk]:
    """Cut the byte stream into records, holding at most one record plus one read."""
    buf = bytearray(head)
    base = 0  # file offset of buf[0]
    pos = 0
    eof = False

    def fill(upto: int) -> None:
        nonlocal eof
        while len(buf) < upto and not eof:
            data = stream.read(_READ_SIZE)
            if data:
                buf.extend(data)
            else:
                eof = True

    fill(3)
    first_warnings: list[str] = []
    if buf.startswith(_BOM):
        pos = 3
        first_warnings.append("file starts with a UTF-8 byte-order mark (skipped)")
    while True:
        if pos >= _READ_SIZE:
            del buf[:pos]
            base += pos
            pos = 0
        while True:  # skip padding between records
            while pos < len(buf) and buf[pos] in _WHITESPACE:
                pos += 1
            if pos < len(buf) or eof:
                break
            fill(len(buf) + 1)
        if pos >= len(buf):
            return
        start = pos
        chunk = _Chunk(offset=base + start, raw=b"", warnings=first_warnings)
        first_warnings = []
        end = _end_by_leader_length(buf, start, fill, eof_ref=lambda: eof, chunk=chunk)
        if end is None:  # resynchronise on the record terminator
            search = start
            while True:
                idx = buf.find(RECORD_TERMINATOR, search)
                if idx != -1 and idx + 1 - start <= MAX_RECORD_BYTES:
                    end = idx + 1
                    break
                if idx != -1 or len(buf) - start >= MAX_RECORD_BYTES:
                    end = start + MAX_RECORD_BYTES
                    chunk.problem = (
                        "bad_length",
                        f"no record terminator (0x1D) within {MAX_RECORD_BYTES} bytes",
                    )
                    break
                if eof:
                    end = len(buf)
                    chunk.problem = (
                        "bad_length",
                        f"truncated: no record terminator (0x1D) before end of file "
                        f"({end - start} bytes)",
                    )
                    break
                search = len(buf)
                fill(len(buf) + 1)
        chunk.raw = bytes(buf[start:end])
        pos = end
        yield chunk


def _end_by_leader_length(
    buf: bytearray,
    start: int,
    fill: Callable[[int], None],
    eof_ref: Callable[[], bool],
    chunk: _Chunk,
) -> int | None:
    """End of the record if the leader's length is plausible, else None (resync)."""
    fill(start + 5)
    length_bytes = bytes(buf[start : start + 5])
    if len(length_bytes) < 5 or not length_bytes.isdigit():
        return None
    declared = int(length_bytes)
    if declared < 26:  # 24-byte leader, directory terminator, record terminator
        return None
    end = start + declared
    fill(end + 5)
    if len(buf) >= end and buf[end - 1] == RECORD_TERMINATOR:
        if buf.find(RECORD_TERMINATOR, start, end - 1) == -1:
            return end
        return None
    # Terminator missing (the leader counts it): the fields end one byte early with a
    # field terminator and the next leader (or the end of the file) follows.
    short = end - 1
    if len(buf) < short or buf[short - 1] != FIELD_TERMINATOR:
        return None
    if buf.find(RECORD_TERMINATOR, start, short) != -1:
        return None
    at_end = eof_ref() and not bytes(buf[short:]).strip(bytes(_WHITESPACE))
    if at_end or bytes(buf[short : short + 5]).isdigit():
        chunk.missing_terminator = True
        chunk.warnings.append("record terminator (0x1D) missing after the last field")
        return short
    return None


# --------------------------------------------------------------------- pymarc capturing

_PYMARC_LOCK = threading.RLock()
_LOG_SINK: ContextVar[list[str] | None] = ContextVar("_LOG_SINK", default=None)


class _PymarcLogCapture(logging.Filter):
    """While a capture is active, pymarc's log lines become record warnings instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        sink = _LOG_SINK.get()
        if sink is None:
            return True
        sink.append(record.getMessage())
        return False


logging.getLogger("pymarc").addFilter(_PymarcLogCapture())


@dataclass(slots=True)
class Captured:
    stderr: str = ""
    log: list[str] = field(default_factory=list)
    bad_subfield_codes: list[bytes] = field(default_factory=list)
    other_warnings: list[str] = field(default_factory=list)


def call_pymarc[T](fn: Callable[[], T]) -> tuple[T | None, Exception | None, Captured]:
    """Run ``fn`` capturing what pymarc reports on the side (stderr, logging, warnings).

    pymarc's MARC-8 decoder writes unmappable characters to ``sys.stderr`` and its
    reader warns through ``warnings``; both are process-global, so calls are serialised
    with a lock (other threads' stderr output during a call would be captured too).
    """
    captured = Captured()
    err = io.StringIO()
    result: T | None = None
    error: Exception | None = None
    token = _LOG_SINK.set(captured.log)
    try:
        with (
            _PYMARC_LOCK,
            contextlib.redirect_stderr(err),
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            try:
                result = fn()
            except Exception as exc:  # pymarc raises many kinds; all become problems
                error = exc
    finally:
        _LOG_SINK.reset(token)
    captured.stderr = err.getvalue()
    for w in caught:
        if isinstance(w.message, BadSubfieldCodeWarning):
            captured.bad_subfield_codes.append(bytes(w.message.subf))
        else:
            captured.other_warnings.append(str(w.message))
    return result, error, captured


# ----------------------------------------------------------------------- ISO 2709 path


def _read_iso2709(stream: BinaryIO, head: bytes) -> Iterator[MarcItem]:
    for position, chunk in enumerate(_split_iso2709(stream, head), start=1):
        yield _decode_iso_record(position, chunk)


_UNMAPPABLE = re.compile(r"Unable to parse character 0x([0-9a-fA-F]+)")
_MARC8_ESCAPE = re.compile(rb"\x1b(?:[(,)\-]!?[1234BENQSbgp]|\$[(,)\-]?1|[gbps])")
_BIB_TYPES: Final = frozenset("acdefgijkmoprt")


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


def _decode_iso_record(position: int, chunk: _Chunk) -> MarcItem:
    raw = chunk.raw
    verdict = Verdict(chunk.warnings)
    if chunk.problem is not None:
        verdict.error(*chunk.problem)
        return verdict.problem(position, chunk.offset, _salvage_001(raw), raw)
    leader_error = _check_leader(raw, verdict)
    if leader_error:
        return verdict.problem(position, chunk.offset, _salvage_001(raw), raw)

    encoding, mode = _choose_encoding(raw, verdict)
    data = raw + b"\x1d" if chunk.missing_terminator else raw
    record, captured = _pymarc_parse(data, mode, verdict)
    if record is None:
        return verdict.problem(position, chunk.offset, _salvage_001(raw), raw)
    if mode == "marc-8":
        rescue = encoding != "marc-8"  # an 'a' record whose bytes are not UTF-8
        clean = _check_marc8(raw, captured, record, verdict, fallback=rescue)
        if rescue and not clean:
            verdict.errors.insert(
                0,
                (
                    "bad_encoding",
                    "leader/09 says UTF-8 but the data is not valid UTF-8 (or holds "
                    "MARC-8 escapes), and it is not clean MARC-8 either",
                ),
            )
        elif rescue:
            verdict.warnings.append("leader/09 says UTF-8 but the data is MARC-8: read as MARC-8")
        decode_ncrs(record, verdict)
    check_record(record, verdict)
    local_id = local_id_of(record)
    if verdict.errors:
        return verdict.problem(position, chunk.offset, local_id, raw)
    return ParsedRecord(position, chunk.offset, local_id, record, raw, encoding, verdict.warnings)


def _check_leader(raw: bytes, verdict: Verdict) -> bool:
    """Leader-level checks pymarc does not make (or makes with a bare ValueError)."""
    if len(raw) < 24:
        verdict.error("bad_leader", f"record is {len(raw)} bytes, too short for a leader")
        return True
    leader = raw[:24]
    if not leader.isascii():
        verdict.error("bad_leader", f"leader is not ASCII: {leader!r}")
        return True
    if not leader[0:5].isdigit():
        verdict.error("bad_leader", f"record length {leader[0:5]!r} is not numeric")
        return True
    if not leader[12:17].isdigit():
        verdict.error("bad_leader", f"base address of data {leader[12:17]!r} is not numeric")
        return True
    if leader[10:12] != b"22":
        verdict.error(
            "not_marc21",
            f"leader/10-11 is {leader[10:12].decode()!r}, MARC 21 requires '22' "
            f"(leader {leader.decode()!r}; not a MARC 21 record)",
        )
        return True
    declared = int(leader[0:5])
    if declared < len(raw):
        verdict.warnings.append(
            f"leader says {declared} bytes but the record runs {len(raw)} bytes to its terminator"
        )
    if leader[20:24] != b"4500":
        verdict.warnings.append(f"leader/20-23 is {leader[20:24].decode()!r}, not '4500'")
    return False


def _choose_encoding(raw: bytes, verdict: Verdict) -> tuple[str, str]:
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


def _pymarc_parse(raw: bytes, mode: str, verdict: Verdict) -> tuple[pymarc.Record | None, Captured]:
    data = raw
    patched = mode == "marc-8" and raw[9:10] == b"a"
    if patched:  # pymarc decides UTF-8 from leader/09 alone
        data = raw[:9] + b" " + raw[10:]

    def parse() -> pymarc.Record:
        return pymarc.Record(
            data=data,
            to_unicode=True,
            force_utf8=mode == "utf-8",
            hide_utf8_warnings=False,  # we want the stderr report of unmappable bytes
            utf8_handling="strict",
        )

    record, error, captured = call_pymarc(parse)
    report_captured(captured, verdict)
    if error is not None:
        verdict.error(*_reason_for(error, raw, captured))
        return None, captured
    assert record is not None
    if patched:
        text = str(record.leader)
        record.leader = pymarc.Leader(text[:9] + "a" + text[10:])
    return record, captured


def report_captured(captured: Captured, verdict: Verdict) -> None:
    """Turn pymarc's side-channel reports into errors and warnings."""
    for subf in captured.bad_subfield_codes:
        hint = (
            " (U+FFFD: mangled by an earlier conversion)"
            if subf.startswith(b"\xef\xbf\xbd")
            else ""
        )
        verdict.error(
            "bad_subfield", f"non-ASCII subfield code {subf[:4]!r}{hint} in {subf[:40]!r}"
        )
    for line in captured.log:
        if line.startswith(("missing indicators", "only 1 indicator")):
            verdict.error("bad_indicator", f"data field {line[:120]}")
        else:
            verdict.warnings.append(line[:160])
    verdict.warnings.extend(captured.other_warnings)


def _reason_for(error: Exception, raw: bytes, captured: Captured) -> tuple[str, str]:
    name = type(error).__name__
    if isinstance(error, BaseAddressNotFound):
        return "bad_leader", "base address of data is 0"
    if isinstance(error, BaseAddressInvalid):
        return "bad_leader", (
            f"base address of data {int(raw[12:17])} is not inside the record ({len(raw)} bytes)"
        )
    if isinstance(error, TruncatedRecord):
        return "bad_length", (
            f"leader says {int(raw[:5])} bytes but only {len(raw)} found before the "
            "record terminator"
        )
    if isinstance(error, RecordLeaderInvalid):
        return "bad_leader", str(error)
    if isinstance(error, RecordDirectoryInvalid):
        directory = len(raw[24 : int(raw[12:17]) - 1])
        return "bad_directory", f"directory is {directory} bytes, not a multiple of 12"
    if isinstance(error, NoFieldsFound):
        return "no_fields", "record has no fields (empty directory)"
    if captured.bad_subfield_codes:
        return "bad_subfield", f"{name}: {error}"
    if isinstance(error, UnicodeDecodeError):
        if error.encoding == "ascii" and error.object == raw[24 : int(raw[12:17]) - 1]:
            return "bad_directory", f"non-ASCII byte in directory: {error}"
        if error.encoding == "ascii":
            return "bad_indicator", f"non-ASCII indicator: {error}"
        return "bad_encoding", f"{error}"
    if isinstance(error, ValueError):
        return "bad_directory", f"non-numeric directory entry: {error}"
    return "unparseable", f"pymarc failed: {name}: {error}"


def _check_marc8(
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


# ---------------------------------------------------------------- shared record checks

_INDICATORS: Final = frozenset("0123456789abcdefghijklmnopqrstuvwxyz ")
_CODES: Final = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")
TAG_PATTERN = re.compile(r"[0-9A-Za-z]{3}")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def check_record(record: pymarc.Record, verdict: Verdict) -> None:
    """Checks shared by ISO 2709 and MARCXML records once pymarc has built them."""
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
            if "\ufffd" in sf.value:
                verdict.warnings.append(
                    f"{tag} ${sf.code} contains U+FFFD: a character was lost before "
                    "this file was written"
                )
    leader = str(record.leader)
    if leader[6:7] in _BIB_TYPES and record.get("245") is None and record.get("200") is not None:
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


def _salvage_001(raw: bytes) -> str | None:
    """Best-effort 001 of a refused record (bytes-level pymarc parse), else None."""

    if len(raw) < 24 or len(raw) > 99_999:
        return None
    data = b"%05d" % len(raw) + raw[5:]  # a wrong length must not hide the 001

    def parse() -> pymarc.Record:
        return pymarc.Record(data=data, to_unicode=False)

    record, error, _ = call_pymarc(parse)
    if error is not None or record is None:
        return None
    value = getattr(record.get("001"), "data", None)
    if isinstance(value, bytes) and value.isascii():
        return value.decode("ascii").strip() or None
    return None
