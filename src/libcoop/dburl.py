"""Database selection from ``LIBCOOP_DATABASE_URL``.

SQLite is the embedded default (a file under ``./var/``); PostgreSQL is the server database.
Both are configured here and nowhere else, so the server, the CLI and the tests agree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

SQLITE_OPTIONS: dict[str, Any] = {
    # WAL lets readers (search, OAI harvesters) run while an import writes; foreign keys are
    # always on in Django's SQLite backend, the PRAGMA makes it explicit for raw connections.
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=10000;"
    ),
    # BEGIN IMMEDIATE: a writing transaction takes the write lock up front instead of failing
    # with "database is locked" when it upgrades from a read.
    "transaction_mode": "IMMEDIATE",
}


def default_sqlite_url(base_dir: Path) -> str:
    return f"sqlite:///{(base_dir / 'var' / 'libcoop.sqlite3').as_posix()}"


def database_config(url: str | None, base_dir: Path) -> dict[str, Any]:
    """Return Django's DATABASES['default'] for *url* (or the embedded default)."""
    url = url or default_sqlite_url(base_dir)
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if not url.startswith(("sqlite:", "postgresql://")):
        raise ValueError(
            f"LIBCOOP_DATABASE_URL must be sqlite:///path or postgresql://…, not {url!r}"
        )
    config: dict[str, Any] = dict(dj_database_url.parse(url))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        name = config["NAME"]
        if name and name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    else:
        config["CONN_MAX_AGE"] = int(os.environ.get("LIBCOOP_CONN_MAX_AGE", "60"))
        config["CONN_HEALTH_CHECKS"] = True
    config["TEST"] = {"NAME": None}
    return config
