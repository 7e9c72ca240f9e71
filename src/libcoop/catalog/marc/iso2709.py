"""ISO 2709: the byte stream split into records (bounded memory, resynchronising on the
record terminator), the leader checked, and each record decoded by pymarc."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Final

import pymarc
from pymarc.exceptions import (
    BaseAddressInvalid,
    BaseAddressNotFound,
    NoFieldsFound,
    RecordDirectoryInvalid,
    RecordLeaderInvalid,
    TruncatedRecord,
)

from libcoop.catalog.marc.capture import Captured, call_pymarc, report_captured
from libcoop.catalog.marc.checks import check_record, local_id_of
from libcoop.catalog.marc.encodings import check_marc8, choose_encoding, decode_ncrs
from libcoop.catalog.marc.items import MarcItem, ParsedRecord, Repair, Verdict
from libcoop.catalog.marc.salvage import (
    BLANK_COUNTS,
    SALVAGEABLE,
    not_salvaged,
    readable_title,
    salvage_iso2709,
)

RECORD_TERMINATOR: Final = 0x1D
FIELD_TERMINATOR: Final = 0x1E
WHITESPACE: Final = frozenset(b" \t\r\n\x00\x1a")  # padding found between/after records
BOM: Final = b"\xef\xbb\xbf"
_READ_SIZE: Final = 64 * 1024
# The leader can declare at most 99,999 bytes; anything much longer without a record
# terminator is garbage and is cut here so memory stays bounded.
MAX_RECORD_BYTES: Final = 1_000_000


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
    if buf.startswith(BOM):
        pos = 3
        first_warnings.append("file starts with a UTF-8 byte-order mark (skipped)")
    while True:
        if pos >= _READ_SIZE:
            del buf[:pos]
            base += pos
            pos = 0
        while True:  # skip padding between records
            while pos < len(buf) and buf[pos] in WHITESPACE:
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
    at_end = eof_ref() and not bytes(buf[short:]).strip(bytes(WHITESPACE))
    if at_end or bytes(buf[short : short + 5]).isdigit():
        chunk.missing_terminator = True
        chunk.warnings.append("record terminator (0x1D) missing after the last field")
        return short
    return None


def read_iso2709(stream: BinaryIO, head: bytes) -> Iterator[MarcItem]:
    for position, chunk in enumerate(_split_iso2709(stream, head), start=1):
        yield _decode_iso_record(position, chunk)


def _decode_iso_record(position: int, chunk: _Chunk) -> MarcItem:
    raw = chunk.raw
    verdict = Verdict(chunk.warnings)
    if chunk.problem is not None:
        verdict.error(*chunk.problem)
        return verdict.problem(position, chunk.offset, _salvage_001(raw), raw)
    repairs: list[Repair] = []
    leader_error = _check_leader(raw, verdict, repairs)
    if leader_error:
        return verdict.problem(position, chunk.offset, _salvage_001(raw), raw)

    encoding, mode = choose_encoding(raw, verdict)
    data = raw + b"\x1d" if chunk.missing_terminator else raw
    record, captured = _pymarc_parse(data, mode, verdict)
    if record is None:
        return _salvage(position, chunk, encoding, mode, verdict, repairs)
    if mode == "marc-8":
        rescue = encoding != "marc-8"  # an 'a' record whose bytes are not UTF-8
        clean = check_marc8(raw, captured, record, verdict, fallback=rescue)
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
        return _salvage(position, chunk, encoding, mode, verdict, repairs, local_id)
    if repairs:  # leader/10-11 left blank: the record says what it is, as MARC 21
        text = str(record.leader)
        record.leader = pymarc.Leader(text[:10] + "22" + text[12:])
    return ParsedRecord(
        position, chunk.offset, local_id, record, raw, encoding, verdict.warnings, tuple(repairs)
    )


def _salvage(
    position: int,
    chunk: _Chunk,
    encoding: str,
    mode: str,
    verdict: Verdict,
    repairs: list[Repair],
    local_id: str | None = None,
) -> MarcItem:
    """A record the strict reading refused, loaded with its local damage repaired if that is
    all there is (``salvage``), else the refusal."""
    raw = chunk.raw
    refused = verdict.problem(position, chunk.offset, local_id or _salvage_001(raw), raw)
    reasons = {reason for reason, _ in verdict.errors}
    if not reasons <= SALVAGEABLE or "not_marc21" in reasons:  # UNIMARC stays refused
        return refused
    if "bad_encoding" in reasons and encoding == "utf-8->marc-8 mislabelled":
        mode = "utf-8"  # flagged UTF-8, not clean MARC-8 either: UTF-8 with a few bad bytes
    record, fixes = salvage_iso2709(raw, mode)
    if record is None:
        return not_salvaged(refused, "its fields cannot be located")
    second = Verdict(chunk.warnings)
    if mode == "marc-8":
        decode_ncrs(record, second)
    check_record(record, second, salvaged=True)
    if second.errors:
        return refused
    if readable_title(record) is None:
        return not_salvaged(refused, "no readable title (245) once repaired")
    if not fixes:  # the strict reading saw damage the re-reading did not need to repair
        fixes = [Repair(reason, message) for reason, message in verdict.errors]
    return ParsedRecord(
        position,
        chunk.offset,
        local_id_of(record),
        record,
        raw,
        encoding if mode != "utf-8" or encoding != "utf-8->marc-8 mislabelled" else "utf-8",
        second.warnings,
        tuple(repairs + fixes),
    )


def _check_leader(raw: bytes, verdict: Verdict, repairs: list[Repair]) -> bool:
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
    if leader[10:12] in {c.encode() for c in BLANK_COUNTS}:
        repairs.append(
            Repair("not_marc21", f"leader/10-11 is {leader[10:12].decode()!r}: read as '22'")
        )
    elif leader[10:12] != b"22":
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
