"""LibCoop benchmarks: ``make bench`` (or ``python3 tools/dev.py bench``).

Each benchmark measures LibCoop against a baseline taken in the same run on the same machine,
and writes its figures to ``bench/results/<name>.json``. Benchmarks are never unit tests.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
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


BENCHMARKS = {"registry_pages": bench_registry_pages}


def main() -> None:
    wanted = sys.argv[1:] or list(BENCHMARKS)
    with tempfile.TemporaryDirectory() as home:
        os.environ["LIBCOOP_HOME"] = home
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
        import django

        django.setup()
        RESULTS.mkdir(exist_ok=True)
        for name in wanted:
            result = {"benchmark": name, "machine": machine(), "results": BENCHMARKS[name]()}
            (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
            print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
