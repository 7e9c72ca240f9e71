"""MARCXML half of :mod:`libcoop.catalog.marc` (use ``read_marc``, not this directly).

lxml ``iterparse`` with entity resolution, DTD loading and network access off and
libxml2's huge-tree limits on.  Any DOCTYPE or ENTITY declaration refuses the whole
document (``hostile_xml``): MARCXML never needs one, and refusing is simpler than
reasoning about what a DTD could do.  Each ``<record>`` (MARC 21 slim namespace, any
prefix, or no namespace; inside ``<collection>`` or alone) is serialised and handed to
pymarc's own MARCXML handler, then cleared from the tree together with everything
before it, so memory stays flat however long the file is.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO, Final
from xml.sax import SAXParseException

import pymarc
from lxml import etree
from pymarc.exceptions import RecordLeaderInvalid

from libcoop.catalog.marc.capture import call_pymarc, report_captured
from libcoop.catalog.marc.checks import TAG_PATTERN, check_record, local_id_of
from libcoop.catalog.marc.items import MarcItem, ParsedRecord, RecordProblem, Repair, Verdict
from libcoop.catalog.marc.salvage import (
    SALVAGEABLE_XML,
    not_salvaged,
    readable_title,
    salvage_marcxml,
)

MARC_NS: Final = "http://www.loc.gov/MARC21/slim"
_RECORD_TAGS: Final = frozenset({f"{{{MARC_NS}}}record", "record"})
_COLLECTION_TAGS: Final = frozenset({f"{{{MARC_NS}}}collection", "collection"})
_PRESCAN_LIMIT: Final = 64 * 1024
_ROOT_START = re.compile(r"<[^?!]")
_BLANK: Final = b" \t\r\n"


def read_marcxml(stream: BinaryIO, head: bytes = b"") -> Iterator[MarcItem]:
    """Yield one item per MARCXML record; ``head`` is what was already read for sniffing."""
    head, declaration, line = _prescan(stream, head)
    if declaration:
        yield _hostile(line, f"document contains a {declaration} declaration")
        return
    body = head.lstrip(_BLANK)
    if not body:
        return  # an empty file holds no records
    line_shift = 0
    if body.startswith(b"<?xml") and len(body) < len(head):
        # blank lines before the XML declaration: tolerated, line numbers kept true
        line_shift = head[: len(head) - len(body)].count(b"\n")
        head = body
    parser = _events(
        _Prefixed(head, stream),
        etree.XMLPullParser(
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
        ),
    )
    position = 0
    depth = 0
    current: etree._Element | None = None
    root_tag: str | None = None
    encoding = _declared_encoding(head)
    try:
        for event, elem in parser:
            if root_tag is None:
                root_tag = str(elem.tag)
                docinfo = elem.getroottree().docinfo
                if docinfo.doctype or docinfo.internalDTD is not None:
                    yield _hostile(1, "document has a DOCTYPE")
                    return
            if elem.tag not in _RECORD_TAGS:
                continue
            if event == "start":
                depth += 1
                if depth == 1:
                    current = elem
                continue
            depth -= 1
            if depth:
                continue  # a record nested in a record travels with the outer one
            position += 1
            yield _decode_xml_record(position, elem, encoding, line_shift)
            current = None
            _release(elem)
    except etree.LxmlError as exc:
        position += 1
        yield _syntax_problem(position, exc, current, line_shift)
        return
    if position == 0 and root_tag is not None and root_tag not in _COLLECTION_TAGS:
        yield RecordProblem(
            1, 1, None, "not_marc21", f"no MARCXML <record>; root element is {root_tag}", b""
        )


def _events(source: _Prefixed, parser: etree.XMLPullParser) -> Iterator[tuple[str, etree._Element]]:
    """The parser's events, fed from *source* a chunk at a time.

    A pull parser rather than ``iterparse``: when a chunk holds a syntax error, the events
    before the error in that chunk are still delivered (``iterparse`` of lxml 6.2 drops them,
    and with them the good records just before a broken one), then the error is raised.
    """
    while True:
        chunk = source.read(_CHUNK)
        error: etree.LxmlError | None = None
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except etree.LxmlError as exc:
            error = exc
        yield from parser.read_events()
        if error is not None:
            raise error
        if not chunk:
            return


_CHUNK = 64 * 1024


def _decode_xml_record(
    position: int, elem: etree._Element, encoding: str, line_shift: int
) -> MarcItem:
    raw = etree.tostring(elem, encoding="utf-8", with_tail=False)
    line = (elem.sourceline or 0) + line_shift
    verdict = Verdict()
    leaders = [
        child
        for child in elem
        if isinstance(child.tag, str) and etree.QName(child).localname == "leader"
    ]
    records: list[pymarc.Record] | None = None
    if len(leaders) != 1:
        verdict.error("bad_leader", f"<record> has {len(leaders)} <leader> elements")
    else:

        def parse() -> list[pymarc.Record]:
            return pymarc.parse_xml_to_array(io.BytesIO(raw))

        records, error, captured = call_pymarc(parse)
        report_captured(captured, verdict)
        if error is not None:
            verdict.error(*_reason_for(error, leaders[0].text or ""))
        elif records is None or len(records) != 1:
            verdict.error("unparseable", f"pymarc built {len(records or [])} records")
    for child in elem:  # checked on the XML: pymarc would quietly pad tag="42" to "042"
        if etree.QName(child).localname in ("controlfield", "datafield"):
            tag = child.get("tag")
            if tag is not None and not TAG_PATTERN.fullmatch(tag):
                verdict.error(
                    "bad_tag",
                    f"line {child.sourceline}: tag {tag!r} is not three ASCII letters/digits",
                )
    if records is None or len(records) != 1:
        return _salvage(position, line, elem, raw, encoding, verdict, None)
    record = records[0]
    check_record(record, verdict)
    local_id = local_id_of(record)
    if verdict.errors:
        return _salvage(position, line, elem, raw, encoding, verdict, local_id)
    return ParsedRecord(position, line, local_id, record, raw, encoding, verdict.warnings)


def _salvage(
    position: int,
    line: int,
    elem: etree._Element,
    raw: bytes,
    encoding: str,
    verdict: Verdict,
    local_id: str | None,
) -> MarcItem:
    """A record the strict reading refused, rebuilt from its elements with its local damage
    repaired if that is all there is (``salvage``), else the refusal."""
    refused = verdict.problem(position, line, local_id or _salvage_001(elem), raw)
    reasons = {reason for reason, _ in verdict.errors}
    if not reasons <= SALVAGEABLE_XML:  # UNIMARC (not_marc21) among others stays refused
        return refused
    record, fixes = salvage_marcxml(elem)
    if record is None:
        return not_salvaged(refused, "its fields cannot be located")
    second = Verdict()
    check_record(record, second, salvaged=True)
    if second.errors:
        return refused
    if readable_title(record) is None:
        return not_salvaged(refused, "no readable title (245) once repaired")
    if not fixes:  # the strict reading saw damage the rebuilding did not need to repair
        fixes = [Repair(reason, message) for reason, message in verdict.errors]
    return ParsedRecord(
        position,
        line,
        local_id_of(record),
        record,
        raw,
        encoding,
        second.warnings,
        tuple(fixes),
    )


def _reason_for(error: Exception, leader: str) -> tuple[str, str]:
    if isinstance(error, RecordLeaderInvalid):
        return "bad_leader", f"leader is {len(leader)} characters, not 24: {leader!r}"
    if isinstance(error, KeyError):
        missing = str(error)
        if "code" in missing:
            return "bad_subfield", "<subfield> without a code attribute"
        if "tag" in missing:
            return "bad_tag", "field without a tag attribute"
    if isinstance(error, SAXParseException):  # libxml2 tolerated what expat refuses
        return "not_well_formed_xml", f"record rejected by pymarc's XML parser: {error}"
    return "unparseable", f"pymarc failed: {type(error).__name__}: {error}"


def _salvage_001(elem: etree._Element) -> str | None:
    for child in elem:
        if etree.QName(child).localname == "controlfield" and child.get("tag") == "001":
            return (child.text or "").strip() or None
    return None


def _release(elem: etree._Element) -> None:
    """Free a finished record and every finished node before it (bounded memory)."""
    elem.clear(keep_tail=False)
    node: etree._Element | None = elem
    while node is not None:
        parent = node.getparent()
        if parent is None:
            break
        while node.getprevious() is not None:
            del parent[0]
        node = parent


def _syntax_problem(
    position: int, exc: etree.LxmlError, current: etree._Element | None, line_shift: int
) -> RecordProblem:
    message = str(exc)
    line = (getattr(exc, "lineno", None) or 0) + line_shift
    raw = b""
    if current is not None:  # the record the error interrupted, as far as it got
        try:
            raw = etree.tostring(current, encoding="utf-8", with_tail=False)
        except Exception:  # pragma: no cover - best effort only
            raw = b""
    lowered = message.lower()
    if "entit" in lowered and ("amplification" in lowered or "loop" in lowered):
        return RecordProblem(position, line, None, "hostile_xml", message, raw)
    return RecordProblem(
        position, line, None, "not_well_formed_xml", f"line {line}: {message}", raw
    )


def _hostile(line: int, what: str) -> RecordProblem:
    return RecordProblem(
        1, line, None, "hostile_xml", f"{what} (line {line}); refused unparsed", b""
    )


def _prescan(stream: BinaryIO, head: bytes) -> tuple[bytes, str | None, int]:
    """Look for DOCTYPE/ENTITY in the prolog before any XML parser sees the document."""
    while True:
        text = _text_view(head)
        match = _ROOT_START.search(text)
        if match or len(head) >= _PRESCAN_LIMIT:
            break
        data = stream.read(4096)
        if not data:
            break
        head += data
    prolog = text[: match.start()] if match else text
    for declaration in ("<!DOCTYPE", "<!ENTITY"):
        at = prolog.find(declaration)
        if at != -1:
            return head, declaration, prolog.count("\n", 0, at) + 1
    return head, None, 0


_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _declared_encoding(head: bytes) -> str:
    """The document's character encoding: XML declaration, else BOM, else UTF-8."""
    text = _text_view(head).lstrip("\ufeff")
    match = _DECLARED_ENCODING.match(text)
    if match:
        return match.group(1).lower()
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        return "utf-16"
    return "utf-8"


def _text_view(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", "ignore")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", "ignore")
    return head.decode("latin-1")


class _Prefixed:
    """A read()-able stream that first returns the bytes already read for sniffing."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = _PRESCAN_LIMIT  # lxml always asks for a size; never slurp the file
        if self._head:
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._stream.read(size)
