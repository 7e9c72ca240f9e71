"""A small PNG of a file's first page (PDF) or of the picture itself (images), kept in the
same content-addressed store; its SHA-256 is ``ItemFile.thumbnail_sha256``.

PDF pages are drawn by pypdfium2 (PDFium, the renderer of Chromium; a wheel from PyPI, no
system package), pictures scaled by Pillow. A thumbnail is served only to those who may read
the file (``access.can_read_files``): it shows the first page.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Final

from PIL import Image, ImageOps

from libcoop.core.attachments import IMAGES
from libcoop.repository import storage
from libcoop.repository.extract import PDFIUM_LOCK
from libcoop.repository.models import ItemFile

logger = logging.getLogger(__name__)

WIDTH: Final = 300  # px; the item page shows it at 150 CSS px on a 2x screen
MAX_HEIGHT: Final = 600
PNG_ONLY: Final = frozenset({"png"})


def _png(image: Image.Image) -> bytes:
    if image.mode not in ("RGB", "L", "RGBA", "LA"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def pdf_thumbnail(path: Path) -> bytes:
    """Page 1 of the PDF at *path*, WIDTH pixels wide, as PNG bytes."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(path)
        try:
            page = document[0]
            scale = WIDTH / max(page.get_width(), 1.0)
            image = page.render(scale=scale, grayscale=False).to_pil()
        finally:
            document.close()
    image.thumbnail((WIDTH, MAX_HEIGHT))
    return _png(image)


def image_thumbnail(path: Path) -> bytes:
    with Image.open(path) as source:
        source.seek(0)  # the first frame of an animated GIF or WebP
        image = ImageOps.exif_transpose(source) or source
        image.thumbnail((WIDTH, MAX_HEIGHT))
        return _png(image)


def make_thumbnail(item_file: ItemFile) -> str:
    """Draw and store *item_file*'s thumbnail, note it on the file; its SHA-256 ("" when the
    kind has none or the file cannot be drawn). Idempotent: the same file gives the same PNG,
    stored once."""
    if item_file.kind != "pdf" and item_file.kind not in IMAGES:
        return ""
    try:
        with storage.local_path(item_file.sha256) as path:
            png = pdf_thumbnail(path) if item_file.kind == "pdf" else image_thumbnail(path)
    except FileNotFoundError:
        return ""
    except Exception as exc:  # a damaged file: PDFium and Pillow raise their own kinds
        logger.warning("no thumbnail for file %s: %s", item_file.pk, exc)
        return ""
    sha = storage.store_bytes(png, name="thumbnail.png", allowed=PNG_ONLY)
    if item_file.thumbnail_sha256 != sha:
        item_file.thumbnail_sha256 = sha
        item_file.save(update_fields=["thumbnail_sha256"])
    return sha
