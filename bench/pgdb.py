"""A PostgreSQL database of a benchmark's own, on the server ``LIBCOOP_BENCH_PG`` names (an
admin URL; by default the local server's ``postgres`` database)."""

from __future__ import annotations

import os

ADMIN_URL = os.environ.get("LIBCOOP_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def create(name: str) -> str:
    """A new, empty database *name* (an old one of that name is dropped first); its URL."""
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
