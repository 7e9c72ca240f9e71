"""Backups: one archive with a consistent database snapshot and the uploaded files.

``libcoop backup -o FILE`` runs while the server and workers run:

* SQLite is copied through its online backup API (``sqlite3.Connection.backup``), which
  copies the whole database in one read transaction: with WAL, writers go on, and the copy is
  the database as it was at one instant (every transaction committed before it, none after);
* PostgreSQL is dumped by ``pg_dump`` (custom format), which reads in one snapshot;
* then the files under ``MEDIA_ROOT`` are added. The database is taken first: a file is
  written before the row that names it is committed, so every attachment the snapshot names
  is on disk when the files are read (a file removed between the two is the one exception;
  an extra file, uploaded after the snapshot, is an orphan that ``libcoop attachments sweep``
  removes).

The archive is a tar (gzip-compressed when its name ends in ``.gz`` or ``.tgz``) holding
``database.sqlite3`` or ``database.pgdump``, ``media/…`` and ``manifest.json``: the format
version, the database vendor, when it was made, LibCoop's version, the last migration of each
app, and every file with its size and SHA-256.

``libcoop restore FILE`` puts it back into an empty home: it refuses a database that has
tables, or a media directory that has files, unless told ``force``; it checks every checksum
before it writes anything.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final

from django.conf import settings
from django.db import connections

FORMAT: Final = "libcoop-backup"
FORMAT_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
MEDIA_PREFIX: Final = "media"
DATABASE_FILES: Final = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK: Final = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # inside the archive
    size: int
    sha256: str


def _version() -> str:
    try:
        return metadata.version("libcoop")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


class _HashingReader:
    """Reads a file for tarfile, hashing what it hands over (no second read)."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.digest.update(data)
        return data


def _pg_env(sd: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore/psql from Django's settings."""
    env = dict(os.environ)
    if sd.get("PASSWORD"):
        env["PGPASSWORD"] = str(sd["PASSWORD"])
    args = []
    if sd.get("HOST"):
        args += ["--host", str(sd["HOST"])]
    if sd.get("PORT"):
        args += ["--port", str(sd["PORT"])]
    if sd.get("USER"):
        args += ["--username", str(sd["USER"])]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = command[0]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(
            f"{tool} is not installed (Debian/Ubuntu: apt install postgresql-client)"
        ) from exc
    if done.returncode != 0:
        raise BackupError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _snapshot_database(alias: str, target: Path) -> str:
    """Write a consistent copy of the database to *target*; return the vendor."""
    connection = connections[alias]
    sd = connection.settings_dict
    vendor = connection.vendor
    if vendor == "sqlite":
        name = str(sd["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise BackupError("an in-memory SQLite database cannot be backed up")
        source = sqlite3.connect(f"file:{name}?mode=ro", uri=True, timeout=30)
        dest = sqlite3.connect(target)
        try:
            # pages=-1 (the default): the whole database in one step, under one read lock.
            source.backup(dest)
        finally:
            dest.close()
            source.close()
    elif vendor == "postgresql":
        args, env = _pg_env(sd)
        _run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target),
                "--dbname",
                str(sd["NAME"]),
            ],
            env,
        )
    else:
        raise BackupError(f"backups of a {vendor} database are not supported")
    return vendor


def _migrations(alias: str) -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _open_for_writing(path: Path, *, gz: bool) -> tarfile.TarFile:
    return tarfile.open(path, "w:gz" if gz else "w")


def _add_file(archive: tarfile.TarFile, source: Path, arcname: str) -> FileEntry:
    with source.open("rb") as f:
        info = archive.gettarinfo(fileobj=f, arcname=arcname)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o644
        reader = _HashingReader(f)
        archive.addfile(info, reader)
    return FileEntry(arcname, info.size, reader.digest.hexdigest())


def create_backup(output: str | Path, *, alias: str = "default") -> dict[str, Any]:
    """Write a backup archive to *output*; return its manifest."""
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    created = datetime.datetime.now(datetime.UTC)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".libcoop-backup-") as work:
        vendor = connections[alias].vendor
        db_name = DATABASE_FILES.get(vendor, "database")
        snapshot = Path(work) / db_name
        vendor = _snapshot_database(alias, snapshot)
        entries: list[FileEntry] = []
        try:
            with _open_for_writing(partial, gz=output.name.endswith((".gz", ".tgz"))) as archive:
                entries.append(_add_file(archive, snapshot, db_name))
                snapshot.unlink()
                for path in _media_files(media_root):
                    arcname = f"{MEDIA_PREFIX}/{path.relative_to(media_root).as_posix()}"
                    with contextlib.suppress(FileNotFoundError):  # removed since the walk
                        entries.append(_add_file(archive, path, arcname))
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created": created.isoformat(),
                    "libcoop_version": _version(),
                    "database": {"vendor": vendor, "file": db_name},
                    "migrations": _migrations(alias),
                    "files": [e.__dict__ for e in entries],
                }
                data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(created.timestamp())
                info.mode = 0o644
                archive.addfile(info, io.BytesIO(data))
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


