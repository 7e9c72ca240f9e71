"""Libraries importing the same works at the same time, each in its own process, on a database
of the test's own (a SQLite file, or a new PostgreSQL database beside the test database): one
cluster per work, holding every library, with its counts right (``bulk.lock_catalog_writes``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from libcoop.catalog.demo.works import isbn13_check
from tests.catalog.marcdata import book, write

pytestmark = pytest.mark.django_db
LIBRARIES = 3
WORKS = 240
ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import os, sys
import django
django.setup()
from django.core.management import call_command
from libcoop.network.models import Institution, InstitutionKind
if sys.argv[1] == "setup":
    call_command("migrate", verbosity=0)
    for i in range(int(sys.argv[2])):
        Institution.objects.create(
            code=f"CC-{i}", kind=InstitutionKind.UNIVERSITY_LIBRARY, name_en=f"Library {i}"
        )
elif sys.argv[1] == "import":
    from libcoop.catalog.ingest import import_file
    from libcoop.network.abilities import SYSTEM
    library = Institution.objects.get(code=f"CC-{sys.argv[2]}")
    job = import_file(sys.argv[3], library, acting_user=SYSTEM, batch_size=20, parallel=False)
    print(job.status, job.added)
else:
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN library_count = %s THEN 1 ELSE 0 END), 0)"
            " FROM catalog_cluster WHERE active",
            [int(sys.argv[2])],
        )
        clusters, full = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*) FROM catalog_cluster c WHERE active AND record_count <>"
            " (SELECT COUNT(*) FROM catalog_bibrecord r WHERE r.cluster_id = c.id AND r.active)"
        )
        stale = cursor.fetchone()[0]
    print(clusters, full, stale)
"""


def _own_database(tmp_path: Path) -> tuple[str, Any]:
    """A database URL of the test's own, and how to drop it afterwards."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'concurrent.sqlite3'}", lambda: None
    import psycopg

    sd = connection.settings_dict
    host, port, user = sd.get("HOST") or "127.0.0.1", sd.get("PORT") or 5432, sd.get("USER")
    password = sd.get("PASSWORD") or ""
    name = f"lc_concurrent_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(
        host=host, port=port, user=user, password=password, dbname=sd["NAME"], autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    credentials = f"{user}:{password}@" if password else f"{user}@"

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return f"postgresql://{credentials}{host}:{port}/{name}", drop


def test_libraries_importing_the_same_works_at_once_make_one_cluster_each(
    tmp_path: Path,
) -> None:
    url, drop = _own_database(tmp_path)
    env = dict(
        os.environ,
        LIBCOOP_DATABASE_URL=url,
        LIBCOOP_HOME=str(tmp_path),
        LIBCOOP_CONN_MAX_AGE="0",
        DJANGO_SETTINGS_MODULE="libcoop.settings",
        PYTHONPATH=str(ROOT / "src"),
    )

    def child(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", CHILD, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(process: subprocess.Popen[str]) -> str:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        return out.strip()

    try:
        finish(child("setup", str(LIBRARIES)))
        files = []
        isbns = [(body := f"978616{n:06d}") + isbn13_check(body) for n in range(WORKS)]
        for lib in range(LIBRARIES):
            records = [
                book(f"L{lib}-{n:04d}", f"Green library practice {n}", isbn=isbns[n])
                for n in range(WORKS)
            ]
            files.append(write(tmp_path / f"lib{lib}.mrc", *records))
        imports = [child("import", str(lib), str(path)) for lib, path in enumerate(files)]
        assert [finish(p) for p in imports] == [f"done {WORKS}"] * LIBRARIES
        clusters, full, stale = map(int, finish(child("check", str(LIBRARIES))).split())
    finally:
        drop()
    assert (clusters, full, stale) == (WORKS, WORKS, 0)
