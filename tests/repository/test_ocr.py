"""OCR of scanned PDFs through the background task: Thai text recognised with Tesseract's Thai
model where it is installed; a clear status, not a crash, where it is not."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from libcoop.network.models import StaffRole
from libcoop.repository import demo_pdfs, ocr, tasks
from libcoop.repository.models import FileText, TextStatus
from tests.factories import staff
from tests.repository.files_world import a_file

pytestmark = pytest.mark.django_db

SCAN = [["จังหวัดเชียงราย", "ห้องสมุดสีเขียว", "การประหยัดพลังงานไฟฟ้า"], ["บรรณานุกรม", "ภาคผนวก"]]


@pytest.fixture
def no_tesseract(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """A machine without Tesseract: nothing named tesseract on PATH."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    ocr.unavailable.cache_clear()
    yield
    ocr.unavailable.cache_clear()


def test_a_scan_is_recognised_in_thai_by_the_background_task() -> None:
    ocr.unavailable.cache_clear()
    reason = ocr.unavailable()
    if reason is not None:
        pytest.skip(f"OCR is not installed here: {reason}")
    f = a_file(demo_pdfs.scanned_pdf(SCAN), name="scan.pdf")
    tasks.process_file.enqueue(f.pk)
    f.refresh_from_db()
    assert (f.text_status, f.pages, f.text_error) == (TextStatus.OCR_DONE, 2, "")
    text = FileText.objects.get(file=f)
    assert text.ocr
    first, second = text.pages
    for word in ("เชียงราย", "ห้องสมุดสีเขียว", "พลังงานไฟฟ้า"):
        assert word in first, (word, first)
    assert "บรรณานุกรม" in second
    # done once: running the task again changes nothing
    assert tasks.ocr_file.enqueue(f.pk).return_value == TextStatus.OCR_DONE


def test_without_tesseract_the_file_says_ocr_is_unavailable(no_tesseract: None) -> None:
    f = a_file(demo_pdfs.scanned_pdf(SCAN[:1]), name="scan.pdf")
    result = tasks.process_file.enqueue(f.pk)
    assert result.return_value == TextStatus.OCR_UNAVAILABLE
    f.refresh_from_db()
    assert f.text_status == TextStatus.OCR_UNAVAILABLE
    assert "tesseract is not installed" in f.text_error
    assert FileText.objects.get(file=f).pages == [""]  # nothing read yet
    assert f.thumbnail_sha256  # the rest of the processing went on

    # the item page tells the library's staff, and only them
    client = Client()
    page = reverse("repository:item", args=[f.item_id])
    client.force_login(staff(StaffRole.LIBRARIAN, f.item.institution))
    notice = f'id="ocr-unavailable-{f.pk}"'
    shown = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert notice in shown and "tesseract-ocr-tha" in shown
    assert notice not in Client().get(page).content.decode()


def test_a_text_pdf_is_never_sent_to_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("OCR ran on a PDF with a text layer")

    monkeypatch.setattr(ocr, "ocr_pages", refuse)
    f = a_file(demo_pdfs.text_pdf("ห้องสมุดสีเขียว", ["การประหยัดพลังงานไฟฟ้าในห้องสมุด"]))
    assert tasks.process_file.enqueue(f.pk).return_value == TextStatus.EXTRACTED


def test_once_tesseract_is_installed_the_process_command_reads_the_scan(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ocr.unavailable.cache_clear()
    if (reason := ocr.unavailable()) is not None:
        pytest.skip(f"OCR is not installed here: {reason}")
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", str(tmp_path))  # not installed yet
    ocr.unavailable.cache_clear()
    f = a_file(demo_pdfs.scanned_pdf(SCAN[:1]), name="scan.pdf")
    text = a_file(demo_pdfs.text_pdf("ห้องสมุดสีเขียว", ["การประหยัดพลังงานไฟฟ้า"]))
    tasks.process_file.enqueue(f.pk)
    tasks.process_file.enqueue(text.pk)
    f.refresh_from_db()
    assert f.text_status == TextStatus.OCR_UNAVAILABLE

    monkeypatch.setenv("PATH", path)  # installed; the worker restarted
    ocr.unavailable.cache_clear()
    out = io.StringIO()
    call_command("repository", "process", stdout=out)
    assert out.getvalue().strip() == "1 file(s) queued for processing"  # the text PDF is done
    f.refresh_from_db()
    assert f.text_status == TextStatus.OCR_DONE
    assert "ห้องสมุดสีเขียว" in FileText.objects.get(file=f).pages[0]


def test_the_sidecar_is_read_page_by_page_with_skipped_runs() -> None:
    sidecar = "[OCR skipped on page(s) 1-2]\fหน้าสาม\n\f\f[OCR skipped on page(s) 5]\fหน้าหก\n\f"
    assert ocr.read_sidecar(sidecar) == {2: "หน้าสาม\n", 3: "", 5: "หน้าหก\n"}
    assert ocr._pages_argument([1, 2, 4, 0, 7]) == "1-3,5,8"


def test_only_the_scanned_pages_of_a_mixed_pdf_are_recognised() -> None:
    ocr.unavailable.cache_clear()
    if (reason := ocr.unavailable()) is not None:
        pytest.skip(f"OCR is not installed here: {reason}")
    typed = demo_pdfs.text_pdf("บทคัดย่อ", ["วิทยานิพนธ์ฉบับนี้พิมพ์ใหม่เฉพาะส่วนหน้า"])
    scanned = demo_pdfs.scanned_pdf(SCAN)
    writer = PdfWriter()
    for source in (typed, scanned):
        for page in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    f = a_file(out.getvalue(), name="mixed.pdf")
    tasks.process_file.enqueue(f.pk)
    f.refresh_from_db()
    assert (f.text_status, f.pages) == (TextStatus.OCR_DONE, 3)
    first, second, third = FileText.objects.get(file=f).pages
    assert first == "บทคัดย่อ วิทยานิพนธ์ฉบับนี้พิมพ์ใหม่เฉพาะส่วนหน้า"  # its own text, not OCR's
    assert "เชียงราย" in second and "บรรณานุกรม" in third
