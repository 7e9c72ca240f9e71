"""Backups (``libcoop backup`` / ``libcoop restore``, ``core/backup.py``).

The main test takes a backup while an import runs in another process, on a database of the
test's own (a SQLite file, or a new PostgreSQL database beside the test database, as the
suite runs), restores it into a fresh home and database, and compares: every record, uploaded
file and audit entry committed before the backup started is there, and nothing that was never
committed. The others check what restore refuses, in-process.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from libcoop.core.backup import FORMAT, FORMAT_VERSION, BackupError, restore_backup
from tests.catalog.marcdata import book, write

ROOT = Path(__file__).resolve().parents[2]
BATCH = 20
RECORDS = 600
ATTACHMENTS = 4

CHILD = """
import sys, time
import django
django.setup()
from django.core.management import call_command
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, InstitutionKind
if sys.argv[1] == "setup":
    from libcoop.catalog.ingest import import_file
    from libcoop.core.attachments import store_upload
    call_command("migrate", verbosity=0)
    library = Institution.objects.create(
        code="BK-1", kind=InstitutionKind.UNIVERSITY_LIBRARY, name_en="Backup Library"
    )
    for n in range(int(sys.argv[2])):
        store_upload(
            [f"minutes {n}\\n".encode() * 50], name=f"minutes-{n}.txt",
            acting_user=SYSTEM, institution=library,
        )
    job = import_file(sys.argv[3], library, acting_user=SYSTEM, batch_size=20, parallel=False)
    print(job.status, job.added)
elif sys.argv[1] == "import":
    # A slow import: a pause between batches (outside their transactions), so that the
    # backup is taken while batches are being committed.
    from libcoop.catalog import ingest
    batches = ingest.prepared_batches
    def slow(*args, **kwargs):
        for batch in batches(*args, **kwargs):
            time.sleep(0.15)
            yield batch
    ingest.prepared_batches = slow
    library = Institution.objects.get(code="BK-1")
    job = ingest.import_file(sys.argv[2], library, acting_user=SYSTEM, batch_size=20,
                             parallel=False)
    print(job.status, job.added)
"""


def _own_database(tmp_path: Path, name: str) -> tuple[str, Any]:
    """A database URL of the test's own (the suite's vendor), and how to drop it afterwards."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / name / 'var' / 'libcoop.sqlite3'}", lambda: None
    import psycopg

    sd = connection.settings_dict
    host, port, user = sd.get("HOST") or "127.0.0.1", sd.get("PORT") or 5432, sd.get("USER")
    password = sd.get("PASSWORD") or ""
    db = f"lc_backup_{name}_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=host, port=port, user=user, password=password, dbname=sd["NAME"], autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{db}"')
    credentials = f"{user}:{password}@" if password else f"{user}@"

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.close()

    return f"postgresql://{credentials}{host}:{port}/{db}", drop


