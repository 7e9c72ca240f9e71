"""The text of a stored file, one string per page, normalised for Thai-aware search.

PDF text comes from **pypdfium2** (PDFium). Chosen by measuring, on a Thai PDF made by
WeasyPrint (HarfBuzz shaping, the Thai-safe Sarabun of ``greenlib.report.fonts``; 20
paragraphs, 95 distinct words), which library gives the words back intact:

* pypdfium2, dropping the characters PDFium reports as having no Unicode mapping: 95/95,
  31 ms;
* pypdf: 92/95, 353 ms (a space inserted where a tone mark sits over an upper vowel on ป or
  ฝ and the producer moved the mark with a text offset: ปิ่ นโต);
* pdfminer.six: 78/95, 754 ms (it sorts a line's glyphs by position and moves marks away
  from their consonant: ผู้ใหญ่, สิทธิ์, ญี่ปุ่น);
* pypdfium2 as it is: 91/95 (a glyph without a mapping comes out as its glyph number read as
  a character: น้ำ became นu้ำ).

``bench/repository_index.py`` measures the speed on whole theses. The same library draws
the page images (thumbnails, OCR).

Every page then goes through ``textsearch.thai.normalise``, the same as the catalog: legacy
Thai fonts (pre-OpenType Windows and Mac fonts) drew shifted marks from the Private Use Area,
and a PDF made with one carries those code points in its text; ``normalise`` maps them back to
the Thai characters (U+F70A → ่ ...), orders marks and folds spaces.

A PDF whose pages hold (almost) no text is a scan: its text comes from OCR (``ocr.py``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.db import transaction

from libcoop.repository import storage
from libcoop.repository.models import FileText, ItemFile, TextStatus
from libcoop.textsearch.thai import normalise

logger = logging.getLogger(__name__)

# A page with fewer letters than this is taken for a scanned page (a stamped page number or a
# scanner's header is all the text some scans carry) ...
MIN_LETTERS_PER_PAGE: Final = 20
# ... and a picture covering at least this share of it.
SCAN_IMAGE_SHARE: Final = 0.5
# OCR runs when at least this share of the pages are scanned ones: an old thesis retyped in
# front and scanned behind is OCR'd behind; a born-digital one with a few blank or picture
# pages is not.
SCANNED_SHARE: Final = 0.2


class ExtractError(Exception):
    """The file cannot be read as what it claims to be (damaged, encrypted)."""


@dataclass(frozen=True)
class Extracted:
    pages: list[str]  # normalised, one per page
    needs_ocr: bool  # a PDF with (partly) no text layer: see ``scanned_pages``

    @property
    def letters(self) -> int:
        return sum(sum(ch.isalpha() for ch in page) for page in self.pages)


def _page_text(textpage: Any) -> str:
    """The page's text without the characters PDFium could not map to Unicode (it would give
    their glyph numbers as characters)."""
    import pypdfium2.raw as pdfium_c

    count = textpage.count_chars()
    if count <= 0:
        return ""
    handle = textpage.raw  # the C handle: a per-call conversion costs more than the call
    text = str(textpage.get_text_range())
    if len(text) != count:  # characters outside the BMP: indexes differ, read one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(handle, i)) for i in range(count))
    # A glyph without a mapping comes out as its glyph number read as a code point: in a
    # Thai text that is a stray Latin letter or symbol. Asking PDFium about every character
    # costs more than reading the page, so Thai letters and spaces are not asked about.
    has_error = pdfium_c.FPDFText_HasUnicodeMapError
    unmapped = [
        i
        for i, ch in enumerate(text)
        if not ("\u0e00" <= ch <= "\u0e7f" or ch.isspace()) and has_error(handle, i)
    ]
    if not unmapped:
        return text
    chars = list(text)
    for i in unmapped:
        chars[i] = ""
    return "".join(chars)


# PDFium is not thread-safe: every use in this process (text, thumbnails, OCR's page images)
# holds this lock, for workers or tests that run tasks in threads.
PDFIUM_LOCK: Final = threading.RLock()


def _image_share(page: Any) -> float:
    """How much of *page* its largest picture covers (0-1): a scanned page is one picture."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    area = max(width * height, 1.0)
    largest = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        largest = max(largest, abs(right - left) * abs(top - bottom) / area)
    return min(largest, 1.0)


