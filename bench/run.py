"""LibCoop benchmarks: ``make bench`` (or ``python3 tools/dev.py bench``).

Each benchmark measures LibCoop against a baseline taken in the same run on the same machine,
and writes its figures to ``bench/results/<name>.json``. Benchmarks are never unit tests.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 3),
        "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 3),
    }


def bench_registry_pages() -> dict[str, object]:
    """Registry pages against Django's cheapest page (/health) through the same stack."""
    from django.core.management import call_command
    from django.test import Client

    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client()
    for path in ["/health", "/networks/PULINET/", "/institutions/MFU-LIB/"]:
        client.get(path)  # warm caches
    baseline = timed(lambda: client.get("/health"), 300)
    out: dict[str, object] = {"baseline_/health": summary(baseline)}
    for path in ["/networks/PULINET/", "/institutions/MFU-LIB/", "/api/networks/PULINET"]:
        samples = timed(lambda p=path: client.get(p), 100)  # type: ignore[misc]
        out[path] = {
            **summary(samples),
            "ratio_to_baseline_p50": round(
                statistics.median(samples) / statistics.median(baseline), 1
            ),
        }
    return out


INGEST_SIZES = "100000,1000000"


def bench_ingest() -> dict[str, object]:
    """Raw pymarc parsing, the floor (a minimal SQLite write) and the full ingest of the same
    file at each size (memory flatness) on SQLite and on PostgreSQL; then search p95, OAI-PMH
    serving and harvesting on the catalog each ingest made (``bench/ingest.py``). Sizes:
    ``--size N[,N]`` or ``LIBCOOP_BENCH_INGEST_SIZES`` / ``LIBCOOP_BENCH_INGEST_PG_SIZES``
    (empty for none)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import ingest

    def sizes(name: str, default: str) -> list[int]:
        return [int(s) for s in os.environ.get(name, default).split(",") if s.strip()]

    runs = []
    for n in sizes("LIBCOOP_BENCH_INGEST_SIZES", INGEST_SIZES):
        runs.append(ingest.run(n))
    for n in sizes("LIBCOOP_BENCH_INGEST_PG_SIZES", INGEST_SIZES):
        runs.append(ingest.run(n, postgres=True))
    by_size: dict[int, dict[str, object]] = {}
    for r in runs:
        by_size.setdefault(int(r["records"]), {})[str(r["database"]).split()[0]] = r  # type: ignore[call-overload]
    targets = {}
    for n, pair in sorted(by_size.items()):
        lite, pg = pair.get("sqlite"), pair.get("postgresql")
        row: dict[str, object] = {}
        if lite:
            row["sqlite_ratio_to_raw"] = lite["ratio_ingest_to_raw"]  # target >= 0.25
        if lite and pg:
            row["postgresql_to_sqlite"] = round(
                float(pg["ingest_records_per_s"]) / float(lite["ingest_records_per_s"]),  # type: ignore[arg-type]
                3,
            )  # target >= 0.8
        targets[n] = row
    return {"runs": runs, "targets": targets, "load_now": [round(x, 2) for x in os.getloadavg()]}


def bench_dedup() -> dict[str, object]:
    """Pairwise precision / recall / F1 of clustering on the labelled set."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import dedup

    return dedup.evaluate(works=int(os.environ.get("LIBCOOP_BENCH_DEDUP_WORKS", "2400")))


def bench_search() -> dict[str, object]:
    """Search latency p50/p95 at each size, SQLite and PostgreSQL, Thai and English."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import search

    sizes = [
        int(s) for s in os.environ.get("LIBCOOP_BENCH_SEARCH_SIZES", "100000,1000000").split(",")
    ]
    return search.run(sizes)


def bench_ill() -> dict[str, object]:
    """ISO 18626 messages/s and latency through ``libcoop serve`` against its /health floor,
    and rota selection time with 1,000,000 past requests against none; SQLite and PostgreSQL."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import ill

    return ill.run(
        os.environ.get("LIBCOOP_BENCH_ILL_DATABASES", "sqlite,postgresql").split(","),
        seconds=float(os.environ.get("LIBCOOP_BENCH_ILL_SECONDS", "20")),
        history=int(os.environ.get("LIBCOOP_BENCH_ILL_HISTORY", "1000000")),
    )


