"""The text of a stored file, one string per page, normalised for Thai-aware search.

PDF text comes from **pypdf**. Measured on Thai PDFs made by WeasyPrint (HarfBuzz shaping,
the Thai text of ``greenlib.report.fonts``) and on OCRmyPDF's output, against pypdfium2 and
pdfminer.six (``bench/repository_index.py`` repeats the speed part): pypdf gave back every Thai
line with its marks in the order they were written; pdfminer.six sorts a line's glyphs by
position and moved above-line marks away from their consonant (ผู้ใหญ่, สิทธิ์, ญี่ปุ่น broke);
pypdfium2 added stray letters where a font maps one glyph to several characters (น้ำ came out
with a Latin letter inside). pypdfium2 is faster, so it draws the page images (thumbnails,
OCR) and pypdf reads the text.

Every page then goes through ``textsearch.thai.normalise``, the same as the catalog: legacy
Thai fonts (pre-OpenType Windows and Mac fonts) drew shifted marks from the Private Use Area,
and a PDF made with one carries those code points in its text; ``normalise`` maps them back to
the Thai characters (U+F70A → ่ ...), orders marks and folds spaces.

A PDF whose pages hold (almost) no text is a scan: its text comes from OCR (``ocr.py``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.db import transaction

from libcoop.repository import storage
from libcoop.repository.models import FileText, ItemFile, TextStatus
from libcoop.textsearch.thai import normalise

logger = logging.getLogger(__name__)

# Fewer letters than this per page on average and the PDF is taken for a scan (a stamped
# page number or a scanner's header is all the text some scans carry).
MIN_LETTERS_PER_PAGE: Final = 20
TEXT_KINDS: Final = frozenset({"txt", "csv"})


class ExtractError(Exception):
    """The file cannot be read as what it claims to be (damaged, encrypted)."""


@dataclass(frozen=True)
class Extracted:
    pages: list[str]  # normalised, one per page
    needs_ocr: bool  # a PDF with no text layer

    @property
    def letters(self) -> int:
        return sum(sum(ch.isalpha() for ch in page) for page in self.pages)


def pdf_pages_raw(path: Path) -> list[str]:
    """The text of each page as pypdf reads it (not normalised)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractError("the PDF is encrypted")
        return [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ExtractError(f"the PDF cannot be read: {exc}") from exc


def is_scan(pages: list[str]) -> bool:
    letters = sum(sum(ch.isalpha() for ch in page) for page in pages)
    return letters < MIN_LETTERS_PER_PAGE * max(len(pages), 1)


def extract_pdf(path: Path) -> Extracted:
    pages = [normalise(text) for text in pdf_pages_raw(path)]
    return Extracted(pages, needs_ocr=is_scan(pages))


def extract_text_file(path: Path) -> Extracted:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return Extracted([normalise(text)], needs_ocr=False)


def save_text(item_file: ItemFile, pages: list[str], *, ocr: bool, status: str) -> None:
    """Keep *pages* as the file's text and say so on the file (one transaction)."""
    with transaction.atomic():
        FileText.objects.update_or_create(file=item_file, defaults={"pages": pages, "ocr": ocr})
        item_file.pages = len(pages)
        item_file.text_status = status
        item_file.text_error = ""
        item_file.save(update_fields=["pages", "text_status", "text_error"])


def set_status(item_file: ItemFile, status: str, error: str = "", pages: int | None = None) -> None:
    item_file.text_status = status
    item_file.text_error = error[:500]
    fields = ["text_status", "text_error"]
    if pages is not None:
        item_file.pages = pages
        fields.append("pages")
    item_file.save(update_fields=fields)


def extract_file(item_file: ItemFile) -> Extracted | None:
    """Extract the text of *item_file* and record it; ``None`` when the file has no text of its
    own (an image, an office document) or cannot be read (the status says which). A PDF with
    no text layer is left ``pending`` with ``needs_ocr`` for the caller to OCR."""
    if item_file.kind not in TEXT_KINDS and item_file.kind != "pdf":
        set_status(item_file, TextStatus.NO_TEXT)
        return None
    try:
        with storage.local_path(item_file.sha256) as path:
            found = extract_pdf(path) if item_file.kind == "pdf" else extract_text_file(path)
    except FileNotFoundError:
        set_status(item_file, TextStatus.FAILED, "the stored file is missing")
        return None
    except ExtractError as exc:
        logger.warning("file %s: %s", item_file.pk, exc)
        set_status(item_file, TextStatus.FAILED, str(exc))
        return None
    if found.needs_ocr:
        set_status(item_file, item_file.text_status, pages=len(found.pages))
        return found
    save_text(item_file, found.pages, ocr=False, status=TextStatus.EXTRACTED)
    return found