# --- restore -------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
    except KeyError as exc:
        raise BackupError("not a LibCoop backup: the archive has no manifest.json") from exc
    f = archive.extractfile(member)
    if f is None:
        raise BackupError("not a LibCoop backup: manifest.json is not a file")
    try:
        manifest = json.loads(f.read())
    except ValueError as exc:
        raise BackupError("not a LibCoop backup: manifest.json is not JSON") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a LibCoop backup: unknown manifest format")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format version {manifest.get('format_version')!r} is not supported "
            f"(this LibCoop reads version {FORMAT_VERSION})"
        )
    return manifest


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise BackupError(f"unsafe path in the archive: {name!r}")
    return path


def _database_tables(alias: str) -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return [t for t in connection.introspection.table_names(cursor) if t != "sqlite_sequence"]


def _media_has_files(root: Path) -> bool:
    return any(True for _ in _media_files(root))


def _extract_verified(
    archive: tarfile.TarFile, manifest: dict[str, Any], work: Path
) -> dict[str, Path]:
    """Extract every file the manifest lists into *work*, checking size and SHA-256."""
    expected = {e["path"]: e for e in manifest.get("files", [])}
    found: dict[str, Path] = {}
    for member in archive:
        if member.name == MANIFEST:
            continue
        if not member.isfile():
            raise BackupError(f"unexpected entry in the archive: {member.name!r}")
        entry = expected.get(member.name)
        if entry is None:
            raise BackupError(f"file not in the manifest: {member.name!r}")
        target = work / _safe_name(member.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(member)
        assert source is not None
        digest = hashlib.sha256()
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if member.size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"checksum mismatch: {member.name} is damaged")
        found[member.name] = target
    missing = sorted(set(expected) - set(found))
    if missing:
        raise BackupError(f"files missing from the archive: {', '.join(missing[:5])}")
    return found


def _restore_sqlite(alias: str, snapshot: Path) -> None:
    connection = connections[alias]
    name = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    name.parent.mkdir(parents=True, exist_ok=True)
    staged = name.with_name(name.name + ".restoring")
    shutil.copyfile(snapshot, staged)
    check = sqlite3.connect(staged)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        result = str(exc)
    finally:
        check.close()
    if result != "ok":
        staged.unlink()
        raise BackupError(f"the database in the backup fails SQLite's integrity check: {result}")
    for suffix in ("-wal", "-shm"):
        Path(str(name) + suffix).unlink(missing_ok=True)
    staged.replace(name)


def _restore_postgresql(alias: str, snapshot: Path, *, force: bool) -> None:
    connection = connections[alias]
    sd = connection.settings_dict
    if force:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()
    args, env = _pg_env(sd)
    _run(
        [
            "pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            str(sd["NAME"]),
            str(snapshot),
        ],
        env,
    )


def restore_backup(
    archive_path: str | Path, *, alias: str = "default", force: bool = False
) -> dict[str, Any]:
    """Restore *archive_path* into the configured database and MEDIA_ROOT; return the manifest.

    Refuses a database with tables or a media directory with files unless *force*; then the
    database's tables and the media directory's files are replaced.
    """
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"no such backup file: {archive_path}")
    media_root = Path(settings.MEDIA_ROOT)
    vendor = connections[alias].vendor
    try:
        archive = tarfile.open(archive_path, "r:*")  # noqa: SIM115
    except tarfile.TarError as exc:
        raise BackupError(f"not a LibCoop backup: {exc}") from exc
    with archive:
        manifest = read_manifest(archive)
        backed_up = manifest["database"]["vendor"]
        if backed_up != vendor:
            raise BackupError(
                f"this backup holds a {backed_up} database and LibCoop is configured for "
                f"{vendor}; restore it into a {backed_up} database"
            )
        media_root.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".libcoop-restore-") as w:
            work = Path(w)
            # Every checksum first: a damaged archive changes nothing.
            files = _extract_verified(archive, manifest, work)
            snapshot = files.get(manifest["database"]["file"])
            if snapshot is None:
                raise BackupError("the archive holds no database")
            if not force:
                tables = _database_tables(alias)
                if tables:
                    raise BackupError(
                        f"the database is not empty ({len(tables)} tables); restore into an "
                        "empty database, or pass --force to replace it"
                    )
                if _media_has_files(media_root):
                    raise BackupError(
                        f"the media directory {media_root} holds files; restore into an empty "
                        "home, or pass --force to replace them"
                    )
            if vendor == "sqlite":
                _restore_sqlite(alias, snapshot)
            else:
                _restore_postgresql(alias, snapshot, force=force)
            if media_root.exists():
                shutil.rmtree(media_root)  # holds no file (checked above) or --force
            staged_media = work / MEDIA_PREFIX
            if staged_media.is_dir():
                staged_media.replace(media_root)
            else:
                media_root.mkdir(parents=True, exist_ok=True)
    return manifest
