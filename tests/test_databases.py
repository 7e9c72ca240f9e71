"""Which database the suite runs on, and the PostgreSQL pass."""

from __future__ import annotations

import os

import pytest
from django.db import connection


def test_database_backend_is_configured(db: None) -> None:
    """SQLite runs with foreign keys on; PostgreSQL is a supported server version."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
        else:
            assert connection.vendor == "postgresql"
            cursor.execute("SHOW server_version_num")
            assert int(cursor.fetchone()[0]) >= 130000


def test_file_database_uses_wal(tmp_path: object) -> None:
    """The embedded default: a file under var/ in WAL mode (in-memory test DBs cannot be WAL)."""
    import sqlite3
    from pathlib import Path

    from libcoop.dburl import SQLITE_OPTIONS, database_config

    config = database_config(None, Path(str(tmp_path)))
    assert config["NAME"].endswith("var/libcoop.sqlite3")
    db = sqlite3.connect(config["NAME"])
    db.executescript(SQLITE_OPTIONS["init_command"])
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_database_url_parsing(tmp_path: object) -> None:
    from pathlib import Path

    from libcoop.dburl import database_config

    pg = database_config("postgresql://postgres@127.0.0.1:5432/libcoop", Path("/x"))
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert pg["NAME"] == "libcoop"
    file_db = database_config(f"sqlite:///{tmp_path}/other.sqlite3", Path("/x"))
    assert file_db["NAME"] == f"{tmp_path}/other.sqlite3"
    with pytest.raises(ValueError, match="LIBCOOP_DATABASE_URL"):
        database_config("mysql://root@localhost/x", Path("/x"))


def test_postgresql_pass_is_configured() -> None:
    """The suite runs a second time on PostgreSQL when LIBCOOP_TEST_DATABASE_URL is set."""
    url = os.environ.get("LIBCOOP_TEST_DATABASE_URL")
    if not url:
        pytest.skip(
            "PostgreSQL pass not run: set LIBCOOP_TEST_DATABASE_URL=postgresql://user@host/db "
            "to run every storage test on PostgreSQL too"
        )
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        version = conn.execute("SHOW server_version").fetchone()
    assert version is not None
