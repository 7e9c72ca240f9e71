"""Salvage of ISO 2709 records whose damage is local: load what is readable, flag the rest.

A record refused by the strict reading (``iso2709``) for damage confined to a few characters
(``bad_encoding``), one field's tag or indicators (``bad_tag``, ``bad_indicator``), one
subfield code (``bad_subfield``), a field that no longer lines up with the directory (the
usual consequence of one of those, ``bad_directory``) or leader/10-11 left blank is read
again here, field by field, from its directory:

* a character that cannot be decoded becomes U+FFFD (invalid UTF-8 bytes; a MARC-8 byte or
  EACC triple that MARC-8 does not map; a stray ESC that starts no MARC-8 escape sequence);
* a field whose tag is not three ASCII letters/digits is dropped;
* indicators that are missing, too many or not printable ASCII become blanks;
* a non-ASCII subfield code that is an accented letter (pymarc's own rule: ``á`` -> ``a``)
  is read as that letter; any other bad code drops its subfield;
* fields that no longer line up with the directory's offsets are located by their field
  terminators, if that gives exactly as many fields as the directory lists;
* leader/10-11 left blank (or half blank) is read as ``22``.

A MARCXML record refused for the same kinds of damage (a ``tag`` attribute that is missing
or not three ASCII letters/digits, indicators that are missing a value, too long or not
printable ASCII, a ``<subfield>`` without a usable ``code``) is rebuilt here from its XML
elements (:func:`salvage_marcxml`) with the same repairs; a ``<leader>`` that is missing or
not 24 characters is replaced by a neutral one (record type unknown), since MARCXML locates
fields by their elements and not by the leader's lengths.

Every change is a :class:`Repair` on the record (reason code and detail), so that the
record is loaded, findable and listed for its library to fix; the raw bytes are kept as
they came.  A record is still refused when its fields cannot be located at all, when what
is left is not MARC 21 (UNIMARC), or when it has no readable title
(:func:`readable_title`).  Parsing stays pymarc's: its ``Field``/``Subfield`` types, its
MARC-8 decoder and its subfield-code rule.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

import pymarc
from lxml import etree
from pymarc.marc8 import marc8_to_unicode
from pymarc.record import normalize_subfield_code

from libcoop.catalog.marc.capture import call_pymarc
from libcoop.catalog.marc.checks import TAG_PATTERN
from libcoop.catalog.marc.items import RecordProblem, Repair

# Strict-reading reasons that a salvage may cure (the record is then re-read here).
SALVAGEABLE: Final = frozenset(
    {"bad_encoding", "bad_indicator", "bad_subfield", "bad_tag", "bad_directory", "not_marc21"}
)
# ... and those that a MARCXML record may be refused for and rebuilt from its elements.
SALVAGEABLE_XML: Final = frozenset(
    {"bad_indicator", "bad_subfield", "bad_tag", "bad_leader", "bad_encoding", "unparseable"}
)
# A MARCXML leader that is missing or not 24 characters becomes this: new record, type of
# record and level unknown (blank), UTF-8, MARC 21 counts; pymarc recomputes the lengths.
NEUTRAL_LEADER: Final = "00000n   a2200000   4500"
# leader/10-11 values read as '22' (with a repair); any other value declares another format.
BLANK_COUNTS: Final = frozenset({"  ", " 2", "2 "})

FIELD_END: Final = b"\x1e"
SUBFIELD: Final = b"\x1f"
REPLACEMENT: Final = "\ufffd"
_MARC8_ESCAPE = re.compile(rb"\x1b(?:[(,)\-]!?[1234BENQSbgp]|\$[(,)\-]?1|[gbps])")
_G0_ESCAPE = re.compile(rb"\x1b(?:[(,]!?[1234BENQSbgp]|\$,?1|s)")
_UNMAPPED = re.compile(r"Unable to parse character 0x([0-9a-fA-F]+)")
_SHOWN = 60  # characters of dropped text quoted in a repair


def salvage_iso2709(raw: bytes, mode: str) -> tuple[pymarc.Record | None, list[Repair]]:
    """Re-read *raw* leniently (``mode``: 'utf-8' or 'marc-8'); (None, []) if no field can
    be located."""
    repairs: list[Repair] = []
    fields = _locate_fields(raw, repairs)
    if not fields:
        return None, []
    leader = raw[:24].decode("ascii")
    if leader[10:12] != "22":
        leader = leader[:10] + "22" + leader[12:]
    record = pymarc.Record(leader=leader, to_unicode=True, force_utf8=mode == "utf-8")
    record.leader = pymarc.Leader(leader)
    for tag, data in fields:
        fld = _field(tag, data, mode, repairs)
        if fld is not None:
            record.add_field(fld)
    if not record.fields:
        return None, []
    return record, repairs


def _locate_fields(raw: bytes, repairs: list[Repair]) -> list[tuple[str, bytes]]:
    """(tag, field bytes without terminator) for each directory entry, or [] if the
    directory cannot be read or its fields cannot be found."""
    try:
        base = int(raw[12:17])
    except ValueError:
        return []
    if base <= 24 or base > len(raw):
        return []
    directory = raw[24 : base - 1]
    if not directory.isascii() or not directory or len(directory) % 12:
        return []
    entries = []
    for at in range(0, len(directory), 12):
        entry = directory[at : at + 12].decode("ascii")
        if not (entry[3:7].isdigit() and entry[7:12].isdigit()):
            return []
        entries.append((entry[:3], int(entry[7:12]), int(entry[3:7])))
    data = raw[base:]
    by_offsets = [data[off : off + length] for _tag, off, length in entries]
    if all(part.endswith(FIELD_END) for part in by_offsets):
        return [(tag, part[:-1]) for (tag, _, _), part in zip(entries, by_offsets, strict=True)]
    parts = data.rstrip(b"\x1d").split(FIELD_END)
    if parts and not parts[-1]:
        parts.pop()
    if len(parts) != len(entries):
        return []
    repairs.append(
        Repair(
            "bad_directory",
            "field lengths in the directory do not match the data: "
            "fields located by their terminators",
        )
    )
    return [(tag, part) for (tag, _, _), part in zip(entries, parts, strict=True)]


def _field(tag: str, data: bytes, mode: str, repairs: list[Repair]) -> pymarc.Field | None:
    if not TAG_PATTERN.fullmatch(tag):
        shown = _decode(data, mode, tag, "", []).replace("\x1f", " $")[:_SHOWN]
        repairs.append(Repair("bad_tag", f"field with tag {tag!r} dropped: {shown!r}"))
        return None
    if tag < "010" and tag.isdigit():
        return pymarc.Field(tag=tag, data=_decode(data, mode, tag, "", repairs))
    head, *subs = data.split(SUBFIELD)
    indicators = head.decode("latin-1")
    if len(head) != 2 or not all(0x20 <= b <= 0x7E for b in head):
        repairs.append(
            Repair("bad_indicator", f"{tag}: indicators {indicators[:8]!r} replaced by blanks")
        )
        indicators = "  "
    subfields = []
    for sub in subs:
        if not sub:
            continue
        code, value = _code(tag, sub, repairs)
        if code is None:
            continue
        subfields.append(pymarc.Subfield(code, _decode(value, mode, tag, code, repairs)))
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators), subfields=subfields)


def _code(tag: str, sub: bytes, repairs: list[Repair]) -> tuple[str | None, bytes]:
    if 0x21 <= sub[0] <= 0x7E:
        return chr(sub[0]), sub[1:]
    shown = sub.decode("utf-8", "replace")
    if sub[0] >= 0x80 and not shown.startswith(REPLACEMENT):
        try:
            code, skip = normalize_subfield_code(sub)  # pymarc's rule: á -> a
        except IndexError:
            code, skip = "", 1
        if len(code) == 1 and code.isascii() and code.isalnum():
            repairs.append(
                Repair("bad_subfield", f"{tag}: subfield code {shown[:1]!r} read as {code!r}")
            )
            return code, sub[skip:]
    repairs.append(
        Repair(
            "bad_subfield", f"{tag}: subfield with code {shown[:1]!r} dropped: {shown[:_SHOWN]!r}"
        )
    )
    return None, b""


def _decode(data: bytes, mode: str, tag: str, code: str, repairs: list[Repair]) -> str:
    where = f"{tag} ${code}" if code else tag
    if mode == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", "replace")
            lost = text.count(REPLACEMENT) - data.count(REPLACEMENT.encode())
            repairs.append(
                Repair("bad_encoding", f"{where}: {lost} byte sequence(s) not UTF-8 -> U+FFFD")
            )
            return text
    text, lost = _marc8(data)
    if lost:
        repairs.append(Repair("bad_encoding", f"{where}: {lost} character(s) not MARC-8 -> U+FFFD"))
    return text


def _translate(data: bytes) -> tuple[str, list[int]]:
    """pymarc's MARC-8 decoding, with the code points it could not map (in order)."""
    text, _error, captured = call_pymarc(lambda: marc8_to_unicode(data))
    unmapped = [
        int(m.group(1), 16)
        for m in _UNMAPPED.finditer(captured.stderr)
        if int(m.group(1), 16) != 0x20
    ]
    return text or "", unmapped