def bench_harvest() -> dict[str, object]:
    """Harvesting N records from another LibCoop's /oai, against fetching them only."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harvest

    return harvest.run(int(os.environ.get("LIBCOOP_BENCH_HARVEST_RECORDS", "100000")))


def bench_load() -> dict[str, object]:
    """50 locust users on the production server (PostgreSQL), alone and during an import."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import load

    return load.run()


def bench_repository_search() -> dict[str, object]:
    """Digital collection search p50/p95 (anonymous and signed in, full page path and back end
    alone) at LIBCOOP_BENCH_REPO_SEARCH_SIZE items with 20 pages of text each, SQLite and
    PostgreSQL."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import repository_search

    return repository_search.run(
        size=int(os.environ.get("LIBCOOP_BENCH_REPO_SEARCH_SIZE", "100000")),
        pages=int(os.environ.get("LIBCOOP_BENCH_REPO_SEARCH_PAGES", "20")),
        databases=tuple(
            os.environ.get("LIBCOOP_BENCH_REPO_SEARCH_DATABASES", "sqlite,postgresql").split(",")
        ),
    )


def bench_repository_index() -> dict[str, object]:
    """Digital collection full-text indexing in pages/s of Thai text PDFs (extract, normalise,
    index) against pypdfium2's own extraction of the same files, SQLite and PostgreSQL
    (LIBCOOP_BENCH_REPO_INDEX_DOCS documents of LIBCOOP_BENCH_REPO_INDEX_PAGES pages)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import repository_index

    return repository_index.run(
        docs=int(os.environ.get("LIBCOOP_BENCH_REPO_INDEX_DOCS", "10")),
        pages=int(os.environ.get("LIBCOOP_BENCH_REPO_INDEX_PAGES", "20")),
        databases=tuple(
            os.environ.get("LIBCOOP_BENCH_REPO_INDEX_DATABASES", "sqlite,postgresql").split(",")
        ),
    )


BENCHMARKS = {
    "registry_pages": bench_registry_pages,
    "dedup": bench_dedup,
    "ingest": bench_ingest,
    "search": bench_search,
    "ill": bench_ill,
    "harvest": bench_harvest,
    "load": bench_load,
    "repository_search": bench_repository_search,
    "repository_index": bench_repository_index,
}


def main() -> None:
    """Each benchmark runs in a child process with a fresh embedded database of its own."""
    args = sys.argv[1:]
    if "--size" in args:  # bench/run.py --size 100000 [ingest ...]: a quick run
        at = args.index("--size")
        size = args[at + 1]
        del args[at : at + 2]
        for name in (
            "LIBCOOP_BENCH_INGEST_SIZES",
            "LIBCOOP_BENCH_INGEST_PG_SIZES",
            "LIBCOOP_BENCH_SEARCH_SIZES",
        ):
            os.environ[name] = size
        os.environ["LIBCOOP_BENCH_HARVEST_RECORDS"] = size.split(",")[0]
    wanted = args or list(BENCHMARKS)
    unknown = set(wanted) - set(BENCHMARKS)
    if unknown:
        sys.exit(
            f"unknown benchmark(s): {', '.join(sorted(unknown))}; have {', '.join(BENCHMARKS)}"
        )
    if os.environ.get("LIBCOOP_BENCH_CHILD") == "1":
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
        django.setup()
        for name in wanted:
            result = {"benchmark": name, "machine": machine(), "results": BENCHMARKS[name]()}
            RESULTS.mkdir(exist_ok=True)
            text = json.dumps(result, indent=2, ensure_ascii=False)
            (RESULTS / f"{name}.json").write_text(text + "\n", encoding="utf-8")
            print(text, flush=True)
        return
    for name in wanted:
        with tempfile.TemporaryDirectory() as home:
            env = dict(os.environ, LIBCOOP_HOME=home, LIBCOOP_BENCH_CHILD="1")
            subprocess.run([sys.executable, __file__, name], env=env, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
