"""The content-addressed store: in a folder under LibCoop's home and in an S3-compatible bucket
(moto's server over real HTTP, through django-storages and boto3)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfWriter

from libcoop.repository import storage


def a_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def a_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_a_pdf_is_stored_once_under_its_sha256(_repository_store: Path) -> None:
    data = a_pdf()
    sha = hashlib.sha256(data).hexdigest()
    first = storage.store_upload(data, name="thesis.pdf")
    assert first == storage.StoredFile(sha, len(data), "pdf", "application/pdf")
    on_disk = _repository_store / sha[:2] / sha[2:4] / sha
    assert on_disk.read_bytes() == data
    mtime = on_disk.stat().st_mtime_ns
    # the same bytes again: same answer, nothing written
    assert storage.store_upload(io.BytesIO(data), name="copy.pdf") == first
    assert on_disk.stat().st_mtime_ns == mtime
    assert [p.name for p in _repository_store.rglob("*") if p.is_file()] == [sha]
    assert storage.exists(sha)
    assert storage.read_bytes(sha) == data
    assert storage.hash_stored(sha) == sha
    with storage.local_path(sha) as path:
        assert path == on_disk


def test_a_large_file_is_streamed_from_chunks(settings: Any) -> None:
    settings.LIBCOOP_REPOSITORY_MAX_BYTES = 5 * 1024 * 1024
    body = a_pdf() + b"%" + b"x" * (3 * 1024 * 1024)  # a PDF with 3 MB of trailing bytes
    chunks = (body[i : i + 100_000] for i in range(0, len(body), 100_000))
    stored = storage.store_upload(chunks, name="big.pdf")
    assert stored.size == len(body)
    assert stored.kind == "pdf"
    assert stored.sha256 == hashlib.sha256(body).hexdigest()


def test_the_size_limit(settings: Any, english: None) -> None:
    settings.LIBCOOP_REPOSITORY_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="larger than 1 MB") as err:
        storage.store_upload(a_pdf() + b"0" * (1024 * 1024), name="big.pdf")
    assert err.value.code == "too_large"
    with pytest.raises(ValidationError, match="empty"):
        storage.store_upload(b"", name="empty.pdf")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "thesis.pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "cover.svg"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "thesis.pdf"),
    ],
)
def test_active_content_and_unknown_types_are_refused(
    data: bytes, name: str, english: None, _repository_store: Path
) -> None:
    with pytest.raises(ValidationError, match="not accepted") as err:
        storage.store_upload(data, name=name)
    assert err.value.code == "type"
    assert not _repository_store.exists() or not any(_repository_store.rglob("*"))


def test_images_and_office_documents_are_stored_as_they_are() -> None:
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(png, format="PNG")
    assert storage.store_upload(png.getvalue(), name="cover.png").kind == "png"
    docx = storage.store_upload(a_docx(), name="chapter.docx")
    assert docx.kind == "docx"
    assert storage.read_bytes(docx.sha256) == a_docx()


def test_a_name_that_is_not_a_sha256_is_refused() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        storage.open_file("../../etc/passwd")
    with pytest.raises(FileNotFoundError):
        storage.open_file("0" * 64)
    assert storage.hash_stored("0" * 64) is None


# --- S3-compatible object storage -------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_store(settings: Any, s3_endpoint: str) -> Any:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="ap-southeast-1",
    )
    bucket = f"libcoop-{id(settings)}"
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "repository": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "ap-southeast-1",
                "location": "repository",
                "default_acl": "private",
                "file_overwrite": True,
            },
        },
    }
    return client, bucket


def test_s3_store_keeps_each_file_once_under_its_sha256(s3_store: Any) -> None:
    client, bucket = s3_store
    data = a_pdf(pages=2)
    sha = hashlib.sha256(data).hexdigest()
    stored = storage.store_upload(io.BytesIO(data), name="thesis.pdf")
    assert stored.sha256 == sha
    key = f"repository/{sha[:2]}/{sha[2:4]}/{sha}"
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in listed] == [key]
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == data
    etag = listed[0]["ETag"]
    assert storage.store_upload(data, name="again.pdf") == stored
    assert [o["ETag"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]] == [etag]
    assert storage.exists(sha)
    assert storage.read_bytes(sha) == data
    assert storage.hash_stored(sha) == sha
    with storage.local_path(sha) as path:
        assert path.read_bytes() == data  # a temporary copy for path-reading tools
    assert not path.exists()


def test_s3_store_reports_a_changed_and_a_missing_object(s3_store: Any) -> None:
    client, bucket = s3_store
    sha = storage.store_bytes(a_pdf())
    key = f"repository/{sha[:2]}/{sha[2:4]}/{sha}"
    client.put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.7 tampered")
    assert storage.hash_stored(sha) == hashlib.sha256(b"%PDF-1.7 tampered").hexdigest()
    client.delete_object(Bucket=bucket, Key=key)
    assert not storage.exists(sha)
    assert storage.hash_stored(sha) is None


def test_a_large_thai_csv_is_sniffed_from_its_first_lines() -> None:
    # 3-byte Thai characters: the first 64 KB end inside a character; the sniff must not
    # take that for a binary file.
    rows = "".join(f"{n},วิทยานิพนธ์เรื่องการจัดการน้ำเสียชุมชน\n" for n in range(2000))
    data = rows.encode()
    assert len(data) > 64 * 1024
    assert storage.store_upload(data, name="theses.csv").kind == "csv"
    assert storage.store_upload(data, name="theses.txt").kind == "txt"


@pytest.mark.django_db
def test_files_in_s3_are_read_and_drawn_through_a_temporary_copy(s3_store: Any) -> None:
    from libcoop.repository import demo_pdfs, tasks
    from libcoop.repository.models import FileText, TextStatus
    from tests.repository.files_world import a_file

    client, bucket = s3_store
    f = a_file(demo_pdfs.text_pdf("ห้องสมุดสีเขียว", ["การประหยัดพลังงานไฟฟ้าในห้องสมุด"]))
    tasks.process(f)
    f.refresh_from_db()
    assert f.text_status == TextStatus.EXTRACTED
    assert "การประหยัดพลังงานไฟฟ้าในห้องสมุด" in FileText.objects.get(file=f).pages[0]
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    thumb = f.thumbnail_sha256
    assert keys == {f"repository/{s[:2]}/{s[2:4]}/{s}" for s in (f.sha256, thumb)}
