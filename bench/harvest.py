"""Harvest throughput: LibCoop harvesting N records from another LibCoop's /oai.

Instance A (its own embedded database) imports a generated file of N records and serves it
with ``libcoop serve``; instance B (a second database) harvests A's set ``library:BENCH-A``
with ``libcoop.interop.harvest``. The baseline, in the same run, is fetching the same pages
with ``sickle`` without ingesting them. Run through ``bench/run.py harvest``.

``serve(sizes)`` measures the provider alone at several catalog sizes: a catalog of N works
from ``catalog_fill`` (its fast fill: the import's own writes and cluster refresh, clusters
known from the generator), served by ``libcoop serve``; the serving rate is records per second
of ``ListRecords`` (``marc21``) pages fetched with ``sickle`` from the start of the list and
from its last tenth (by ``from``), each bounded to ``LIBCOOP_BENCH_SERVE_RECORDS`` records;
the first page (which counts ``completeListSize``) is timed on its own. Then, on the smallest
size, the whole catalog is harvested into a second instance.
(``python bench/harvest.py serve 10000,100000``.)
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _django(home: str) -> dict[str, str]:
    env = dict(os.environ, LIBCOOP_HOME=home, DJANGO_SETTINGS_MODULE="libcoop.settings")
    env.pop("LIBCOOP_DATABASE_URL", None)
    return env


def fill(path: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from libcoop.catalog.ingest import import_file
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.models import Institution, InstitutionKind

    call_command("migrate", verbosity=0)
    a, _ = Institution.objects.get_or_create(
        code="BENCH-A", defaults={"kind": InstitutionKind.UNIVERSITY_LIBRARY, "name_en": "A"}
    )
    import_file(path, a, acting_user=SYSTEM)


def fetch_only(
    url: str, limit: int = 0, set_spec: str | None = "library:BENCH-A"
) -> dict[str, float]:
    from sickle import Sickle

    args = {"metadataPrefix": "marc21"}
    if set_spec:
        args["set"] = set_spec
    start = time.perf_counter()
    n = 0
    for _ in Sickle(url, timeout=600).ListRecords(**args):
        n += 1
        if limit and n >= limit:
            break
    return {"records": n, "seconds": time.perf_counter() - start}


def fast_fill(works: int) -> dict[str, float]:
    """A catalog of *works* works from ``catalog_fill`` (in this process's LIBCOOP_HOME)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    sys.path.insert(0, str(HERE))
    import catalog_fill

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        paths, records = catalog_fill.write_files(works, Path(folder))
        generated = time.perf_counter() - start
        start = time.perf_counter()
        catalog_fill.fast_fill(paths, works)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"records": records, "generate_s": generated, "fill_s": time.perf_counter() - start}