_MARKER: Final = b"&#xFFFD;"


def _marc8(data: bytes) -> tuple[str, int]:
    """MARC-8 text of *data* with every unmappable character and stray ESC as U+FFFD."""
    if b"\x1b" not in data and data.isascii():
        return data.decode("ascii"), 0
    spans = [
        (m.start(), m.start() + 1)
        for m in re.finditer(rb"\x1b", data)
        if not _MARC8_ESCAPE.match(data, m.start())
    ]
    text, unmapped = _translate(_mark(data, spans))
    if unmapped:
        spans = sorted(spans + _unmapped_spans(_mark(data, spans), len(unmapped), data, spans))
        text, unmapped = _translate(_mark(data, spans))
    if not spans and not unmapped:
        return text, 0
    # MARC-8 diacritics come before their letter: one left before a marker lands inside it.
    text = _MARKED.sub(lambda m: REPLACEMENT + m.group(1), text)
    lost = text.count(REPLACEMENT) - data.count(_MARKER)
    return text, max(lost, 1)


_MARKED = re.compile("&([^#&]{0,8}?)#xFFFD;")


def _mark(data: bytes, spans: list[tuple[int, int]]) -> bytes:
    """*data* with each span replaced by an ASCII marker (in the basic Latin set, then the
    G0 set in force there restored)."""
    out = bytearray()
    last = 0
    for start, end in spans:
        before = data[last:start]
        out += before
        g0 = None
        for m in _G0_ESCAPE.finditer(data, 0, start):
            g0 = m.group()
        out += b"\x1bs" + _MARKER + (g0 if g0 and g0 != b"\x1bs" else b"")
        last = end
    out += data[last:]
    return bytes(out)


