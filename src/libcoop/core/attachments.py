"""Storing and serving uploaded files safely.

Every app that takes files (knowledge documents, event outputs, outreach photos, assessment
evidence) stores them here:

* the size is limited (``LIBCOOP_ATTACHMENT_MAX_BYTES``, 20 MB by default);
* the type is sniffed from the first bytes and must be one the caller allows; what the client
  says (name, Content-Type) is never trusted, and active content (HTML, SVG, scripts) is refused;
* the stored path is ours (a UUID), the uploaded name is only kept, cleaned, for display;
* files are served as downloads with ``nosniff``; images may be shown inline.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import time
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record, user_of
from libcoop.core.models import ATTACHMENT_DIR, Attachment
from libcoop.network.models import Institution

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    name: str
    content_type: str
    extension: str


KINDS: Final[dict[str, FileKind]] = {
    k.name: k
    for k in (
        FileKind("pdf", "application/pdf", "pdf"),
        FileKind("png", "image/png", "png"),
        FileKind("jpeg", "image/jpeg", "jpg"),
        FileKind("gif", "image/gif", "gif"),
        FileKind("webp", "image/webp", "webp"),
        FileKind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        FileKind(
            "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
        ),
        FileKind(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ),
        FileKind("odt", "application/vnd.oasis.opendocument.text", "odt"),
        FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", "ods"),
        FileKind("odp", "application/vnd.oasis.opendocument.presentation", "odp"),
        FileKind("csv", "text/csv; charset=utf-8", "csv"),
        FileKind("txt", "text/plain; charset=utf-8", "txt"),
    )
}
IMAGES: Final = frozenset({"png", "jpeg", "gif", "webp"})
DOCUMENTS: Final = frozenset(KINDS) - IMAGES
ANY: Final = frozenset(KINDS)

_OOXML_PART: Final = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
_ODF_TYPE: Final = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


def max_bytes() -> int:
    return int(getattr(settings, "LIBCOOP_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def clean_name(name: str) -> str:
    """The uploaded name for display: no folders (either slash), no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "file"