def pdf_image_shares(path: Path) -> list[float]:
    """``_image_share`` of every page of the PDF at *path*."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            raise ExtractError(f"the PDF cannot be read: {exc}") from exc
        try:
            shares = []
            for index in range(len(document)):
                page = document[index]
                try:
                    shares.append(_image_share(page))
                finally:
                    page.close()
            return shares
        finally:
            document.close()


def pdf_pages_raw(path: Path) -> list[str]:
    """The text of each page as PDFium reads it (not normalised)."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            raise ExtractError(f"the PDF cannot be read: {exc}") from exc
        try:
            pages = []
            for index in range(len(document)):
                page = document[index]
                textpage = page.get_textpage()
                try:
                    pages.append(_page_text(textpage))
                finally:
                    textpage.close()
                    page.close()
            return pages
        finally:
            document.close()


def scanned_pages(pages: list[str], image_shares: list[float]) -> list[int]:
    """The indexes of the scanned pages: (almost) no text of their own, and a picture over
    at least half of the page. A short text page (a chapter's title) is no scan."""
    return [
        i
        for i, page in enumerate(pages)
        if sum(ch.isalpha() for ch in page) < MIN_LETTERS_PER_PAGE
        and i < len(image_shares)
        and image_shares[i] >= SCAN_IMAGE_SHARE
    ]


def needs_ocr(pages: list[str], scanned: list[int]) -> bool:
    return bool(scanned) and len(scanned) >= SCANNED_SHARE * len(pages)


def extract_pdf(path: Path) -> Extracted:
    pages = [normalise(text) for text in pdf_pages_raw(path)]
    scanned = scanned_pages(pages, pdf_image_shares(path))
    return Extracted(pages, needs_ocr=needs_ocr(pages, scanned))


# A Word file's text part larger than this (uncompressed) is not read: a zip bomb, not a thesis.
DOCX_XML_MAX: Final = 64 * 1024 * 1024


def extract_docx(path: Path) -> Extracted:
    """A Word (OOXML) file's paragraphs and table cells, as one page (the file has none)."""
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(path) as z:
            if z.getinfo("word/document.xml").file_size > DOCX_XML_MAX:
                raise ExtractError("the Word file's text part is too large to read")
        document = Document(str(path))
    except (zipfile.BadZipFile, KeyError, PackageNotFoundError, ValueError) as exc:
        raise ExtractError(f"the Word file cannot be read: {exc}") from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return Extracted([normalise("\n".join(parts))], needs_ocr=False)


def extract_text_file(path: Path) -> Extracted:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return Extracted([normalise(text)], needs_ocr=False)


# The kinds whose text is read (by the kind sniffed from the bytes); pictures and the other
# office formats are kept as they are, without text.
READERS: Final[dict[str, Callable[[Path], Extracted]]] = {
    "pdf": extract_pdf,
    "docx": extract_docx,
    "txt": extract_text_file,
    "csv": extract_text_file,
}


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
    own (a picture, an office file other than Word's) or cannot be read (the status says
    which). A PDF whose pages are (partly) scans keeps the text it has, stays ``pending`` and
    comes back with ``needs_ocr`` for the caller to OCR the rest."""
    reader = READERS.get(item_file.kind)
    if reader is None:
        set_status(item_file, TextStatus.NO_TEXT)
        return None
    try:
        with storage.local_path(item_file.sha256) as path:
            found = reader(path)
    except FileNotFoundError:
        set_status(item_file, TextStatus.FAILED, "the stored file is missing")
        return None
    except ExtractError as exc:
        logger.warning("file %s: %s", item_file.pk, exc)
        set_status(item_file, TextStatus.FAILED, str(exc))
        return None
    if found.needs_ocr:
        # The text pages are searchable at once; ocr.ocr_file fills in the scanned ones.
        save_text(item_file, found.pages, ocr=False, status=item_file.text_status)
        return found
    save_text(item_file, found.pages, ocr=False, status=TextStatus.EXTRACTED)
    return found
