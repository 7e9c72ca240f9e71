"""Set-based reads and writes for the catalog's hot paths (imports and search).

Plain SQL on the caller's connection and transaction, no model instances: a list of ids is
one parameter (an array in PostgreSQL, a JSON array read by ``json_each`` in SQLite), rows
are written by ``COPY`` into PostgreSQL and by ``executemany`` into SQLite, and updates of
many rows are one ``UPDATE … FROM unnest(…)`` in PostgreSQL. Values are passed in database
form: JSON as text (``to_json``), timestamps through ``now_value``.

Table and column names always come from the models, never from input; values are bound.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connection, models
from django.utils import timezone


def postgres() -> bool:
    return bool(connection.vendor == "postgresql")


def in_ids(ids: Sequence[int]) -> tuple[str, list[Any]]:
    """``= ANY(%s)`` / ``IN (SELECT value FROM json_each(%s))`` and its one parameter."""
    if postgres():
        return "= ANY(%s)", [list(ids)]
    return "IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


def in_texts(values: Sequence[str]) -> tuple[str, list[Any]]:
    """As ``in_ids``, for a list of strings."""
    if postgres():
        return "= ANY(%s::text[])", [list(values)]
    return "IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]


def select(
    sql: str, ids: Sequence[Any], *params: Any, texts: bool = False
) -> list[tuple[Any, ...]]:
    """Rows of *sql*, where ``{ids}`` stands for membership in *ids* (then *params*)."""
    if not ids:
        return []
    fragment, id_params = in_texts(ids) if texts else in_ids(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=fragment), [*id_params * sql.count("{ids}"), *params])
        return list(cursor.fetchall())


def execute(sql: str, ids: Sequence[Any], *params: Any) -> None:
    """Run *sql* (``{ids}`` as in ``select``) for its effect."""
    if not ids:
        return
    fragment, id_params = in_ids(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=fragment), [*id_params, *params])


def table(model: type[models.Model]) -> str:
    return str(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).column)  # type: ignore[union-attr]


def to_json(value: Any) -> str:
    """A JSON column's value as Django's JSONField writes it."""
    return json.dumps(value)


def from_json(value: Any) -> Any:
    """A JSON column read with a raw cursor (text in SQLite; text or decoded in PostgreSQL)."""
    if value == "[]":  # most list columns are empty
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


def now_value() -> Any:
    """The current time as a DateTimeField stores it on this connection."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT *rows* (values in database form, in *fields* order)."""
    rows = list(rows)
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = ", ".join(qn(column(model, f)) for f in fields)
    name = qn(table(model))
    with connection.cursor() as cursor:
        if postgres():
            with cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def update(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """UPDATE by primary key: each row is the new values in *fields* order, then the pk."""
    rows = list(rows)
    if not rows:
        return
    qn = connection.ops.quote_name
    meta = model._meta
    pk = qn(str(meta.pk.column)) if meta.pk else "id"
    name = qn(table(model))
    cols = [meta.get_field(f) for f in fields]
    with connection.cursor() as cursor:
        if not postgres():
            sets = ", ".join(f"{qn(str(c.column))} = %s" for c in cols)  # type: ignore[union-attr]
            cursor.executemany(f"UPDATE {name} SET {sets} WHERE {pk} = %s", rows)  # noqa: S608
            return
        arrays: list[str] = []
        sets_pg: list[str] = []
        for n, field in enumerate(cols):
            db_type = str(field.db_type(connection))
            if db_type == "jsonb":
                arrays.append("%s::text[]")
                sets_pg.append(f"{qn(str(field.column))} = v.c{n}::jsonb")  # type: ignore[union-attr]
            else:
                arrays.append(f"%s::{db_type}[]")
                sets_pg.append(f"{qn(str(field.column))} = v.c{n}")  # type: ignore[union-attr]
        names = ", ".join(f"c{n}" for n in range(len(cols)))
        params = [[row[n] for row in rows] for n in range(len(cols))]
        params.append([row[-1] for row in rows])
        sql = (
            f"UPDATE {name} SET {', '.join(sets_pg)}"  # noqa: S608
            f" FROM unnest({', '.join(arrays)}, %s::bigint[]) AS v({names}, pk)"
            f" WHERE {name}.{pk} = v.pk"
        )
        cursor.execute(sql, params)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """*count* new primary keys of *model*, ascending, with no rows yet (the caller inserts
    rows with these ids in the same transaction: no reading the ids back by another key).

    PostgreSQL: the column's sequence. SQLite (AUTOINCREMENT): the write transaction
    (``BEGIN IMMEDIATE``) holds the database's write lock, so no other connection takes ids
    until it ends; advancing ``sqlite_sequence`` keeps them from being handed out again.
    """
    if count <= 0:
        return []
    name = table(model)
    with connection.cursor() as cursor:
        if postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [name, count],
            )
            return sorted(int(row[0]) for row in cursor.fetchall())
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [name])
        row = cursor.fetchone()
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {name}")  # noqa: S608
        top = max(int(row[0]) if row else 0, int(cursor.fetchone()[0]))
        if row:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [top + count, name]
            )
        else:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [name, top + count]
            )
        return list(range(top + 1, top + count + 1))


# WAL pages (4 KB) an import lets SQLite gather before it checkpoints: about 80 MB.
IMPORT_WAL_PAGES = 20_000


@contextmanager
def bulk_writes() -> Iterator[None]:
    """Around a long run of write transactions (an import), settings for bulk writing that
    return to their usual values afterwards.

    SQLite: checkpoint the write-ahead log every ~80 MB instead of every 4 MB (the default),
    so that a batch's commit no longer copies and syncs the pages it has just written back
    into the database file (about 10 % of an import's time at 100,000 records).

    PostgreSQL: ``synchronous_commit = off``: a batch's commit no longer waits for its WAL to
    reach the disk (the server flushes it within a fraction of a second). A crash can lose
    the last batches an import committed, never corrupt anything: each batch and its job
    counts are one transaction, and importing the file again finishes the job (re-imports
    are idempotent). This is what SQLite's ``synchronous = NORMAL`` in WAL mode, LibCoop's
    setting there, already does.
    """
    if postgres():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            before_pg = str(cursor.fetchone()[0])
            cursor.execute("SET synchronous_commit TO off")
        try:
            yield
        finally:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('synchronous_commit', %s, false)", [before_pg]
                    )
            except DatabaseError:
                if not connection.in_atomic_block:
                    raise
                # An error has aborted the caller's transaction: its rollback undoes the SET
                # too, and the error that aborted it is the one to see, not this one.
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA wal_autocheckpoint = {IMPORT_WAL_PAGES}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {before}")


# The key of PostgreSQL's advisory lock that orders the catalog's writers ("LibCoop").
CATALOG_WRITE_LOCK = 0x4C6962436F6F70


def lock_catalog_writes() -> None:
    """Take (waiting if need be) the lock that orders the catalog's writers, until the end of
    the current transaction: imports' batches, withdrawals, staff splits and merges.

    PostgreSQL reads committed data only: two batches matching at the same time would each
    miss the clusters the other is creating, and make two clusters of one work (or leave a
    cluster's counts stale). Taken first in each write transaction, the lock makes the later
    one wait until the earlier has committed, then see its clusters. SQLite needs nothing:
    it has one writer at a time (``BEGIN IMMEDIATE``) already.
    """
    if postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CATALOG_WRITE_LOCK])
