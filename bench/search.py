"""Search latency of the union catalog at 100,000 and 1,000,000 clusters, on SQLite and on
PostgreSQL, for Thai and English queries.

The database is filled through the fast path (cluster rows by ``executemany``, search
documents through the back end's own ``index``), since this measures searching, not
ingest. Each query is timed through ``catalog.search.search`` (the page's and the CLI's
path: back end ranking plus the SQL filters and facets) and through the back end alone.
Run through ``bench/run.py search`` (sizes: ``LIBCOOP_BENCH_SEARCH_SIZES``).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

QUERIES = {
    "thai_common": ["การจัดการ", "ห้องสมุด", "ประเทศไทย"],
    "thai_specific": ["สิ่งแวดล้อม", "พลังงานทดแทน", "ล้านนา ภูมิปัญญา"],
    "thai_short": ["น้ำ", "ป่า"],
    "english_common": ["thailand", "management", "introduction"],
    "english_specific": ["environmental policy", "library cooperation", "agroforestry"],
}


def _titles(n: int, seed: int) -> list[tuple[str, str, int, str]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ingest import WORDS_EN, WORDS_TH

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            title = "".join(rng.choice(WORDS_TH) for _ in range(rng.randint(2, 5)))
            out.append((title, f"ผู้แต่ง{rng.randint(1, 20000)}", rng.randint(1980, 2024), "tha"))
        else:
            title = " ".join(rng.choice(WORDS_EN) for _ in range(rng.randint(2, 6))).capitalize()
            out.append(
                (title, f"Author{rng.randint(1, 20000)}, A.", rng.randint(1980, 2024), "eng")
            )
    return out


def populate(n: int, seed: int = 7) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from libcoop.catalog.models import Cluster
    from libcoop.core.bulk import fast_insert
    from libcoop.textsearch.backends import SearchDocument, backend_for

    backend = backend_for(connection)
    start = time.perf_counter()
    rows = _titles(n, seed)
    now = timezone.now()
    chunk = 5000
    for base in range(0, n, chunk):
        part = rows[base : base + chunk]
        with transaction.atomic():
            clusters = [
                Cluster(
                    title=t,
                    title_sort=t.casefold()[:300],
                    author=a,
                    year=y,
                    format="book",
                    language=lang,
                    record_count=1,
                    library_count=1,
                    created=now,
                    updated=now,
                )
                for t, a, y, lang in part
            ]
            fast_insert(clusters)
            ids = list(Cluster.objects.order_by("-id").values_list("id", flat=True)[: len(part)])[
                ::-1
            ]
            backend.index(
                SearchDocument(doc_id=i, title=t, author=a)
                for i, (t, a, _y, _lang) in zip(ids, part, strict=True)
            )
    return time.perf_counter() - start


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
    }


def measure(repeat: int = 20) -> dict[str, Any]:
    from django.db import connection

    from libcoop.catalog.search import search
    from libcoop.textsearch.backends import backend_for

    backend = backend_for(connection)
    out: dict[str, Any] = {}
    all_full: list[float] = []
    for kind, queries in QUERIES.items():
        full: list[float] = []
        engine: list[float] = []
        hits = []
        for q in queries:
            search(q)  # warm
            for _ in range(repeat):
                t = time.perf_counter()
                result = search(q)
                full.append(time.perf_counter() - t)
                t = time.perf_counter()
                backend.search(q, limit=20)
                engine.append(time.perf_counter() - t)
            hits.append(result.total)
        all_full += full
        out[kind] = {
            "search_page_path": _summary(full),
            "backend_top20": _summary(engine),
            "hits_capped": hits,
        }
    out["all_queries"] = _summary(all_full)
    return out


def child(n: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    seconds = populate(n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "clusters": n,
        "database": connection.vendor,
        "fill_seconds": round(seconds),
        **measure(),
    }


def run(sizes: list[int]) -> list[dict[str, Any]]:
    """One child process per size and database, each on a database of its own."""
    import tempfile

    results = []
    pg_admin = os.environ.get("LIBCOOP_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    for n in sizes:
        for vendor in ("sqlite", "postgresql"):
            with tempfile.TemporaryDirectory() as home:
                env = dict(os.environ, LIBCOOP_HOME=home, LIBCOOP_CONN_MAX_AGE="0")
                env.pop("LIBCOOP_DATABASE_URL", None)
                if vendor == "postgresql":
                    try:
                        import psycopg

                        name = f"libcoop_bench_{n}"
                        with psycopg.connect(pg_admin, autocommit=True) as conn:
                            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                            conn.execute(f'CREATE DATABASE "{name}"')
                    except Exception as exc:  # no server: say so in the results
                        results.append({"clusters": n, "database": vendor, "skipped": str(exc)})
                        continue
                    env["LIBCOOP_DATABASE_URL"] = pg_admin.rsplit("/", 1)[0] + f"/{name}"
                out = subprocess.run(  # noqa: S603 - our own interpreter and script
                    [sys.executable, __file__, str(n)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    return results


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]))))
