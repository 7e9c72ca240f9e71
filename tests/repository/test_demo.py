"""The demo collection loads through the services, its PDFs are read (one by OCR where
Tesseract is installed), and a second load changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from libcoop.repository import access, demo, ocr
from libcoop.repository.models import Access, FileText, Item, ItemFile, ItemStatus, TextStatus

pytestmark = pytest.mark.django_db


def test_the_demo_collection(demo_registry: None, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the files' processing is queued
        summary = demo.load_demo()
    entries = demo.load_entries()
    assert summary.startswith(f"digital collection: {len(entries)} item(s)")
    items = Item.objects.all()
    assert items.count() == len(entries) >= 8
    assert set(items.values_list("status", flat=True)) == {ItemStatus.PUBLISHED}
    assert len(set(items.values_list("institution__code", flat=True))) >= 4
    assert {"tha", "eng"} <= set(items.values_list("language", flat=True))
    embargoed = items.get(access=Access.EMBARGO)
    assert access.effective_access(embargoed) == Access.EMBARGO

    files = ItemFile.objects.select_related("item")
    assert files.count() == len(entries)
    assert all(f.kind == "pdf" and f.thumbnail_sha256 for f in files)
    thesis = files.get(item__title__startswith="การจัดการน้ำเสีย")
    assert thesis.text_status == TextStatus.EXTRACTED and thesis.pages == 3
    assert "บ่อดักไขมัน" in " ".join(FileText.objects.get(file=thesis).pages)
    scan = files.get(item__item_type="archival_document")
    if ocr.unavailable() is None:
        assert scan.text_status == TextStatus.OCR_DONE
        assert "ห้องสมุด" in FileText.objects.get(file=scan).pages[0]
    else:
        assert scan.text_status == TextStatus.OCR_UNAVAILABLE

    assert demo.load_demo().startswith("digital collection: 0 item(s)")
    assert Item.objects.count() == len(entries)
