"""The PDF keeps Thai intact (shaped for the eye, exact when its text is copied); the Word file
has the same content with Thai fonts set for complex script."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from libcoop.greenlib.report import build_report, report_institution
from tests.greenlib.test_report import load_full_demo

THAI_PHRASES = [
    "เครือข่ายห้องสมุดสีเขียว",
    "โรงเรียนห้วยห้างป่าสา",
    "โรงเรียนอนุบาลนางแล (บ้านทุ่ง)",
    "ตั้งแต่ปี 2557",
    "คณะกรรมการเครือข่ายห้องสมุดสีเขียว",
    # SARA AM after a consonant and after a tone mark: the cases a plain embedding loses.
    "กรมส่งเสริมคุณภาพสิ่งแวดล้อม",
    "สำนักงานสีเขียวภาครัฐ",
    "ดำเนินโครงการห้องสมุดพี่ช่วยน้อง",
    "กำหนดการให้ความรู้",
    "สหบรรณานุกรมห้องสมุดสถาบันอุดมศึกษาไทย (UCTAL)",
]


def _weasyprint() -> Any:
    try:
        import weasyprint
    except OSError as exc:  # Pango or its friends missing: WeasyPrint cannot load at all
        pytest.skip(f"WeasyPrint's system libraries (Pango) are missing: {exc}")
    return weasyprint


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    load_full_demo()


def pdf_text(content: bytes) -> tuple[str, Any]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def without_breaks(text: str) -> str:
    """Line breaks fall between Thai words without a space: join lines to find phrases."""
    return re.sub(r"\s*\n\s*", "", text)


def embedded_fonts(reader: Any) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_thai_pdf_text_is_intact(demo: None) -> None:
    _weasyprint()
    response = Client().get("/greenlib/reports/MFU-LIB/2019.pdf", {"lang": "th"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="greenlib-MFU-LIB-2019-th.pdf"' in response["Content-Disposition"]
    content = response.content
    text, reader = pdf_text(content)
    joined = without_breaks(text)
    assert [p for p in THAI_PHRASES if p not in text and p not in joined] == []
    assert "\ufffd" not in text
    assert not re.search("[\ue000-\uf8ff]", text), "private-use characters in the text layer"
    # The Thai comes from the bundled Sarabun, embedded (not a system fallback).
    fonts = embedded_fonts(reader)
    assert "Sarabun-Thai" in fonts and "Sarabun-Latin" in fonts
    assert all(name.startswith("Sarabun") for name in fonts), fonts
    # A4, language and title in the metadata, page numbers in the footer.
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297
    assert reader.trailer["/Root"]["/Lang"] == "th"
    assert "ศูนย์บรรณสารและสื่อการศึกษา" in reader.metadata.title
    assert f"1 / {len(reader.pages)}" in reader.pages[0].extract_text()


def test_every_sara_am_and_tone_mark_survives_copying(db: None) -> None:
    """The derived Thai font: น้ำ is not copied as นา, ดำ not as ดา (see report/fonts.py)."""
    weasyprint = _weasyprint()
    from libcoop.greenlib.report.fonts import pdf_font_css, pdf_font_family

    words = "การดำเนินงาน น้ำ ค่ำ ต๊ำ ก๋ำ ทำ ซ้ำ อำนาจ ผู้ใหญ่ กตัญญู ฤๅษี ป่าสา ปิ่น ThaiLIS (TDC) 2562"
    css = f"{pdf_font_css()} body {{ font-family: {pdf_font_family()}; }}"
    document = f'<html lang="th"><style>{css}</style><p>{words}</p><p><b>{words}</b></p></html>'
    text, _reader = pdf_text(weasyprint.HTML(string=document).write_pdf())
    assert re.sub(r"\s+", "", text) == re.sub(r"\s+", "", words) * 2


def test_english_pdf(demo: None) -> None:
    _weasyprint()
    from libcoop.greenlib.report.render import render_pdf

    report = build_report(report_institution("MFU-LIB"), 2019, lang="en")
    text, reader = pdf_text(render_pdf(report, base_url="https://libcoop.example.org/"))
    assert "Green Library Network since 2014" in text.replace("\n", " ")
    assert reader.trailer["/Root"]["/Lang"] == "en"
    # Links to the records, absolute against the site's address; none without it.
    assert "https://libcoop.example.org/networks/GLN/" in link_targets(reader)
    _text, unlinked = pdf_text(render_pdf(report))
    assert not any(t.startswith(("http", "file")) for t in link_targets(unlinked))


def link_targets(reader: Any) -> set[str]:
    targets = set()
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                targets.add(str(action["/URI"]))
    return targets


def docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_docx_has_the_report_with_thai_fonts(demo: None) -> None:
    response = Client().get("/greenlib/reports/MFU-LIB/2019.docx", {"lang": "th"})
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    text = docx_text(response.content)
    assert [p for p in THAI_PHRASES if p not in text] == []
    assert "2560" in text and "โรงเรียนธารทิพย์" in text
    styles = zipfile.ZipFile(io.BytesIO(response.content)).read("word/styles.xml").decode()
    assert 'w:cs="TH Sarabun New"' in styles
    assert 'w:bidi="th-TH"' in styles
    from docx import Document

    document = Document(io.BytesIO(response.content))
    assert document.core_properties.language == "th-TH"
    assert len(document.tables) >= 4  # memberships, seats, events, outreach (at least)
    memberships = document.tables[0]
    assert len(memberships.columns) == 4
    assert memberships.rows[1].cells[0].text == "เครือข่ายห้องสมุดสีเขียว"
    assert memberships.rows[1].cells[2].text == "2557"
