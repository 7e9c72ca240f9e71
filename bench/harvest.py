"""Harvest throughput: LibCoop harvesting N records from another LibCoop's /oai.

Instance A (its own embedded database) imports a generated file of N records and serves it
with ``libcoop serve``; instance B (a second database) harvests A's set ``library:BENCH-A``
with ``libcoop.interop.harvest``. The baseline, in the same run, is fetching the same pages
with ``sickle`` without ingesting them. Run through ``bench/run.py harvest``.
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


def fetch_only(url: str) -> dict[str, float]:
    from sickle import Sickle

    start = time.perf_counter()
    n = sum(1 for _ in Sickle(url).ListRecords(metadataPrefix="marc21", set="library:BENCH-A"))
    return {"records": n, "seconds": time.perf_counter() - start}


def harvest_into_b(url: str) -> dict[str, float]:
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
    source = register_source(b, url, acting_user=SYSTEM, set_spec="library:BENCH-A")
    start = time.perf_counter()
    run = harvest(source, acting_user=SYSTEM)
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


if __name__ == "__main__":
    phase, arg = sys.argv[1], sys.argv[2]
    if phase == "fill":
        fill(arg)
    elif phase == "fetch":
        print(json.dumps(fetch_only(arg)))
    elif phase == "harvest":
        print(json.dumps(harvest_into_b(arg)))
