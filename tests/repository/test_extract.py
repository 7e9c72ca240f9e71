"""Text of stored files: Thai PDFs keep their words, legacy-font PUA code points become Thai,
scans are recognised as needing OCR, other kinds say why they have no text."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest

from libcoop.repository import demo_pdfs, extract
from libcoop.repository.models import FileText, TextStatus
from libcoop.textsearch.thai import normalise
from tests.repository.files_world import a_file

pytestmark = pytest.mark.django_db

# Marks stacked on a consonant (ปิ่, ฝั่), sara am after a tone mark (น้ำ), thanthakhat, ฤ.
BODY_WORDS = ("ผู้ใหญ่บ้าน", "น้ำประปา", "สิทธิ์", "ญี่ปุ่น", "กรุ๊ป", "ฤดูฝน", "ตำบล", "ปิ่นโต", "ฝั่ง")


def thai_thesis() -> bytes:
    return demo_pdfs.text_pdf(
        "การจัดการน้ำเสียในชุมชนริมแม่น้ำกก จังหวัดเชียงราย",
        [
            "บทคัดย่อ การวิจัยนี้ศึกษาการมีส่วนร่วมของชุมชนในการจัดการน้ำเสีย",
            "ผู้ใหญ่บ้านกล่าวว่าชาวบ้านร่วมกันดูแลน้ำประปาของหมู่บ้านตลอดฤดูฝน "
            "โดยได้รับงบประมาณจากองค์การบริหารส่วนตำบล",
            "ผู้วิจัยขอสงวนสิทธิ์ในการเผยแพร่ ภาพถ่ายจากคณะศึกษาดูงานญี่ปุ่นและกรุ๊ปนักศึกษา",
            "ชาวบ้านถือปิ่นโตไปทำบุญที่วัดฝั่งตรงข้ามแม่น้ำ",
        ],
        page_breaks=[1],
    )


def test_a_thai_pdf_keeps_its_body_words_intact() -> None:
    f = a_file(thai_thesis())
    found = extract.extract_file(f)
    assert found is not None and not found.needs_ocr
    f.refresh_from_db()
    assert (f.text_status, f.pages, f.text_error) == (TextStatus.EXTRACTED, 2, "")
    pages = FileText.objects.get(file=f).pages
    assert len(pages) == 2
    assert "การจัดการน้ำเสีย" in pages[0]
    for word in BODY_WORDS:
        assert normalise(word) in pages[1], word
    assert "ผู้ใหญ่บ้านกล่าวว่าชาวบ้านร่วมกันดูแลน้ำประปา" in "".join(pages[1].split())
    assert not FileText.objects.get(file=f).ocr


def legacy_font_pdf() -> bytes:
    """A Thai PDF whose font maps its marks to the Private Use Area, as pre-OpenType Thai
    fonts did: the ToUnicode map of our own PDF rewritten to their code points (mai ek and
    mai tho shifted down, sara i shifted left; HarfBuzz's thai_pua_shape table)."""
    made = demo_pdfs.text_pdf("แม่บ้านริมน้ำ", ["แม่บ้านปิดร้านค้าช่วงปิดภาคเรียน"])
    pdf = pikepdf.open(io.BytesIO(made))
    legacy = {"0e48": "f70a", "0e49": "f70b", "0e34": "f701"}
    changed = 0
    for font in pdf.pages[0].Resources.Font.values():
        if "/ToUnicode" not in font:
            continue
        cmap = font.ToUnicode.read_bytes().decode("latin-1")
        new = re.sub(
            r"(<[0-9a-f]{4}> )<(0e4[89]|0e34)>",
            lambda m: f"{m.group(1)}<{legacy[m.group(2)]}>",
            cmap,
        )
        changed += new != cmap
        font.ToUnicode.write(new.encode("latin-1"))
    assert changed
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_legacy_font_private_use_code_points_become_thai() -> None:
    f = a_file(legacy_font_pdf())
    with extract.storage.local_path(f.sha256) as path:
        raw = "".join(extract.pdf_pages_raw(path))
    assert "\uf70a" in raw and "\uf70b" in raw and "\uf701" in raw  # what the PDF says
    extract.extract_file(f)
    page = FileText.objects.get(file=f).pages[0]
    assert "แม่บ้านปิดร้านค้าช่วงปิดภาคเรียน" in page
    assert not any(0xF700 <= ord(ch) <= 0xF8FF for ch in page)


def test_a_scan_without_a_text_layer_is_left_for_ocr() -> None:
    f = a_file(demo_pdfs.scanned_pdf([["ภูมิปัญญาท้องถิ่นล้านนา"]]), name="scan.pdf")
    found = extract.extract_file(f)
    assert found is not None and found.needs_ocr
    f.refresh_from_db()
    assert f.text_status == TextStatus.PENDING
    assert f.pages == 1
    assert FileText.objects.get(file=f).pages == [""]


def test_a_scanned_page_is_a_picture_without_text() -> None:
    text, blank, short = "ก" * 30, "", "บทที่ 1"
    assert extract.scanned_pages([text, blank, short], [0.0, 1.0, 0.0]) == [1]
    assert extract.scanned_pages([short], [0.1]) == []  # a chapter's title page
    assert extract.needs_ocr([text, blank, text], [1])  # a third of the pages
    assert not extract.needs_ocr([text] * 9 + [blank], [9])  # one picture page in ten
    assert not extract.needs_ocr([text], [])


def test_a_short_text_page_is_not_sent_to_ocr() -> None:
    f = a_file(demo_pdfs.text_pdf("บทที่ ๑", ["บทนำ"]), name="short.pdf")
    found = extract.extract_file(f)
    assert found is not None and not found.needs_ocr


def test_an_image_has_no_text_and_a_damaged_pdf_says_why() -> None:
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(png, format="PNG")
    image = a_file(png.getvalue(), name="cover.png")
    assert extract.extract_file(image) is None
    image.refresh_from_db()
    assert image.text_status == TextStatus.NO_TEXT

    damaged = a_file(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", name="broken.pdf")
    assert extract.extract_file(damaged) is None
    damaged.refresh_from_db()
    assert damaged.text_status == TextStatus.FAILED
    assert "cannot be read" in damaged.text_error


def test_a_plain_text_file_is_one_page() -> None:
    f = a_file("รายงาน\u00a0การประชุม  ครั้งที่ ๓\n".encode(), name="minutes.txt")
    extract.extract_file(f)
    assert FileText.objects.get(file=f).pages == ["รายงาน การประชุม ครั้งที่ 3"]


def test_a_missing_stored_file_fails_with_a_reason(_repository_store: object) -> None:
    f = a_file(thai_thesis())
    with extract.storage.local_path(f.sha256) as path:
        path.unlink()
    assert extract.extract_file(f) is None
    f.refresh_from_db()
    assert (f.text_status, f.text_error) == (TextStatus.FAILED, "the stored file is missing")


def test_a_word_file_is_one_page_of_its_paragraphs_and_tables() -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("รายงานการประชุมเครือข่ายห้องสมุดสีเขียว")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "ค่าไฟฟ้า"
    table.rows[0].cells[1].text = "ลดลงร้อยละ ๑๘"
    out = io.BytesIO()
    document.save(out)
    f = a_file(out.getvalue(), name="minutes.docx")
    assert f.kind == "docx"
    extract.extract_file(f)
    f.refresh_from_db()
    assert (f.text_status, f.pages) == (TextStatus.EXTRACTED, 1)
    page = FileText.objects.get(file=f).pages[0]
    assert page == "รายงานการประชุมเครือข่ายห้องสมุดสีเขียว ค่าไฟฟ้า ลดลงร้อยละ 18"
