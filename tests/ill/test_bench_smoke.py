"""The interlibrary-loan benchmarks (``bench/ill.py``) run end to end at tiny sizes: the
ISO 18626 load against a real ``libcoop serve`` gets only OK confirmations and every accepted
request is a row, and the proposed rota statistics give the same rota as the code's own."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _ill() -> object:
    sys.path.insert(0, str(BENCH))
    import ill

    return ill


def test_iso18626_throughput_at_a_tiny_size() -> None:
    ill = _ill()
    result = ill.throughput_on("sqlite", clients=2, seconds=1, warmup=0.5)  # type: ignore[attr-defined]
    for phase in ("health_floor", "iso18626"):
        assert result[phase]["ok"] > 0
        assert result[phase]["refused"] == result[phase]["http_errors"] == 0
    assert set(result["iso18626"]["kinds"]) <= {"request", "status", "note"}
    assert result["supply_rows_after"] == result["supply_rows_expected"]


def test_rota_with_a_small_history() -> None:
    ill = _ill()
    (run,) = ill.rota_bench(["sqlite"], history=2000, repeat=3, budget=1)  # type: ignore[attr-defined]
    assert run["history"]["supply_requests"] == 2000
    assert run["lenders_in_rota"] == ill.HOLDERS - 3  # type: ignore[attr-defined]
    assert run["proposed_in_sql"]["same_figures"] is True
    assert run["proposed_in_sql_and_index"]["same_figures"] is True
