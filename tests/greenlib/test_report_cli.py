"""``libcoop greenlib report`` and ``libcoop greenlib standard load`` from the command line."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from libcoop.cli import main
from libcoop.greenlib.models import Standard
from libcoop.greenlib.standard import STANDARDS_DIR
from tests.greenlib.test_report import load_full_demo


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    load_full_demo()


def report(tmp_path: Path, fmt: str, lang: str = "th") -> Path:
    output = tmp_path / f"report.{fmt}"
    out = io.StringIO()
    call_command(
        "greenlib",
        "report",
        "--institution",
        "MFU-LIB",
        "--year",
        "2019",
        "--lang",
        lang,
        "--format",
        fmt,
        "-o",
        str(output),
        stdout=out,
    )
    assert out.getvalue().startswith(f"{output}: {fmt}, ")
    return output


def test_html(demo: None, tmp_path: Path) -> None:
    text = report(tmp_path, "html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<html lang="th">' in text
    assert "โรงเรียนห้วยห้างป่าสา" in text and "ตั้งแต่ปี 2557" in text
    # Stands alone: the fonts travel inside it.
    assert "data:font/ttf;base64," in text and "file:" not in text


def test_pdf(demo: None, tmp_path: Path) -> None:
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        pytest.skip(f"WeasyPrint's system libraries (Pango) are missing: {exc}")
    from pypdf import PdfReader

    path = report(tmp_path, "pdf", lang="en")
    reader = PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Green Library Network" in text and "Huai Hang Pa Sa School" in text


def test_docx(demo: None, tmp_path: Path) -> None:
    path = report(tmp_path, "docx")
    document = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert "โรงเรียนธารทิพย์" in document


def test_through_the_console_script(demo: None, tmp_path: Path, capsys: Any) -> None:
    output = tmp_path / "r.html"
    main(
        [
            "greenlib",
            "report",
            "--institution",
            "MFU-LIB",
            "--year",
            "2018",
            "--lang",
            "en",
            "--format",
            "html",
            "-o",
            str(output),
        ]
    )
    assert "Huai Hang Pa Sa School" in output.read_text(encoding="utf-8")
    assert "r.html: html" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("institution", "year", "message"),
    [
        ("NO-SUCH-LIB", "2019", "No institution with the code 'NO-SUCH-LIB'"),
        ("MFU-LIB", "2300", "could be a Buddhist-era or a Common-era year"),
        ("MFU-LIB", "20x9", "Not a year"),
        ("MFU-LIB", "1900", "The year must be between 1980 and"),
    ],
)
def test_clear_errors(
    demo_registry: None, tmp_path: Path, institution: str, year: str, message: str
) -> None:
    output = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=message):
        call_command(
            "greenlib", "report", "--institution", institution, "--year", year, "-o", str(output)
        )
    assert not output.exists()


def test_unwritable_output(demo_registry: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "greenlib",
            "report",
            "--institution",
            "MFU-LIB",
            "--year",
            "2019",
            "--format",
            "html",
            "-o",
            str(tmp_path / "no-such-folder" / "r.html"),
        )


def test_standard_load(demo_registry: None) -> None:
    out = io.StringIO()
    call_command("greenlib", "standard", "load", str(STANDARDS_DIR / "tla-2558.yaml"), stdout=out)
    assert out.getvalue().startswith("TLA-2558 version 1")
    assert Standard.objects.filter(code="TLA-2558").count() == 1
    call_command("greenlib", "standard", "load", str(STANDARDS_DIR / "tla-2558.yaml"), stdout=out)
    assert Standard.objects.filter(code="TLA-2558").count() == 1  # the same file: no change


def test_standard_load_errors(demo_registry: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("greenlib", "standard", "load", str(tmp_path / "missing.yaml"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("greenlib", "standard", "load", str(broken))


@pytest.mark.parametrize(
    ("name", "magic"), [("r.html", b"<!DOCTYPE"), ("r.PDF", b"%PDF"), ("r.docx", b"PK")]
)
def test_format_from_the_output_files_extension(
    demo_registry: None, tmp_path: Path, name: str, magic: bytes
) -> None:
    """`-o x.html` without --format wrote a PDF into x.html (#16)."""
    output = tmp_path / name
    call_command(
        "greenlib",
        "report",
        "--institution",
        "MFU-LIB",
        "--year",
        "2562",
        "-o",
        str(output),
        stdout=io.StringIO(),
    )
    assert output.read_bytes().lstrip()[: len(magic)].upper() == magic.upper()


@pytest.mark.parametrize(
    ("name", "fmt", "message"),
    [
        ("r.txt", None, "Cannot tell the format from the file name 'r.txt'"),
        ("report", None, "end it in .html, .pdf or .docx"),
        ("r.html", "pdf", "--format pdf does not match the file name 'r.html'"),
    ],
)
def test_unknown_or_contrary_extension_is_a_clear_error(
    demo_registry: None, tmp_path: Path, name: str, fmt: str | None, message: str
) -> None:
    output = tmp_path / name
    args = ["--format", fmt] if fmt else []
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(
            "greenlib",
            "report",
            "--institution",
            "MFU-LIB",
            "--year",
            "2019",
            *args,
            "-o",
            str(output),
        )
    assert not output.exists()


def test_a_buddhist_era_year_is_the_same_report(demo_registry: None, tmp_path: Path) -> None:
    for year in ("2562", "2019", "พ.ศ. 2562"):
        out = io.StringIO()
        call_command(
            "greenlib",
            "report",
            "--institution",
            "MFU-LIB",
            "--year",
            year,
            "-o",
            str(tmp_path / "r.html"),
            stdout=out,
        )
        assert "2562" in (tmp_path / "r.html").read_text(encoding="utf-8")