def _unmapped_spans(
    marked: bytes, count: int, data: bytes, known: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Where in *data* the characters pymarc could not map are: the shortest prefix with
    one more unmapped character, found by bisection (a damaged record pays, no other)."""
    spans: list[tuple[int, int]] = []
    lo = 0
    for n in range(1, count + 1):
        hi = len(data)
        low = lo
        while low < hi:
            mid = (low + hi) // 2
            prefix = _mark(data[:mid], [s for s in known + spans if s[1] <= mid])
            if len(_translate(prefix)[1]) >= n:
                hi = mid
            else:
                low = mid + 1
        end = low
        width = 3 if _in_multibyte(data, end) else 1
        start = max(lo, end - width)
        spans.append((start, end))
        lo = end
    return spans


def _in_multibyte(data: bytes, end: int) -> bool:
    g0 = None
    for m in _G0_ESCAPE.finditer(data, 0, end):
        g0 = m.group()
    return g0 is not None and g0.startswith(b"\x1b$") and g0.endswith(b"1")


def readable_title(record: pymarc.Record) -> str | None:
    """The title (245 $a $b $k $n $p) if a reader can read it: at least two letters or
    digits, and no more lost characters (U+FFFD, or a diacritic on no letter: text in another
    character set read as MARC-8) than one in four of them; else None."""
    fld = record.get("245")
    if fld is None or fld.is_control_field():
        return None
    title = " ".join(fld.get_subfields("a", "b", "k", "n", "p")).strip()
    title = unicodedata.normalize("NFC", title)
    letters = sum(1 for ch in title if ch.isalnum())
    lost = title.count(REPLACEMENT) + _orphan_marks(title)
    if letters < 2 or lost * 4 > letters:
        return None
    return title


def _orphan_marks(text: str) -> int:
    """Combining marks that follow no letter or digit (after NFC)."""
    count = 0
    base = ""
    for ch in text:
        if unicodedata.combining(ch):
            if not base.isalnum():
                count += 1
        else:
            base = ch
    return count


def not_salvaged(refused: RecordProblem, why: str) -> RecordProblem:
    """The strict reading's refusal, saying why the salvage could not load the record."""
    return RecordProblem(
        refused.position,
        refused.offset,
        refused.local_id,
        refused.reason,
        f"{refused.message} [not salvaged: {why}]",
        refused.raw,
    )


# --- MARCXML ---------------------------------------------------------------------------------


def _local(elem: etree._Element) -> str:
    tag = elem.tag
    return etree.QName(elem).localname if isinstance(tag, str) else ""


def salvage_marcxml(elem: etree._Element) -> tuple[pymarc.Record | None, list[Repair]]:
    """Rebuild a MARCXML ``<record>`` from its elements with its local damage repaired;
    (None, []) if it has no field left."""
    repairs: list[Repair] = []
    children = [child for child in elem if _local(child)]
    leaders = [c for c in children if _local(c) == "leader"]
    leader = _leader(leaders, repairs)
    record = pymarc.Record(leader=leader, to_unicode=True, force_utf8=True)
    record.leader = pymarc.Leader(leader)
    for child in children:
        kind = _local(child)
        if kind not in ("controlfield", "datafield"):
            continue
        line = child.sourceline
        tag = child.get("tag")
        if tag is None or not TAG_PATTERN.fullmatch(tag):
            shown = " ".join("".join(child.itertext()).split())[:_SHOWN]
            what = "no tag attribute" if tag is None else f"tag {tag!r}"
            repairs.append(Repair("bad_tag", f"line {line}: field with {what} dropped: {shown!r}"))
            continue
        if kind == "controlfield":
            record.add_field(pymarc.Field(tag=tag, data="".join(child.itertext())))
            continue
        indicators = [_indicator(child, tag, name, repairs) for name in ("ind1", "ind2")]
        subfields = []
        for sub in child:
            if _local(sub) != "subfield":
                continue
            code = _xml_code(tag, sub, repairs)
            if code is not None:
                subfields.append(pymarc.Subfield(code, "".join(sub.itertext())))
        record.add_field(
            pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators), subfields=subfields)
        )
    if not record.fields:
        return None, []
    return record, repairs


