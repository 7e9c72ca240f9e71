"""``libcoop repository deposit`` and ``libcoop repository import``: through Django's command
runner (the same parser and handler as the console script), as the operator (SYSTEM)."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.repository.models import Item, ItemStatus
from tests.repository.deposit_world import METADATA, World, pdf_bytes, world

__all__ = ["world"]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("repository", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "thesis.pdf").write_bytes(pdf_bytes("thesis"))
    (tmp_path / "appendix.pdf").write_bytes(pdf_bytes("appendix"))
    (tmp_path / "meta.json").write_text(json.dumps(METADATA, ensure_ascii=False), "utf-8")
    return tmp_path


def test_deposit_prints_the_new_items_id(world: World, files: Path) -> None:
    out = _run(
        "deposit",
        "--library",
        world.own.code,
        "--metadata",
        str(files / "meta.json"),
        str(files / "thesis.pdf"),
        str(files / "appendix.pdf"),
    )
    item = Item.objects.get()
    assert out == f"{item.pk}\n"
    assert item.institution == world.own and item.status == ItemStatus.DRAFT
    assert item.year == 2019 and item.access == "open"
    assert [f.original_name for f in item.files.all()] == ["thesis.pdf", "appendix.pdf"]
    event = AuditEvent.objects.get(verb=AuditVerb.REPO_ITEM_DEPOSITED)
    assert event.actor is None and event.actor_label == "system"


def test_deposit_with_an_embargo_and_publish(world: World, files: Path) -> None:
    until = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    out = _run(
        "deposit",
        "--library",
        world.own.code,
        "--metadata",
        str(files / "meta.json"),
        "--access",
        "embargo",
        "--until",
        until,
        "--after",
        "network",
        "--publish",
        str(files / "thesis.pdf"),
    )
    item = Item.objects.get(pk=int(out))
    assert item.access == "embargo" and item.embargo_until.isoformat() == until
    assert item.access_after_embargo == "network" and item.status == ItemStatus.PUBLISHED
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {AuditVerb.REPO_ITEM_SUBMITTED, AuditVerb.REPO_ITEM_APPROVED} <= verbs
    assert AuditVerb.REPO_ITEM_PUBLISHED in verbs


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--library", "NOPE"], "No library"),
        (["--access", "embargo"], "embargo_until: An embargo needs the date"),
        (["--access", "embargo", "--until", "2001-01-01"], "after today"),
        (["--publish"], "at least one file"),
    ],
)
def test_deposit_refusals_are_clear(
    world: World, files: Path, english: None, args: list[str], why: str
) -> None:
    base = ["deposit", "--library", world.own.code, "--metadata", str(files / "meta.json")]
    if "--library" in args:
        base = ["deposit", "--metadata", str(files / "meta.json")]
    with pytest.raises(CommandError, match=why):
        _run(*base, *args)
    assert not Item.objects.exists()


def test_deposit_metadata_problems_name_the_field(world: World, files: Path) -> None:
    bad = files / "bad.json"
    bad.write_text(json.dumps({**METADATA, "year": "2300", "type": "novel"}), "utf-8")
    with pytest.raises(CommandError) as caught:
        _run("deposit", "--library", world.own.code, "--metadata", str(bad))
    assert "item_type: Unknown value novel" in str(caught.value)
    assert "year: The year 2300 is ambiguous" in str(caught.value)
    bad.write_text("[1, 2]", "utf-8")
    with pytest.raises(CommandError, match="one JSON object"):
        _run("deposit", "--library", world.own.code, "--metadata", str(bad))


def test_deposit_in_thai(world: World, files: Path) -> None:
    with pytest.raises(CommandError, match=r"กำกวม|B\.E\."):
        bad = files / "bad.json"
        bad.write_text(json.dumps({**METADATA, "year": "2300"}), "utf-8")
        _run("deposit", "--library", world.own.code, "--metadata", str(bad), "--lang", "th")


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("title,type,year,files\n" + "\n".join(rows) + "\n", encoding="utf-8-sig")
    return path


def test_import_prints_the_report_and_succeeds_when_a_row_loads(
    world: World, files: Path, tmp_path: Path
) -> None:
    csv_path = _csv(
        tmp_path / "items.csv",
        ["ดี,thesis,2562,thesis.pdf", "ไม่ดี,thesis,2300,thesis.pdf", "หาย,thesis,2562,gone.pdf"],
    )
    report_path = tmp_path / "report.csv"
    out = _run(
        "import",
        str(csv_path),
        "--files",
        str(files),
        "--library",
        world.own.code,
        "--report",
        str(report_path),
    )
    assert "1 of 3 rows loaded" in out
    assert "row 3 [year]" in out and "row 4 [files]" in out
    assert Item.objects.count() == 1
    report = report_path.read_text("utf-8-sig")
    assert report.splitlines()[0] == "row,status,item_id,column,reason_th,reason_en,title"


def test_import_fails_when_no_row_loads(world: World, files: Path, tmp_path: Path) -> None:
    csv_path = _csv(tmp_path / "items.csv", ["ไม่ดี,thesis,2300,thesis.pdf"])
    with pytest.raises(CommandError, match="No row was loaded"):
        _run("import", str(csv_path), "--files", str(files), "--library", world.own.code)


def test_import_refuses_an_unreadable_file(world: World, files: Path, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("title\nx\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Required columns missing"):
        _run("import", str(path), "--files", str(files), "--library", world.own.code)
    with pytest.raises(CommandError, match="No such folder"):
        _run(
            "import",
            str(_csv(path, ["a,thesis,2562,x.pdf"])),
            "--files",
            str(tmp_path / "nowhere"),
            "--library",
            world.own.code,
        )
