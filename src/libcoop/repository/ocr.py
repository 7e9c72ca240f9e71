"""OCR of scanned PDFs (old theses have no text layer): OCRmyPDF over Tesseract with its Thai
and English models, run by the background task ``tasks.ocr_file``.

OCRmyPDF rasterises each page (pypdfium2) and runs Tesseract on it; the text comes from its
*sidecar* (Tesseract's own plain text, one page per form feed), not from the invisible text
layer it would write into a new PDF: that layer places every Thai character as a word of its
own, and PDF readers give it back with spaces between the letters. The stored PDF is never
changed (its SHA-256 is what the fixity check compares); only its text is kept.

Where Tesseract or its Thai model is not installed the file's text status says so
(``ocr_unavailable``, with the reason in ``text_error``) and the item page tells the
library's staff what to install; nothing fails. Debian:
``apt-get install tesseract-ocr tesseract-ocr-tha ghostscript``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from libcoop.repository import extract, storage
from libcoop.repository.models import FileText, ItemFile, TextStatus
from libcoop.textsearch.thai import normalise

logger = logging.getLogger(__name__)

LANGUAGES: Final = ("tha", "eng")


@functools.cache
def unavailable() -> str | None:
    """Why OCR cannot run here (``None``: it can). Cached: installing Tesseract needs a
    restart of the worker, as any new package does."""
    try:
        import ocrmypdf  # noqa: F401
    except ImportError:
        return "the Python package ocrmypdf is not installed"
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        return "tesseract is not installed (Debian: tesseract-ocr)"
    try:
        listed = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
            [tesseract, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"tesseract does not run: {exc}"
    have = {line.strip() for line in listed.stdout.splitlines()[1:]}
    missing = [lang for lang in LANGUAGES if lang not in have]
    if missing:
        return f"tesseract has no model for {', '.join(missing)} (Debian: tesseract-ocr-tha)"
    return None


class OcrFailed(Exception):
    pass


_SKIPPED = re.compile(r"\[OCR skipped on page\(s\) (\d+)(?:-(\d+))?\]")


def _pages_argument(pages: list[int]) -> str:
    """0-based page indexes as OCRmyPDF's 1-based list (``1,4-6``)."""
    runs: list[list[int]] = []
    for n in sorted(pages):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ",".join(f"{a + 1}" if a == b else f"{a + 1}-{b + 1}" for a, b in runs)


def read_sidecar(text: str) -> dict[int, str]:
    """Tesseract's text by 0-based page from OCRmyPDF's sidecar: one chunk per page, ended by
    a form feed; a run of pages not OCR'd is one ``[OCR skipped on page(s) a-b]`` chunk."""
    chunks = text.split("\f")
    if chunks and chunks[-1] == "":
        chunks.pop()  # after the last page's form feed
    found: dict[int, str] = {}
    page = 0
    for chunk in chunks:
        skipped = _SKIPPED.fullmatch(chunk.strip())
        if skipped:
            page = int(skipped.group(2) or skipped.group(1))
            continue
        found[page] = chunk
        page += 1
    return found


def ocr_pages(path: Path, pages: list[int] | None = None) -> dict[int, str]:
    """The recognised text of the PDF at *path*, by 0-based page (not normalised): *pages*
    only, or every page."""
    import ocrmypdf
    from ocrmypdf.exceptions import ExitCodeException

    with tempfile.TemporaryDirectory(prefix="libcoop-ocr-") as tmp:
        sidecar = Path(tmp) / "text.txt"
        try:
            with extract.PDFIUM_LOCK:  # OCRmyPDF draws the pages with PDFium
                ocrmypdf.ocr(
                    path,
                    os.devnull,
                    language=list(LANGUAGES),
                    output_type="none",
                    sidecar=sidecar,
                    force_ocr=True,  # every page asked: a scan may carry a stamped line of text
                    pages=_pages_argument(pages) if pages else None,
                    rasterizer="pypdfium",
                    # Tesseract writes the text-only PDF itself: half the time of the default
                    # renderer, and the PDF is not kept anyway (output_type none).
                    pdf_renderer="sandwich",
                    jobs=1,  # one task, one core: the worker runs others beside it
                    progress_bar=False,
                )
        except ExitCodeException as exc:
            raise OcrFailed(f"{type(exc).__name__}: {exc}".strip(": ")) from exc
        return read_sidecar(sidecar.read_text(encoding="utf-8"))


def ocr_file(item_file: ItemFile) -> bool:
    """OCR *item_file* (a PDF without a text layer) and keep its text; ``False`` when OCR is
    not installed or failed (the file's text status and error say which)."""
    reason = unavailable()
    if reason is not None:
        extract.set_status(item_file, TextStatus.OCR_UNAVAILABLE, reason)
        return False
    known = FileText.objects.filter(file=item_file).values_list("pages", flat=True).first()
    text_pages: list[str] = list(known or [])
    try:
        with storage.local_path(item_file.sha256) as path:
            # The scanned pages extract.py found; every page when it kept no text.
            wanted = (
                extract.scanned_pages(text_pages, extract.pdf_image_shares(path))
                if text_pages
                else None
            )
            if wanted == []:  # every page has text after all: nothing to recognise
                extract.save_text(item_file, text_pages, ocr=False, status=TextStatus.EXTRACTED)
                return True
            recognised = ocr_pages(path, wanted)
    except FileNotFoundError:
        extract.set_status(item_file, TextStatus.FAILED, "the stored file is missing")
        return False
    except extract.ExtractError as exc:
        extract.set_status(item_file, TextStatus.FAILED, str(exc))
        return False
    except OcrFailed as exc:
        logger.warning("OCR of file %s failed: %s", item_file.pk, exc)
        extract.set_status(item_file, TextStatus.FAILED, f"OCR failed: {exc}")
        return False
    count = max(len(text_pages), max(recognised, default=-1) + 1)
    pages = [text_pages[i] if i < len(text_pages) else "" for i in range(count)]
    for i, text in recognised.items():
        pages[i] = normalise(text)
    extract.save_text(item_file, pages, ocr=True, status=TextStatus.OCR_DONE)
    return True
