"""Batch deposit from a CSV file with a folder of files (repository/batch.py): a file with
some bad rows loads the good ones and reports the bad ones by row, column and reason in Thai
and English; each row in its own transaction; a BOM or none; the report as text and CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.network.abilities import SYSTEM
from libcoop.repository import batch
from libcoop.repository.models import Item, ItemStatus
from tests.repository.deposit_world import World, pdf_bytes, world

__all__ = ["world"]

HEADER = [
    "title",
    "title_alternative",
    "creators",
    "advisors",
    "type",
    "degree",
    "discipline",
    "abstract_th",
    "abstract_en",
    "keywords_th",
    "keywords_en",
    "language",
    "year",
    "access",
    "embargo_until",
    "licence",
    "files",
]


def _row(**values: str) -> dict[str, str]:
    row = {
        "title": "การศึกษาภูมิปัญญาท้องถิ่นเชียงราย",
        "title_alternative": "Local wisdom of Chiang Rai",
        "creators": "สมชาย ใจดี; Jane Doe",
        "advisors": "สมหญิง รักษ์โลก",
        "type": "thesis",
        "degree": "ปริญญาโท",
        "discipline": "สารสนเทศศาสตร์",
        "abstract_th": "บทคัดย่อ",
        "abstract_en": "Abstract",
        "keywords_th": "ภูมิปัญญา; เชียงราย",
        "keywords_en": "local wisdom; Chiang Rai",
        "language": "tha",
        "year": "2562",
        "access": "open",
        "embargo_until": "",
        "licence": "CC-BY-4.0",
        "files": "a.pdf",
    }
    row.update(values)
    return row


def _write(path: Path, rows: list[dict[str, str]], *, bom: bool = True) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig" if bom else "utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    files = tmp_path / "files"
    files.mkdir()
    (files / "a.pdf").write_bytes(pdf_bytes("a"))
    (files / "b.pdf").write_bytes(pdf_bytes("b"))
    (files / "page.html").write_bytes(b"<html><script>alert(1)</script></html>")
    (tmp_path / "secret.pdf").write_bytes(pdf_bytes("outside"))
    return files


def test_bad_rows_are_reported_and_good_rows_load(
    world: World, folder: Path, tmp_path: Path
) -> None:
    rows = [
        _row(title="ดีหนึ่ง"),  # row 2: good
        _row(title="", files="b.pdf"),  # row 3: no title
        _row(title="ปีกำกวม", year="2300"),  # row 4: ambiguous year
        _row(title="ไม่มีไฟล์", files="missing.pdf"),  # row 5: file not in the folder
        _row(title="ดีสอง", files="a.pdf; b.pdf", year="2019"),  # row 6: good
        _row(title="ไฟล์อันตราย", files="page.html"),  # row 7: refused type
        _row(title="ออกนอกโฟลเดอร์", files="../secret.pdf"),  # row 8: not a plain name
        _row(title="ชนิดผิด", type="novel"),  # row 9: unknown type
        _row(title="ห้ามเปิด", access="embargo", embargo_until="2020-01-01"),  # row 10
    ]
    report = batch.import_batch(
        _write(tmp_path / "items.csv", rows), folder, world.own, acting_user=SYSTEM
    )
    assert [r.row for r in report.loaded] == [2, 6]
    loaded = Item.objects.order_by("pk")
    assert [i.title for i in loaded] == ["ดีหนึ่ง", "ดีสอง"]
    assert [i.files.count() for i in loaded] == [1, 2]
    assert all(i.year == 2019 and i.status == ItemStatus.DRAFT for i in loaded)
    problems = {r.row: [(p.column, p.en, p.th) for p in r.problems] for r in report.failed}
    assert sorted(problems) == [3, 4, 5, 7, 8, 9, 10]
    assert problems[3][0][0] == "title"
    assert problems[4][0][0] == "year" and "ambiguous" in problems[4][0][1]
    assert problems[5][0][0] == "files" and "missing.pdf" in problems[5][0][1]
    assert problems[7][0][0] == "files" and "not accepted" in problems[7][0][1]
    assert problems[8][0][0] == "files" and "plain file name" in problems[8][0][1]
    assert problems[9][0][0] == "type"
    assert problems[10][0][0] == "embargo_until"
    # every reason is given in Thai too (not the English text again)
    for row_problems in problems.values():
        for _column, en, th in row_problems:
            assert th and en
    assert any(th != en for rp in problems.values() for _c, en, th in rp)
    event = AuditEvent.objects.get(verb=AuditVerb.REPO_BATCH_IMPORTED)
    assert event.data["loaded"] == [i.pk for i in loaded]
    assert event.data["failed"] == [3, 4, 5, 7, 8, 9, 10]


def test_report_as_text_and_csv(world: World, folder: Path, tmp_path: Path) -> None:
    rows = [_row(title="ดี"), _row(title="ปีผิด", year="soon")]
    report = batch.import_batch(
        _write(tmp_path / "items.csv", rows), folder, world.own, acting_user=SYSTEM
    )
    text = report.as_text()
    assert "1 of 2 rows loaded" in text
    assert "row 3 [year]" in text
    table = list(csv.DictReader(io.StringIO(report.as_csv())))
    assert [(r["row"], r["status"], r["column"]) for r in table] == [
        ("2", "loaded", ""),
        ("3", "error", "year"),
    ]
    assert table[1]["reason_en"].startswith("Not a year")
    assert table[1]["reason_th"]


@pytest.mark.parametrize("bom", [True, False])
def test_with_or_without_a_byte_order_mark(
    world: World, folder: Path, tmp_path: Path, bom: bool
) -> None:
    report = batch.import_batch(
        _write(tmp_path / "items.csv", [_row()], bom=bom), folder, world.own, acting_user=SYSTEM
    )
    assert len(report.loaded) == 1 and not report.failed


def test_metadata_only_rows_need_saying_so(world: World, folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    text = (
        "title,type,year,files,metadata_only\n"
        "ไม่มีไฟล์โดยตั้งใจ,local_information,2530,,yes\n"
        "ลืมไฟล์,local_information,2530,,\n"
    )
    path.write_text(text, encoding="utf-8")
    report = batch.import_batch(path, folder, world.own, acting_user=SYSTEM, publish=True)
    assert [r.row for r in report.loaded] == [2]
    assert [p.column for p in report.failed[0].problems] == ["files"]
    item = Item.objects.get()
    assert item.status == ItemStatus.PUBLISHED and item.year == 1987


def test_a_row_failing_late_leaves_nothing_behind(
    world: World, folder: Path, tmp_path: Path
) -> None:
    """Each row is one transaction: a row whose publish step fails keeps no half-made item."""
    rows = [_row(title="ไม่มีไฟล์", files="")]
    path = _write(tmp_path / "items.csv", rows)
    report = batch.import_batch(path, folder, world.own, acting_user=SYSTEM, publish=True)
    assert not report.loaded and not Item.objects.exists()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"title,year\nx,2562\n", "Required columns missing: type"),
        ("title,type,year\nก,thesis,2562\n".encode("tis-620"), "not UTF-8"),
        (b"", "empty"),
        (b"title,type,year,year\n", "Columns named twice"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(
    world: World, folder: Path, tmp_path: Path, content: bytes, why: str
) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(content)
    with pytest.raises(batch.BatchFileError, match=why):
        batch.import_batch(path, folder, world.own, acting_user=SYSTEM)
    assert not Item.objects.exists()


def test_only_the_librarys_staff_import_for_it(world: World, folder: Path, tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    path = _write(tmp_path / "items.csv", [_row()])
    with pytest.raises(PermissionDenied):
        batch.import_batch(path, folder, world.own, acting_user=world.user("librarian_other"))
    report = batch.import_batch(path, folder, world.own, acting_user=world.user("librarian_own"))
    assert len(report.loaded) == 1


def test_unknown_columns_are_named(world: World, folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("title,type,year,files,colour\nก,thesis,2562,a.pdf,red\n", encoding="utf-8")
    report: Any = batch.import_batch(path, folder, world.own, acting_user=SYSTEM)
    assert report.ignored_columns == ["colour"] and len(report.loaded) == 1