def serve_pages(url: str, limit: int) -> dict[str, Any]:
    """Rates from the start of the list and from its last tenth, and the first page alone."""
    import urllib.request

    import django

    django.setup()
    from libcoop.catalog.models import Cluster

    stamps = list(Cluster.objects.order_by("updated", "id").values_list("updated", flat=True))
    late = stamps[len(stamps) * 9 // 10].strftime("%Y-%m-%dT%H:%M:%SZ")
    start = time.perf_counter()
    with urllib.request.urlopen(f"{url}?verb=ListRecords&metadataPrefix=marc21") as r:  # noqa: S310
        r.read()
    first_page = time.perf_counter() - start
    head = fetch_only(url, limit, None)
    tail = _from(url, late, limit)
    return {
        "clusters": len(stamps),
        "first_page_s": round(first_page, 3),
        "start_rec_per_s": round(head["records"] / head["seconds"]),
        "start_records": head["records"],
        "last_tenth_rec_per_s": round(tail["records"] / tail["seconds"]),
        "last_tenth_records": tail["records"],
    }


def _from(url: str, start_at: str, limit: int) -> dict[str, float]:
    from sickle import Sickle

    start = time.perf_counter()
    n = 0
    for _ in Sickle(url, timeout=600).ListRecords(metadataPrefix="marc21", **{"from": start_at}):
        n += 1
        if limit and n >= limit:
            break
    return {"records": n, "seconds": time.perf_counter() - start}


def harvest_into_b(
    url: str, set_spec: str | None = "library:BENCH-A", from_date: Any = None
) -> dict[str, float]:
    import django

    django.setup()
    from django.core.management import call_command

    from libcoop.interop.harvest.service import harvest, register_source
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.models import Institution, InstitutionKind

    call_command("migrate", verbosity=0)
    b, _ = Institution.objects.get_or_create(
        code="BENCH-B", defaults={"kind": InstitutionKind.UNIVERSITY_LIBRARY, "name_en": "B"}
    )
    source = register_source(b, url, acting_user=SYSTEM, set_spec=set_spec or "")
    start = time.perf_counter()
    run = harvest(source, acting_user=SYSTEM, from_date=from_date)
    seconds = time.perf_counter() - start
    return {"records": run.records_seen, "status": run.status, "seconds": seconds}  # type: ignore[dict-item]


def run(count: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    import ingest

    with tempfile.TemporaryDirectory() as tmp:
        home_a, home_b = Path(tmp) / "a", Path(tmp) / "b"
        home_a.mkdir()
        home_b.mkdir()
        path = Path(tmp) / "a.mrc"
        ingest.make_file(path, count, seed=3)
        py = sys.executable
        subprocess.run([py, __file__, "fill", str(path)], env=_django(str(home_a)), check=True)  # noqa: S603
        port = _free_port()
        libcoop = str(Path(py).with_name("libcoop"))
        server = subprocess.Popen(  # noqa: S603
            [libcoop, "serve", "--port", str(port), "--threads", "4"],
            env=_django(str(home_a)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/oai"
            for _ in range(100):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.2)
            out = {}
            for phase in ("fetch", "harvest"):
                res = subprocess.run(  # noqa: S603
                    [py, __file__, phase, url],
                    env=_django(str(home_b)),
                    check=True,
                    capture_output=True,
                    text=True,
                )
                out[phase] = json.loads(res.stdout.strip().splitlines()[-1])
        finally:
            server.terminate()
            server.wait(timeout=30)
    fetch, harvested = out["fetch"], out["harvest"]
    return {
        "records": count,
        "harvest_status": harvested["status"],
        "harvested": harvested["records"],
        "oai_fetch_only_records_per_s": round(fetch["records"] / fetch["seconds"]),
        "harvest_records_per_s": round(harvested["records"] / harvested["seconds"]),
        "ratio_harvest_to_fetch": round(
            (harvested["records"] / harvested["seconds"]) / (fetch["records"] / fetch["seconds"]), 3
        ),
    }


def _serving(home: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    libcoop = str(Path(sys.executable).with_name("libcoop"))
    server = subprocess.Popen(  # noqa: S603
        [libcoop, "serve", "--port", str(port), "--threads", "4"],
        env=env or _django(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    return server, f"http://127.0.0.1:{port}/oai"


def _phase(home: str, *args: str) -> dict[str, Any]:
    res = subprocess.run(  # noqa: S603
        [sys.executable, __file__, *args],
        env=_django(home),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def serve(sizes: list[int], limit: int, harvest_size: int | None = None) -> dict[str, Any]:
    """Serving rates at each catalog size (works); the whole harvest into B at one size."""
    out: dict[str, Any] = {"load_before": [round(x, 2) for x in os.getloadavg()], "runs": []}
    for works in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            home_a, home_b = Path(tmp) / "a", Path(tmp) / "b"
            home_a.mkdir()
            home_b.mkdir()
            result: dict[str, Any] = {"works": works, **_phase(str(home_a), "fastfill", str(works))}
            server, url = _serving(str(home_a))
            try:
                result.update(_phase(str(home_a), "pages", url, str(limit)))
                if works == harvest_size:
                    fetched = _phase(str(home_b), "fetchall", url)
                    result["fetch_all_rec_per_s"] = round(fetched["records"] / fetched["seconds"])
                    harvested = _phase(str(home_b), "harvestall", url)
                    result["harvested"] = harvested["records"]
                    result["harvest_status"] = harvested["status"]
                    result["harvest_rec_per_s"] = round(harvested["records"] / harvested["seconds"])
            finally:
                server.terminate()
                server.wait(timeout=30)
            print(json.dumps(result), file=sys.stderr, flush=True)
            out["runs"].append(result)
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


if __name__ == "__main__":
    phase, arg = sys.argv[1], sys.argv[2]
    if phase == "fill":
        fill(arg)
    elif phase == "fastfill":
        print(json.dumps(fast_fill(int(arg))))
    elif phase == "pages":
        print(json.dumps(serve_pages(arg, int(sys.argv[3]))))
    elif phase == "fetchall":
        print(json.dumps(fetch_only(arg, 0, None)))
    elif phase == "harvestall":
        print(json.dumps(harvest_into_b(arg, None)))
    elif phase == "serve":
        sizes = [int(n) for n in arg.split(",")]
        limit = int(os.environ.get("LIBCOOP_BENCH_SERVE_RECORDS", "3000"))
        harvest_size = int(os.environ.get("LIBCOOP_BENCH_HARVEST_WORKS", str(sizes[0])))
        print(json.dumps(serve(sizes, limit, harvest_size or None)))
    elif phase == "fetch":
        print(json.dumps(fetch_only(arg)))
    elif phase == "harvest":
        print(json.dumps(harvest_into_b(arg)))