def _leader(leaders: list[etree._Element], repairs: list[Repair]) -> str:
    texts = ["".join(leader.itertext()) for leader in leaders]
    if len(texts) > 1:
        repairs.append(Repair("bad_leader", f"{len(texts)} <leader> elements: the first is used"))
    text = texts[0] if texts else ""
    if len(text) != 24:
        what = f"leader {text!r} ({len(text)} characters)" if texts else "no <leader>"
        repairs.append(
            Repair("bad_leader", f"{what} replaced by {NEUTRAL_LEADER!r}: type of record unknown")
        )
        return NEUTRAL_LEADER
    if not all(" " <= ch <= "~" for ch in text):
        fixed = "".join(ch if " " <= ch <= "~" else " " for ch in text)
        repairs.append(Repair("bad_leader", f"leader {text!r}: unreadable characters -> blanks"))
        return fixed
    return text


def _indicator(field: etree._Element, tag: str, name: str, repairs: list[Repair]) -> str:
    value = field.get(name)
    if value is None:
        return " "  # MARCXML may omit an indicator: blank, as pymarc reads it
    if len(value) == 1 and " " <= value <= "~":
        return value
    repairs.append(Repair("bad_indicator", f"{tag}: {name} {value[:8]!r} replaced by a blank"))
    return " "


def _xml_code(tag: str, sub: etree._Element, repairs: list[Repair]) -> str | None:
    code = sub.get("code")
    if code is not None and len(code) == 1 and "!" <= code <= "~":
        return code
    shown = " ".join("".join(sub.itertext()).split())[:_SHOWN]
    if code and len(code) == 1 and not code.isascii():
        letter = unicodedata.normalize("NFKD", code).encode("ascii", "ignore").decode()
        if len(letter) == 1 and letter.isalnum():  # pymarc's rule: á -> a
            repairs.append(
                Repair("bad_subfield", f"{tag}: subfield code {code!r} read as {letter!r}")
            )
            return letter
    what = "without a code" if code is None else f"with code {code[:8]!r}"
    repairs.append(Repair("bad_subfield", f"{tag}: subfield {what} dropped: {shown!r}"))
    return None
