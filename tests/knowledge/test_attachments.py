"""Files on articles: size and type limits, names that try to be paths, downloads that go
through the article's visibility, removal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.core.models import Attachment
from libcoop.knowledge import services
from libcoop.knowledge.models import ArticleAttachment
from libcoop.network.abilities import SYSTEM
from tests.knowledge.factories import PDF, PNG, article, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_pdf_is_stored_under_our_own_name_and_audited(media: Path) -> None:
    world = make_world()
    item = article(world.own)
    link = services.add_attachment(
        item, [PDF], name="คู่มือคัดแยกขยะ.pdf", acting_user=world.users["own_librarian"]
    )
    stored = link.attachment
    assert stored.kind == "pdf" and stored.original_name == "คู่มือคัดแยกขยะ.pdf"
    assert stored.institution == world.own
    assert "คู่มือ" not in stored.file.name and stored.file.name.startswith("attachments/")
    assert (media / stored.file.name).read_bytes() == PDF
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {AuditVerb.ATTACHMENT_STORED, AuditVerb.ARTICLE_CHANGED} <= verbs


def test_too_large_is_refused(settings: Any) -> None:
    settings.LIBCOOP_ATTACHMENT_MAX_BYTES = 1024
    world = make_world()
    item = article(world.own)
    big = PDF + b"0" * 2048
    with pytest.raises(ValidationError, match="larger than"):
        services.add_attachment(item, [big], name="big.pdf", acting_user=SYSTEM)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><body><script>alert(1)</script></body></html>", "report.pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "photo.png"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "setup.docx"),
    ],
)
def test_the_type_comes_from_the_bytes_not_the_name(data: bytes, name: str) -> None:
    world = make_world()
    item = article(world.own)
    with pytest.raises(ValidationError, match="not accepted"):
        services.add_attachment(item, [data], name=name, acting_user=SYSTEM)
    assert not Attachment.objects.exists() and not ArticleAttachment.objects.exists()


def test_a_path_trick_name_never_becomes_a_path(media: Path) -> None:
    world = make_world()
    item = article(world.own)
    link = services.add_attachment(
        item, [b"root:x:0:0\n"], name="../../etc/passwd", acting_user=SYSTEM
    )
    stored = link.attachment
    assert stored.original_name == "passwd"
    assert ".." not in stored.file.name and "etc" not in stored.file.name
    assert Path(stored.file.path).resolve().is_relative_to(media.resolve())
    windows = services.add_attachment(
        item, [PDF], name="..\\..\\windows\\system.ini.pdf", acting_user=SYSTEM
    )
    assert windows.attachment.original_name == "system.ini.pdf"


def test_only_the_articles_staff_attach_and_remove() -> None:
    world = make_world()
    item = article(world.own)
    for name in ("member_librarian", "coordinator", "patron"):
        with pytest.raises(PermissionDenied):
            services.add_attachment(item, [PDF], name="a.pdf", acting_user=world.users[name])
    link = services.add_attachment(item, [PNG], name="photo.png", acting_user=SYSTEM)
    with pytest.raises(PermissionDenied):
        services.remove_attachment(link, acting_user=world.users["member_librarian"])
    services.remove_attachment(link, acting_user=world.users["own_admin"])
    assert not Attachment.objects.exists() and not ArticleAttachment.objects.exists()
    assert AuditEvent.objects.filter(verb=AuditVerb.ATTACHMENT_REMOVED).count() == 1


def _client(user: Any) -> Client:
    client = Client()
    if not isinstance(user, AnonymousUser):
        client.force_login(user)
    return client


def test_download_goes_through_the_visibility_check() -> None:
    world = make_world()
    item = article(world.own, visibility="network", network=world.network)
    stored = services.add_attachment(item, [PDF], name="guide.pdf", acting_user=SYSTEM).attachment
    url = f"/knowledge/{item.pk}/files/{stored.pk}/"
    ok = _client(world.users["member_librarian"]).get(url)
    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == PDF  # type: ignore[attr-defined]
    assert ok["Content-Type"] == "application/pdf"
    assert ok["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in ok["Content-Disposition"]
    for reader in (AnonymousUser(), world.users["outsider_librarian"], world.users["patron"]):
        assert _client(reader).get(url).status_code == 404
    # the file must belong to that article: another article's id does not unlock it
    public = article(world.own, visibility="public")
    assert Client().get(f"/knowledge/{public.pk}/files/{stored.pk}/").status_code == 404


def test_upload_and_remove_through_the_page(media: Path) -> None:
    world = make_world()
    item = article(world.own)
    client = _client(world.users["own_librarian"])
    upload = SimpleUploadedFile("../../etc/ภาพกิจกรรม.png", PNG, content_type="text/html")
    response = client.post(f"/knowledge/{item.pk}/files/", {"file": upload})
    assert response.status_code == 302
    stored = item.attachments.get().attachment
    assert stored.kind == "png" and stored.content_type == "image/png"
    assert stored.original_name == "ภาพกิจกรรม.png"
    inline = client.get(f"/knowledge/{item.pk}/files/{stored.pk}/?inline=1")
    assert "inline" in inline["Content-Disposition"]
    bad = SimpleUploadedFile("report.pdf", b"<html>x</html>", content_type="application/pdf")
    client.post(f"/knowledge/{item.pk}/files/", {"file": bad})
    assert item.attachments.count() == 1
    other = _client(world.users["member_librarian"])
    forged = SimpleUploadedFile("x.pdf", PDF)
    assert other.post(f"/knowledge/{item.pk}/files/", {"file": forged}).status_code == 403
    assert other.post(f"/knowledge/{item.pk}/files/{stored.pk}/remove/").status_code == 403
    assert client.post(f"/knowledge/{item.pk}/files/{stored.pk}/remove/").status_code == 302
    assert not item.attachments.exists()
