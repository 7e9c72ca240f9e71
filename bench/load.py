"""Load: 50 concurrent users on the production server, with and without an import going on.

A fresh PostgreSQL database (``pgdb``) gets the full demo (``libcoop demo``: the registry,
events, knowledge, outreach, green-library data and the demo union catalog of ~3,500
records); ``libcoop serve`` (waitress, 8 threads, as deployed) serves it on a free port of
127.0.0.1. Locust (headless, ``bench/locustfile.py``) runs 50 users who browse the public
pages and search the catalog in Thai and English, each waiting 0.5-2 s between clicks:

- phase ``browse``: the users alone, ``LIBCOOP_BENCH_LOAD_SECONDS`` (default 60) seconds;
- phase ``browse_during_import``: the same, while ``libcoop catalog import`` loads a member's
  generated file (``LIBCOOP_BENCH_LOAD_IMPORT``, default 60,000 records) in its own process,
  at the server's priority;
- phase ``browse_during_niced_import``: the same with another member's file, the import at
  ``nice 10`` (as ``docs/operations.md`` advises for workers beside the web server).

Each phase reports requests per second, p50/p95/p99 (ms) and failures, overall and per kind
(pages, Thai search, English search), from locust's own statistics; the import's duration
and rate. Everything runs on this machine: the server, PostgreSQL, the import and locust
share its cores, and all traffic goes to 127.0.0.1. Run through ``bench/run.py load``.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pgdb

HERE = Path(__file__).resolve().parent
PG_NAME = "libcoop_bench_load"
USERS = 50
SEARCH = ("search (Thai)", "search (English)")


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/", timeout=5):  # noqa: S310 - 127.0.0.1 only
                return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.5)


def _cluster_ids(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup();"
        "from libcoop.catalog.models import Cluster;"
        "print(','.join(str(pk) for pk in Cluster.objects.filter(active=True)"
        ".order_by('pk').values_list('pk', flat=True)[:400:4]))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def _row(row: dict[str, str], seconds: float) -> dict[str, Any]:
    count = int(row["Request Count"])
    return {
        "requests": count,
        "failures": int(row["Failure Count"]),
        "rps": round(count / seconds, 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "mean_ms": round(float(row["Average Response Time"]), 1),
    }


def _locust(url: str, seconds: int, prefix: Path, env: dict[str, str]) -> dict[str, Any]:
    """One headless locust run of *seconds*; its statistics by kind of request."""
    command = [_bin("locust"), "-f", str(HERE / "locustfile.py"), "--headless"]
    command += ["--users", str(USERS), "--spawn-rate", "25", "--run-time", f"{seconds}s"]
    command += ["--host", url, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
    command += ["--stop-timeout", "5", "--exit-code-on-error", "0"]
    started = time.monotonic()
    subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    elapsed = time.monotonic() - started
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as fh:
        rows = {row["Name"]: row for row in csv.DictReader(fh)}
    # Requests per second over the measured time (locust's own run time, spawn included).
    measured = float(seconds)
    total = rows.pop("Aggregated")
    out: dict[str, Any] = {"all": _row(total, measured), "wall_s": round(elapsed, 1)}
    out["search"] = _merge([rows[n] for n in SEARCH if n in rows], measured)
    out["pages"] = _merge([r for n, r in rows.items() if n not in SEARCH], measured)
    for name in SEARCH:
        if name in rows:
            out[name] = _row(rows[name], measured)
    out["by_name"] = {name: _row(row, measured) for name, row in sorted(rows.items())}
    return out


def _merge(rows: list[dict[str, str]], seconds: float) -> dict[str, Any]:
    """Requests, failures and rate of several rows; percentiles as the worst row's (locust's
    CSV has no pooled percentile), with the request-weighted mean."""
    count = sum(int(r["Request Count"]) for r in rows)
    if not count:
        return {"requests": 0}
    return {
        "requests": count,
        "failures": sum(int(r["Failure Count"]) for r in rows),
        "rps": round(count / seconds, 1),
        "mean_ms": round(
            sum(float(r["Average Response Time"]) * int(r["Request Count"]) for r in rows) / count,
            1,
        ),
        "p50_ms_worst": max(float(r["50%"]) for r in rows),
        "p95_ms_worst": max(float(r["95%"]) for r in rows),
        "p99_ms_worst": max(float(r["99%"]) for r in rows),
    }


def _with_import(
    url: str,
    seconds: int,
    tmp: Path,
    env: dict[str, str],
    member_file: Path,
    records: int,
    library: str,
    nice: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A locust phase while ``libcoop catalog import`` (at *nice*, 0 = the server's priority)
    loads *member_file* for *library*: (the phase's figures, the import's)."""
    log_path = tmp / f"import-{library}.log"
    with log_path.open("w") as log:
        command = [_bin("libcoop"), "catalog", "import", str(member_file), "--library", library]
        importer = subprocess.Popen(  # noqa: S603
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            preexec_fn=lambda: os.nice(nice),
        )
        import_started = time.monotonic()
        finished: list[float] = []

        def watch() -> None:
            importer.wait()
            finished.append(time.monotonic())

        watcher = threading.Thread(target=watch)
        watcher.start()
        figures = _locust(url, seconds, tmp / f"during-{library}", env)
        phase_s = time.monotonic() - import_started
        finished_in_phase = bool(finished)
        watcher.join()
    import_s = finished[0] - import_started
    return figures, {
        "records": records,
        "library": library,
        "nice": nice,
        "seconds": round(import_s, 1),
        "records_per_s": round(records / import_s, 1),
        "ran_the_whole_phase": not finished_in_phase,
        "phase_s": round(phase_s, 1),
        "exit": importer.returncode,
        "stderr_tail": log_path.read_text(errors="replace")[-500:],
    }


