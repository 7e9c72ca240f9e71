"""Full-text search back ends: one interface, SQLite FTS5 and PostgreSQL full text.

``backend_for(connection)`` picks the back end by ``connection.vendor``.  Both back ends index
the terms made by ``analysis`` (Thai words by dictionary segmentation plus grapheme bigrams,
Latin words case- and diacritic-folded) and share one matching and ranking policy, described
in ``base``, so that they return the same hits in the same order on the same data.

In the catalog app's migration::

    def install_search(apps, schema_editor):
        backend_for(schema_editor.connection).install(schema_editor)

    def uninstall_search(apps, schema_editor):
        backend_for(schema_editor.connection).uninstall(schema_editor)

    migrations.RunPython(install_search, uninstall_search)

Several indexes can live side by side in one database: ``backend_for(connection,
name="repository_search")`` works on tables named ``repository_search_document``, ... where
the catalog's default index ``textsearch`` has ``textsearch_document``, ...  Everything else
(analysis, matching, ranking) is the same for every index.
"""

from __future__ import annotations

from typing import Any

from libcoop.textsearch.backends.base import (
    DEFAULT_INDEX,
    FIELDS,
    SEARCH_FIELDS,
    Hit,
    SearchBackend,
    SearchDocument,
    vendor_of,
)
from libcoop.textsearch.backends.postgres import PostgresBackend
from libcoop.textsearch.backends.sqlite_fts5 import SQLiteFTS5Backend

__all__ = [
    "DEFAULT_INDEX",
    "FIELDS",
    "SEARCH_FIELDS",
    "Hit",
    "PostgresBackend",
    "SQLiteFTS5Backend",
    "SearchBackend",
    "SearchDocument",
    "backend_for",
]


def backend_for(connection: Any = None, *, name: str = DEFAULT_INDEX) -> SearchBackend:
    """The back end for ``connection`` (default: ``django.db.connection``) by its vendor.

    ``connection`` may be a Django connection, a migration's schema editor, or a DB-API
    connection (``sqlite3.Connection``, ``psycopg.Connection``).  ``name`` picks the index
    (its tables): the catalog's ``textsearch`` by default.
    """
    if connection is None:
        from django.db import connection as default_connection

        connection = default_connection
    vendor = vendor_of(connection)
    if vendor == "sqlite":
        return SQLiteFTS5Backend(connection, name=name)
    if vendor == "postgresql":
        return PostgresBackend(connection, name=name)
    raise NotImplementedError(f"no text search back end for database vendor {vendor!r}")
