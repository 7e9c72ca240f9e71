"""``read_marc``: a file or stream sniffed (or told) as ISO 2709 or MARCXML and read lazily."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

from libcoop.catalog.marc.iso2709 import BOM, MAX_RECORD_BYTES, WHITESPACE, read_iso2709
from libcoop.catalog.marc.items import MarcItem
from libcoop.catalog.marc.marcxml import read_marcxml


def sniff_format(head: bytes) -> str | None:
    """'marcxml' if the first non-blank bytes are '<' (or a UTF-16 BOM), 'iso2709' if
    they are anything else, None if ``head`` is empty or blank."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "marcxml"
    body = head.removeprefix(BOM).lstrip(bytes(WHITESPACE))
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
        yield from read_marcxml(stream, head)
    else:
        yield from read_iso2709(stream, head)
