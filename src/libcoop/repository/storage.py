"""The digital collection's file store: every file kept once, named by the SHA-256 of its bytes.

* The store is Django's ``storages["repository"]`` (settings): a folder under LibCoop's home
  (``var/repository``) on the embedded default, an S3-compatible bucket through django-storages
  when ``LIBCOOP_REPOSITORY_S3_BUCKET`` is set. Nothing here knows which.
* A file's name in the store is ``ab/cd/<sha256>`` (the first two pairs of hex digits as
  folders, so no folder holds more than 65,536 files' worth of entries on a disk).
* ``store_upload`` streams what it is given into a temporary file while hashing it: a 200 MB thesis
  is never held in memory. It refuses a file over ``LIBCOOP_REPOSITORY_MAX_BYTES`` (200 MB by
  default) and any type ``core.attachments`` does not recognise from the bytes (active content:
  HTML, SVG, scripts). The same bytes stored twice are one object: the second ``store_upload`` finds
  the name taken and writes nothing.
* Thumbnails (PNG) live in the same store under their own SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.utils.translation import gettext as _

from libcoop.core.attachments import ANY, KINDS, clean_name, sniff_file

STORE: Final = "repository"
DEFAULT_MAX_BYTES: Final = 200 * 1024 * 1024
CHUNK: Final = 1024 * 1024
# What the collection keeps (every kind core.attachments knows: PDF first, images, office
# documents, plain text and CSV); markup and scripts are never among them.
ALLOWED: Final = ANY


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    kind: str
    content_type: str


def store_backend() -> Storage:
    return storages[STORE]


def max_bytes() -> int:
    return int(getattr(settings, "LIBCOOP_REPOSITORY_MAX_BYTES", DEFAULT_MAX_BYTES))


def name_of(sha256: str) -> str:
    """The object's name in the store: ``ab/cd/<sha256>``."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 in hex: {sha256!r}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _chunks(source: bytes | IO[bytes] | Iterable[bytes]) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
    elif hasattr(source, "chunks"):  # Django's UploadedFile
        yield from source.chunks(CHUNK)
    elif hasattr(source, "read"):
        while chunk := source.read(CHUNK):
            yield chunk
    else:
        yield from source


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)},
        code="too_large",
    )


def store_upload(
    source: bytes | IO[bytes] | Iterable[bytes],
    *,
    name: str = "",
    allowed: frozenset[str] = ALLOWED,
) -> StoredFile:
    """Check *source* and keep it in the store; raises ``ValidationError`` (too large, empty,
    a type not accepted). *name* (the uploaded file name) only tells CSV from plain text.

    Idempotent: the same bytes give the same :class:`StoredFile` and are stored once.
    """
    limit = max_bytes()
    digest = hashlib.sha256()
    size = 0
    with tempfile.TemporaryFile() as spool:
        for chunk in _chunks(source):
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            digest.update(chunk)
            spool.write(chunk)
        if size == 0:
            raise ValidationError(_("The file is empty."), code="empty")
        kind = sniff_file(spool, clean_name(name))
        if kind is None or kind not in allowed:
            accepted = ", ".join(sorted({KINDS[k].extension.upper() for k in allowed}))
            raise ValidationError(
                _("This type of file is not accepted here. Accepted: %(kinds)s.")
                % {"kinds": accepted},
                code="type",
            )
        sha256 = digest.hexdigest()
        _put(sha256, spool)
    return StoredFile(sha256, size, kind, KINDS[kind].content_type)


def _put(sha256: str, spool: IO[bytes]) -> None:
    backend = store_backend()
    wanted = name_of(sha256)
    if backend.exists(wanted):
        return  # content-addressed: the same name holds the same bytes
    spool.seek(0)
    saved = backend.save(wanted, File(spool, name=wanted))
    if saved != wanted:
        # Another process stored the same bytes between our check and our write; a folder
        # store then picks a new name for ours: the copy is not needed.
        backend.delete(saved)


def store_bytes(data: bytes, *, name: str = "", allowed: frozenset[str] = ALLOWED) -> str:
    """``store_upload`` for bytes in memory (thumbnails, small files); the SHA-256."""
    return store_upload(data, name=name, allowed=allowed).sha256


def exists(sha256: str) -> bool:
    return store_backend().exists(name_of(sha256))


def open_file(sha256: str) -> IO[bytes]:
    """The stored bytes, opened for reading (the caller closes it); ``FileNotFoundError`` when
    the object is gone."""
    backend = store_backend()
    path = name_of(sha256)
    if not backend.exists(path):
        raise FileNotFoundError(path)
    return backend.open(path, "rb")


def read_bytes(sha256: str) -> bytes:
    with open_file(sha256) as f:
        return f.read()


def hash_stored(sha256: str) -> str | None:
    """The SHA-256 of what the store holds under *sha256*'s name now (``None``: missing).

    Read in chunks: the fixity check re-hashes every file this way.
    """
    try:
        f = open_file(sha256)
    except FileNotFoundError:
        return None
    digest = hashlib.sha256()
    with f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def local_path(sha256: str) -> Iterator[Path]:
    """A path on this machine holding the file, for tools that read paths (PDF libraries,
    OCRmyPDF): the stored file itself in a folder store, a temporary copy otherwise."""
    backend = store_backend()
    path = name_of(sha256)
    try:
        local: Path | None = Path(backend.path(path))  # a folder store: no copy
    except NotImplementedError:
        local = None
    if local is not None:
        if not local.is_file():
            raise FileNotFoundError(path)
        yield local
        return
    with open_file(sha256) as src, tempfile.NamedTemporaryFile(suffix=".bin") as copy:
        while chunk := src.read(CHUNK):
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)
