"""PDFs made on the spot for the demo collection, the tests and the benchmark (no binaries in
the repository): born-digital documents with a Thai text layer, and scans with none.

* :func:`text_pdf`: HTML → PDF through WeasyPrint with the bundled Sarabun, in the Thai-safe
  form of ``greenlib.report.fonts`` (its derived Thai font maps SARA AM back to the text it
  stands for, so the text layer says น้ำ, not นา). A4, one heading and paragraphs; a long
  text runs over several pages.
* :func:`scanned_pdf`: lines of Thai drawn with Pillow (Raqm shaping) onto white pages and
  wrapped as a PDF of images, as a scanner makes them: no text layer at all, for OCR.
"""

from __future__ import annotations

import atexit
import html
import io
from collections.abc import Sequence
from functools import cache
from typing import Any, Final

from PIL import Image, ImageDraw, ImageFont

SCAN_DPI: Final = 200
# A4 at SCAN_DPI; 56 px Sarabun is about 20 pt: large enough for Tesseract's Thai model to keep
# the marks above a line with their consonants.
SCAN_PAGE: Final = (1654, 2339)
SCAN_FONT_PX: Final = 56
SCAN_LINE_PX: Final = 100


@cache
def _stylesheet() -> tuple[Any, Any]:
    """The fonts and page style, parsed once per process (the fonts are data URLs: parsing
    them for every document took most of the time)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from libcoop.greenlib.report.fonts import pdf_font_css, pdf_font_family

    fonts = FontConfiguration()
    css = CSS(
        string=(
            f"{pdf_font_css()}"
            "@page { size: A4; margin: 25mm 22mm; }"
            f"body {{ font-family: {pdf_font_family()}; font-size: 15pt; line-height: 1.5; }}"
            "h1 { font-size: 20pt; } p { margin: 0 0 0.6em 0; }"
            ".page { break-before: page; }"
        ),
        font_config=fonts,
    )
    # Freed before the interpreter's teardown, which WeasyPrint's finaliser does not survive.
    atexit.register(_stylesheet.cache_clear)
    return css, fonts


def text_pdf(
    title: str,
    paragraphs: Sequence[str],
    *,
    lang: str = "th",
    page_breaks: Sequence[int] = (),
) -> bytes:
    """An A4 PDF with a text layer: *title* and *paragraphs* (plain text, escaped here); a
    new page starts before each paragraph index in *page_breaks*."""
    from weasyprint import HTML

    body = [f"<h1>{html.escape(title)}</h1>"]
    for i, text in enumerate(paragraphs):
        cls = ' class="page"' if i in page_breaks else ""
        body.append(f"<p{cls}>{html.escape(text)}</p>")
    document = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        f"<body>{''.join(body)}</body></html>"
    )
    css, fonts = _stylesheet()
    return bytes(HTML(string=document).write_pdf(stylesheets=[css], font_config=fonts))


@cache
def _scan_font() -> ImageFont.FreeTypeFont:
    from libcoop.greenlib.report.fonts import FONT_DIR

    return ImageFont.truetype(str(FONT_DIR / "sarabun-thai-400-normal.woff2"), SCAN_FONT_PX)


def scanned_pdf(pages: Sequence[Sequence[str]]) -> bytes:
    """A PDF of page images (one list of Thai lines per page) with no text layer."""
    images = []
    for lines in pages:
        page = Image.new("L", SCAN_PAGE, 255)
        draw = ImageDraw.Draw(page)
        for i, line in enumerate(lines):
            draw.text((150, 200 + i * SCAN_LINE_PX), line, font=_scan_font(), fill=0)
        images.append(page)
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=SCAN_DPI, save_all=True, append_images=images[1:])
    return out.getvalue()