def _zip_kind(data: bytes | IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as z:
            names = set(z.namelist())
            if "mimetype" in names:
                with z.open("mimetype") as member:  # read a few bytes, not a zip bomb
                    return _ODF_TYPE.get(member.read(100).strip())
            if "[Content_Types].xml" in names:
                for kind, part in _OOXML_PART.items():
                    if part in names:
                        return kind
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def _text_kind(data: bytes, name: str) -> str | None:
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    head = text[:1024].lstrip().lower()
    if head.startswith(("<", "<?xml", "<!doctype", "<svg", "<html", "<script")):
        return None  # markup is active content when served; refused
    return "csv" if name.lower().endswith(".csv") else "txt"


def sniff(data: bytes, name: str = "") -> str | None:
    """The kind of *data* judged from its bytes (the name only tells csv from txt)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return _text_kind(data, name)


SNIFF_HEAD: Final = 64 * 1024


def sniff_file(f: IO[bytes], name: str = "") -> str | None:
    """``sniff`` for a seekable file too large to hold in memory (the digital collection's
    theses): the first 64 KB tell every kind but the zip-based office formats, whose parts are
    listed at the end of the file and are read from the file itself."""
    f.seek(0)
    head = f.read(SNIFF_HEAD)
    f.seek(0)
    try:
        if head.startswith(b"PK\x03\x04"):
            return _zip_kind(f)
        if len(head) == SNIFF_HEAD and (cut := head.rfind(b"\n")) > 0:
            head = head[: cut + 1]  # more follows: a text's head ends on a whole line
        return sniff(head, name)
    finally:
        f.seek(0)


def _chunks(upload: IO[bytes] | Iterable[bytes]) -> Iterable[bytes]:
    if hasattr(upload, "chunks"):  # Django's UploadedFile
        yield from upload.chunks()
    elif hasattr(upload, "read"):
        while chunk := upload.read(64 * 1024):
            yield chunk
    else:
        yield from upload


def _read_limited(upload: IO[bytes] | Iterable[bytes], limit: int) -> bytes:
    """At most *limit* + 1 bytes: enough to tell that a file is too large without reading it all."""
    buf = bytearray()
    for chunk in _chunks(upload):
        buf += chunk
        if len(buf) > limit:
            break
    return bytes(buf)


def store_upload(
    upload: IO[bytes] | Iterable[bytes],
    *,
    name: str,
    acting_user: object,
    institution: Institution,
    allowed: frozenset[str] = ANY,
) -> Attachment:
    """Check and store one uploaded file for *institution*; raises ``ValidationError``.

    The caller has already checked that *acting_user* may attach files to its record.
    """
    limit = max_bytes()
    data = _read_limited(upload, limit)
    if len(data) > limit:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)}
        )
    if not data:
        raise ValidationError(_("The file is empty."))
    display = clean_name(name)
    kind = sniff(data, display)
    if kind is None or kind not in allowed:
        allowed_names = ", ".join(sorted(KINDS[k].extension.upper() for k in allowed))
        raise ValidationError(
            _("This type of file is not accepted here. Accepted: %(kinds)s.")
            % {"kinds": allowed_names}
        )
    with transaction.atomic():
        att = Attachment(
            institution=institution,
            uploaded_by=user_of(acting_user),
            original_name=display,
            kind=kind,
            content_type=KINDS[kind].content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        att.file.save(display, ContentFile(data), save=False)
        att.save()
        record(
            AuditVerb.ATTACHMENT_STORED,
            att,
            acting_user=acting_user,
            institution_code=att.institution.code,
            name=display,
            kind=kind,
            size=len(data),
            sha256=att.sha256,
        )
    return att


def remove(att: Attachment, *, acting_user: object) -> None:
    """Delete the row and its file; the caller has checked the permission."""
    with transaction.atomic():
        record(
            AuditVerb.ATTACHMENT_REMOVED,
            att,
            acting_user=acting_user,
            institution_code=att.institution.code,
            name=att.original_name,
            sha256=att.sha256,
        )
        storage, path = att.file.storage, att.file.name
        att.delete()
        transaction.on_commit(lambda: storage.delete(path) if path else None)


# Extensions that name a kind as well as its own (a JPEG may be called .jpeg, a text .text).
_ALSO: Final[dict[str, frozenset[str]]] = {
    "jpeg": frozenset({"jpg", "jpeg", "jpe"}),
    "txt": frozenset({"txt", "text"}),
}


def served_name(original: str, kind: str) -> str:
    """The file name to serve: the uploaded name, with the extension of the kind sniffed from
    the content. A browser or a desktop opens a download by its extension, so ``late.html``
    that holds text is served as ``late.html.txt`` and a PDF uploaded as ``report.txt`` as
    ``report.pdf`` — the name never claims a type the bytes are not."""
    wanted = KINDS[kind].extension if kind in KINDS else "bin"
    stem, dot, ext = original.rpartition(".")
    if not dot or not stem:
        return f"{original or 'file'}.{wanted}"
    if ext.lower() in _ALSO.get(kind, frozenset({wanted})):
        return original
    # A name whose extension is a known kind of its own is renamed; anything else (.html, .exe,
    # .svg …) keeps its text and gets the right extension after it.
    known = {k.extension for k in KINDS.values()}
    return f"{stem}.{wanted}" if ext.lower() in known else f"{original}.{wanted}"


def file_response(att: Attachment, *, inline: bool = False) -> FileResponse:
    """Serve *att*; the caller has checked that the user may read the record it belongs to."""
    show_inline = inline and (att.kind in IMAGES or att.kind == "pdf")
    response = FileResponse(
        att.file.open("rb"),
        as_attachment=not show_inline,
        filename=served_name(att.original_name, att.kind),
        content_type=att.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def orphaned_files(older_than: datetime.timedelta) -> list[str]:
    """Stored files that no ``Attachment`` row names, last written more than *older_than* ago.

    They are left by uploads whose transaction rolled back after the file was written (the
    file is saved before its row, and a database has no hook for a rollback); younger files
    may belong to an upload still in progress and are left alone.
    """
    root = Path(default_storage.path(ATTACHMENT_DIR))
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than.total_seconds()

    def old_enough(path: Path) -> bool:
        try:
            return path.is_file() and path.stat().st_mtime < cutoff
        except OSError:  # removed meanwhile (an attachment deleted as we look)
            return False

    found = sorted(
        f"{ATTACHMENT_DIR}/{p.parent.name}/{p.name}" for p in root.glob("*/*") if old_enough(p)
    )
    orphans: list[str] = []
    for start in range(0, len(found), 500):
        chunk = found[start : start + 500]
        known = set(Attachment.objects.filter(file__in=chunk).values_list("file", flat=True))
        orphans += [name for name in chunk if name not in known]
    return orphans


def sweep_orphans(older_than: datetime.timedelta, *, dry_run: bool = False) -> list[str]:
    """Delete the files ``orphaned_files`` finds (nothing with *dry_run*); their names."""
    orphans = orphaned_files(older_than)
    if not dry_run:
        for name in orphans:
            default_storage.delete(name)  # a file already gone is no error
        if orphans:
            logger.warning("removed %d orphaned attachment files", len(orphans))
    return orphans
