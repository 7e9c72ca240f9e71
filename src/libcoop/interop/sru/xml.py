"""XML building for SRU responses: namespaces per version, safe text, diagnostics.

* SRU 1.2 (and 1.1): responses in ``http://www.loc.gov/zing/srw/`` (prefix ``zs``),
  diagnostics in ``http://www.loc.gov/zing/srw/diagnostic/`` (SRU 1.2 "Diagnostics").
* SRU 2.0 (OASIS searchRetrieve v1.0, Part 3 "SRU 2.0", its response schemas): searchRetrieve and
  explain in ``http://docs.oasis-open.org/ns/search-ws/sruResponse``, scan in
  ``.../scan``, diagnostics in ``.../diagnostic``.

Everything is built element by element with lxml; text goes through :func:`clean`, which
drops the characters XML 1.0 cannot carry (control characters, lone surrogates), so a
record or a query echoed in a diagnostic can never make the response unserialisable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

SRW_NS = "http://www.loc.gov/zing/srw/"
SRW_DIAG_NS = "http://www.loc.gov/zing/srw/diagnostic/"
SRU2_NS = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
SRU2_SCAN_NS = "http://docs.oasis-open.org/ns/search-ws/scan"
SRU2_DIAG_NS = "http://docs.oasis-open.org/ns/search-ws/diagnostic"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: object) -> str:
    """``text`` as a string holding only characters allowed in XML 1.0."""
    return _NOT_XML.sub("", str(text))


def add(parent: etree._Element, tag: str, text: object = None, /, **attrs: str) -> etree._Element:
    """A child element with cleaned text and attributes."""
    el = etree.SubElement(parent, tag)
    for name, value in attrs.items():
        el.set(name, clean(value))
    if text is not None:
        el.text = clean(text)
    return el


@dataclass(frozen=True)
class Envelope:
    """The element names of one SRU version's responses."""

    version: str

    @property
    def v2(self) -> bool:
        return self.version.startswith("2")

    @property
    def ns(self) -> str:
        return SRU2_NS if self.v2 else SRW_NS

    @property
    def content_type(self) -> str:
        return "application/sru+xml; charset=utf-8" if self.v2 else "text/xml; charset=utf-8"

    def root(self, operation: str) -> etree._Element:
        """``searchRetrieveResponse`` / ``explainResponse`` / ``scanResponse`` (+ version)."""
        if self.v2 and operation == "scan":
            nsmap = {"scan": SRU2_SCAN_NS, "diag": SRU2_DIAG_NS}
            return etree.Element(f"{{{SRU2_SCAN_NS}}}scanResponse", nsmap=nsmap)
        if self.v2:
            nsmap = {"sru": SRU2_NS, "diag": SRU2_DIAG_NS}
            return etree.Element(f"{{{SRU2_NS}}}{operation}Response", nsmap=nsmap)
        root = etree.Element(
            f"{{{SRW_NS}}}{operation}Response", nsmap={"zs": SRW_NS, "diag": SRW_DIAG_NS}
        )
        add(root, f"{{{SRW_NS}}}version", self.version)
        return root

    def child(self, parent: etree._Element, name: str, text: object = None) -> etree._Element:
        """An element in the namespace of ``parent`` (scan 2.0 has its own)."""
        return add(parent, f"{{{etree.QName(parent).namespace}}}{name}", text)

    def diagnostics(self, parent: etree._Element, diags: list[tuple[str, str, str]]) -> None:
        """``<diagnostics>`` with one ``<diag:diagnostic>`` (uri, details, message) each."""
        if not diags:
            return
        diag_ns = SRU2_DIAG_NS if self.v2 else SRW_DIAG_NS
        container = self.child(parent, "diagnostics")
        for uri, details, message in diags:
            diagnostic = add(container, f"{{{diag_ns}}}diagnostic")
            add(diagnostic, f"{{{diag_ns}}}uri", uri)
            if details:
                add(diagnostic, f"{{{diag_ns}}}details", details)
            add(diagnostic, f"{{{diag_ns}}}message", message)


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


__all__ = ["Envelope", "add", "clean", "serialise"]
