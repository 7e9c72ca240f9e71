"""core.attachments: size limits, type sniffing from bytes, clean names, audit, serving."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.core import attachments
from libcoop.core.models import Attachment
from libcoop.network.abilities import SYSTEM
from tests.factories import InstitutionFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are checked in English (Thai is the default language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (PDF, "minutes.pdf", "pdf"),
        (PNG, "photo.png", "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "a.jpg", "jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", "webp"),
        (_docx(), "report.docx", "docx"),
        ("เดือน,kWh\n1,100\n".encode(), "energy.csv", "csv"),
        ("บันทึกการประชุม".encode(), "notes.txt", "txt"),
    ],
)
def test_kind_is_judged_from_the_bytes(data: bytes, name: str, kind: str) -> None:
    assert attachments.sniff(data, name) == kind


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"\x00\x01\x02binary",
        b"MZ\x90\x00executable",
        b"PK\x03\x04not really a zip",
    ],
)
def test_active_or_unknown_content_is_not_a_kind(data: bytes) -> None:
    assert attachments.sniff(data, "x.pdf") is None


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/abs/path/รายงาน.pdf", "รายงาน.pdf"),
        ("bad\x00name\n.pdf", "badname.pdf"),
        ("...", "file"),
    ],
)
def test_names_lose_their_folders_and_control_characters(name: str, clean: str) -> None:
    assert attachments.clean_name(name) == clean


@pytest.mark.django_db
def test_store_keeps_bytes_under_a_path_of_its_own_and_audits(media: Path) -> None:
    inst = InstitutionFactory()
    upload = SimpleUploadedFile("../../evil/รายงาน.pdf", PDF, content_type="text/html")
    att = attachments.store_upload(upload, name=upload.name, acting_user=SYSTEM, institution=inst)
    assert att.original_name == "รายงาน.pdf"
    assert att.kind == "pdf" and att.content_type == "application/pdf"  # not the client's
    stored = Path(att.file.path)
    assert stored.is_relative_to(media / "attachments")
    assert ".." not in att.file.name and "evil" not in att.file.name
    assert stored.read_bytes() == PDF
    event = AuditEvent.objects.get(verb=AuditVerb.ATTACHMENT_STORED)
    assert event.object_id == str(att.pk) and event.data["sha256"] == att.sha256


@pytest.mark.django_db
def test_disguised_html_and_disallowed_kinds_are_refused(media: Path) -> None:
    inst = InstitutionFactory()
    with pytest.raises(ValidationError, match="not accepted"):
        attachments.store_upload(
            io.BytesIO(b"<html>hi</html>"), name="x.pdf", acting_user=SYSTEM, institution=inst
        )
    with pytest.raises(ValidationError, match="not accepted"):
        attachments.store_upload(
            io.BytesIO(PDF),
            name="x.pdf",
            acting_user=SYSTEM,
            institution=inst,
            allowed=attachments.IMAGES,
        )
    assert not Attachment.objects.exists()
    assert not list(media.rglob("*.*"))


@pytest.mark.django_db
def test_too_large_and_empty_files_are_refused(media: Path, settings: Any) -> None:
    settings.LIBCOOP_ATTACHMENT_MAX_BYTES = 1024 * 1024
    inst = InstitutionFactory()
    big = io.BytesIO(PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        attachments.store_upload(big, name="big.pdf", acting_user=SYSTEM, institution=inst)
    with pytest.raises(ValidationError, match="empty"):
        attachments.store_upload(
            io.BytesIO(b""), name="e.pdf", acting_user=SYSTEM, institution=inst
        )
    assert not Attachment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_remove_deletes_row_and_file(media: Path) -> None:
    inst = InstitutionFactory()
    att = attachments.store_upload(
        io.BytesIO(PNG), name="p.png", acting_user=SYSTEM, institution=inst
    )
    path = Path(att.file.path)
    attachments.remove(att, acting_user=SYSTEM)
    assert not Attachment.objects.exists()
    assert not path.exists()
    assert AuditEvent.objects.filter(verb=AuditVerb.ATTACHMENT_REMOVED).count() == 1


@pytest.mark.django_db
def test_served_as_download_with_nosniff_images_inline(media: Path) -> None:
    inst = InstitutionFactory()
    pdf = attachments.store_upload(
        io.BytesIO(PDF), name="m.pdf", acting_user=SYSTEM, institution=inst
    )
    png = attachments.store_upload(
        io.BytesIO(PNG), name="p.png", acting_user=SYSTEM, institution=inst
    )
    r = attachments.file_response(pdf)
    assert r["Content-Disposition"].startswith("attachment")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert b"".join(r.streaming_content) == PDF  # type: ignore[arg-type]
    r = attachments.file_response(png, inline=True)
    assert r["Content-Disposition"].startswith("inline")
    assert r["Content-Type"] == "image/png"


@pytest.mark.django_db
def test_audit_refuses_a_verb_outside_the_registry() -> None:
    from libcoop.audit.services import record

    inst = InstitutionFactory()
    with pytest.raises(ValueError):
        record("core.made.up", inst, acting_user=SYSTEM)  # type: ignore[arg-type]


def test_an_odf_mimetype_member_is_read_only_a_little(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", b"x" * 5_000_000)
    assert len(buf.getvalue()) < 100_000  # compressed: a small upload that would expand
    asked: list[int] = []
    original = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        asked.append(n)
        return original(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    assert attachments.sniff(buf.getvalue(), "x.odt") is None
    assert asked and all(0 < n <= 100 for n in asked)  # never "read it all"
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    assert attachments.sniff(good.getvalue(), "x.odt") == "odt"


@pytest.mark.django_db
def test_sweep_removes_the_files_of_rolled_back_uploads_only(media: Path) -> None:
    from django.core.management import call_command
    from django.db import transaction

    inst = InstitutionFactory()
    kept = attachments.store_upload(
        io.BytesIO(PNG), name="kept.png", acting_user=SYSTEM, institution=inst
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = attachments.store_upload(
            io.BytesIO(PDF), name="lost.pdf", acting_user=SYSTEM, institution=inst
        )
        lost_path = Path(lost.file.path)
        raise RuntimeError("the caller's next step fails: its transaction rolls back")
    assert lost_path.exists() and not Attachment.objects.filter(pk=lost.pk).exists()

    def sweep(*args: str) -> str:
        out = io.StringIO()
        call_command("attachments", "sweep", *args, stdout=out)
        return out.getvalue()

    assert "removed 0" in sweep()  # a young file may belong to an upload in progress
    assert lost.file.name in sweep("--older-than", "0", "--dry-run") and lost_path.exists()
    assert lost.file.name in sweep("--older-than", "0")
    assert not lost_path.exists()
    assert Path(kept.file.path).read_bytes() == PNG  # a file with its row stays
    assert "removed 0" in sweep("--older-than", "0")


@pytest.mark.parametrize("hours", ["-1", "nan", "inf"])
def test_sweep_refuses_an_age_that_is_no_age(hours: str) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("attachments", "sweep", "--older-than", hours)