def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Read the database behind *url* directly (no Django set-up: fast enough to poll)."""
    if url.startswith("sqlite:"):
        import sqlite3

        db = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()
    import psycopg

    with psycopg.connect(url) as db:
        return db.execute(sql).fetchall()  # type: ignore[arg-type]


def _state(url: str) -> dict[str, set[tuple[Any, ...]]]:
    return {
        "records": set(_query(url, "SELECT local_id, checksum FROM catalog_bibrecord")),
        "attachments": set(_query(url, "SELECT file, sha256 FROM core_attachment")),
        "audit": set(_query(url, "SELECT id, verb, object_type, object_id FROM audit_auditevent")),
        "jobs": set(_query(url, "SELECT id FROM catalog_importjob")),
    }


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_during_an_import_restores_everything_committed_before_it(
    tmp_path: Path,
) -> None:
    source_url, drop_source = _own_database(tmp_path, "source")
    target_url, drop_target = _own_database(tmp_path, "target")

    def env(home: str, url: str) -> dict[str, str]:
        return dict(
            os.environ,
            LIBCOOP_DATABASE_URL=url,
            LIBCOOP_HOME=str(tmp_path / home),
            LIBCOOP_CONN_MAX_AGE="0",
            DJANGO_SETTINGS_MODULE="libcoop.settings",
            PYTHONPATH=str(ROOT / "src"),
        )

    def run(args: list[str], home: str, url: str) -> subprocess.Popen[str]:
        (tmp_path / home).mkdir(exist_ok=True)
        return subprocess.Popen(
            [sys.executable, *args],
            env=env(home, url),
            cwd=tmp_path / home,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(process: subprocess.Popen[str], expect: int = 0) -> tuple[str, str]:
        out, err = process.communicate(timeout=300)
        assert process.returncode == expect, (out + err)[-3000:]
        return out.strip(), err

    libcoop = ["-m", "libcoop.cli"]
    archive = tmp_path / "backup.tar.gz"
    first = write(
        tmp_path / "first.mrc", *(book(f"F-{n:04d}", f"First load {n}") for n in range(60))
    )
    second = write(
        tmp_path / "second.mrc",
        *(book(f"S-{n:04d}", f"Green library practice {n}") for n in range(RECORDS)),
    )
    try:
        assert finish(run(["-c", CHILD, "setup", str(ATTACHMENTS), str(first)], "a", source_url))[
            0
        ] == ("done 60")
        importing = run(["-c", CHILD, "import", str(second)], "a", source_url)
        deadline = time.monotonic() + 120
        while len(_state(source_url)["records"]) < 60 + 3 * BATCH:
            assert importing.poll() is None, importing.communicate()
            assert time.monotonic() < deadline, "the import did not start"
            time.sleep(0.1)
        before = _state(source_url)  # all of it committed before the backup starts
        out, _ = finish(run([*libcoop, "backup", "-o", str(archive)], "a", source_url))
        assert importing.poll() is None, "the import ended before the backup did: too fast"
        assert f"{ATTACHMENTS} uploaded files" in out
        assert finish(importing)[0] == f"done {RECORDS}"
        after = _state(source_url)

        out, _ = finish(run([*libcoop, "restore", str(archive)], "b", target_url))
        assert "Restored" in out
        restored = _state(target_url)
        # A second restore into the now non-empty home is refused.
        _, err = finish(run([*libcoop, "restore", str(archive)], "b", target_url), expect=1)
        assert "not empty" in err
        finish(run([*libcoop, "migrate", "--check"], "b", target_url))  # nothing to apply
    finally:
        drop_source()
        drop_target()

    # Nothing committed before the backup is missing; nothing is there that was never committed.
    for kind in ("records", "attachments", "audit", "jobs"):
        assert before[kind] <= restored[kind] <= after[kind], kind
    # The import was caught in the middle: the snapshot holds whole batches of it, not all.
    imported = len(restored["records"]) - 60
    assert 3 * BATCH <= imported < RECORDS
    assert imported % BATCH == 0
    assert len(restored["attachments"]) == ATTACHMENTS
    # Every uploaded file is back under the new home's media directory, byte for byte.
    media = tmp_path / "b" / "var" / "media"
    for name, sha in restored["attachments"]:
        assert hashlib.sha256((media / name).read_bytes()).hexdigest() == sha
    verbs = {v for _, v, _, _ in restored["audit"]}
    assert {"core.attachment.stored", "catalog.import.finished"} <= verbs


def _archive(tmp_path: Path, files: dict[str, bytes], *, tamper: str | None = None) -> Path:
    """A hand-made archive for the suite's database vendor (its database file is not real)."""
    vendor = connection.vendor
    db_file = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[vendor]
    files = {db_file: b"not really a database", **files}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": "2026-01-01T00:00:00+00:00",
        "libcoop_version": "test",
        "database": {"vendor": vendor, "file": db_file},
        "migrations": {},
        "files": [
            {"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for p, d in files.items()
        ],
    }
    path = tmp_path / "hand.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in [*files.items(), ("manifest.json", json.dumps(manifest).encode())]:
            if name == tamper:
                data = data[:-1] + b"!"
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.django_db
def test_restore_checks_every_checksum_before_it_writes(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    path = _archive(tmp_path, {"media/attachments/ab/x": b"hello"}, tamper="media/attachments/ab/x")
    with pytest.raises(BackupError, match="checksum mismatch"):
        restore_backup(path, force=True)
    assert not (tmp_path / "media").exists()


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    path = _archive(tmp_path, {"media/attachments/ab/x": b"hello"})
    with pytest.raises(CommandError, match="database is not empty"):
        call_command("restore", str(path))


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as tar:
        info = tarfile.TarInfo("hello.txt")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(BackupError, match="no manifest"):
        restore_backup(plain)
    evil = _archive(tmp_path, {"../escape": b"x"})
    with pytest.raises(BackupError, match="unsafe path"):
        restore_backup(evil)
    (tmp_path / "junk.tar").write_bytes(b"junk")
    with pytest.raises(BackupError, match="not a LibCoop backup"):
        restore_backup(tmp_path / "junk.tar")
