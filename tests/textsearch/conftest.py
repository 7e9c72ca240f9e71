"""Connections for the search back-end tests.

SQLite runs against an in-memory ``sqlite3`` connection, always.  PostgreSQL runs against a
``psycopg`` connection to the test database: Django's ``test_…`` database when the suite itself
runs on PostgreSQL (``LIBCOOP_DATABASE_URL``), else ``LIBCOOP_TEST_DATABASE_URL``.  Everything
a test does on PostgreSQL (tables included) happens in one transaction that is rolled back.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from libcoop.textsearch.backends import PostgresBackend, SQLiteFTS5Backend

NO_POSTGRES = (
    "PostgreSQL search back end not tested: run the suite with "
    "LIBCOOP_DATABASE_URL=postgresql://… or set LIBCOOP_TEST_DATABASE_URL=postgresql://…"
)


def _django_runs_on_postgres() -> bool:
    from django.conf import settings

    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql")


@pytest.fixture
def sqlite_connection() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    yield conn
    conn.close()


@pytest.fixture
def postgres_connection(request: pytest.FixtureRequest) -> Iterator[Any]:
    if _django_runs_on_postgres():
        request.getfixturevalue("django_db_setup")  # creates test_… and points settings at it
        from django.db import connection
        from psycopg.conninfo import make_conninfo

        sd = connection.settings_dict
        params = {
            "dbname": sd["NAME"],
            "host": sd.get("HOST") or None,
            "port": sd.get("PORT") or None,
            "user": sd.get("USER") or None,
            "password": sd.get("PASSWORD") or None,
        }
        conninfo = make_conninfo("", **{k: v for k, v in params.items() if v is not None})
    else:
        url = os.environ.get("LIBCOOP_TEST_DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            pytest.skip(NO_POSTGRES)
        conninfo = url
    import psycopg

    conn = psycopg.connect(conninfo, connect_timeout=5)
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def search_backend(request: pytest.FixtureRequest) -> SQLiteFTS5Backend | PostgresBackend:
    """Each back end, installed on its own connection, empty."""
    backend: SQLiteFTS5Backend | PostgresBackend
    if request.param == "sqlite":
        backend = SQLiteFTS5Backend(request.getfixturevalue("sqlite_connection"))
    else:
        from libcoop.textsearch.backends import postgres

        backend = PostgresBackend(request.getfixturevalue("postgres_connection"))
        # New tables (in the fixture connection's transaction, rolled back afterwards), not
        # emptied ones: rows then lie in insertion order, whatever earlier tests left in the
        # test database, and no lexeme statistics or remembered frequencies carry over.
        backend.uninstall()
        postgres._FREQUENCIES.clear()
    backend.install()
    backend.clear()
    return backend