def run() -> dict[str, Any]:
    seconds = int(os.environ.get("LIBCOOP_BENCH_LOAD_SECONDS", "60"))
    records = int(os.environ.get("LIBCOOP_BENCH_LOAD_IMPORT", "60000"))
    out: dict[str, Any] = {
        "users": USERS,
        "seconds_per_phase": seconds,
        "server": "libcoop serve (waitress, 8 threads)",
        "database": "PostgreSQL",
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            LIBCOOP_HOME=tmp,
            LIBCOOP_DATABASE_URL=pgdb.create(PG_NAME),
            LIBCOOP_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SETTINGS_MODULE="libcoop.settings",
        )
        server = None
        try:
            started = time.monotonic()
            subprocess.run([_bin("libcoop"), "demo"], env=env, capture_output=True, check=True)  # noqa: S603
            out["demo_load_s"] = round(time.monotonic() - started, 1)
            import ingest  # beside this file

            env["LIBCOOP_LOAD_CLUSTERS"] = _cluster_ids(env)
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            log = (Path(tmp) / "serve.log").open("w")
            server = subprocess.Popen(  # noqa: S603
                [_bin("libcoop"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            _wait_until_up(url, server)
            out["browse"] = _locust(url, seconds, Path(tmp) / "browse", env)
            for phase, library, nice, seed in (
                ("browse_during_import", "KKU-LIB", 0, 7),
                ("browse_during_niced_import", "MSU-LIB", 10, 8),
            ):
                member_file = Path(tmp) / f"{library}.mrc"
                ingest.make_file(member_file, records, seed=seed)
                out[phase], out[phase.replace("browse_during", "import")] = _with_import(
                    url, seconds, Path(tmp), env, member_file, records, library, nice
                )
            log.close()
            out["server_errors"] = sum(
                1
                for line in (Path(tmp) / "serve.log").read_text(errors="replace").splitlines()
                if line.startswith("Internal Server Error")
            )
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            pgdb.drop(PG_NAME)
    before = out["browse"]["search"].get("p95_ms_worst") or 0
    for phase in ("browse_during_import", "browse_during_niced_import"):
        during = out[phase]["search"].get("p95_ms_worst") or 0
        out[f"search_p95_ratio_{phase}"] = round(during / before, 2) if before else None
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return out
