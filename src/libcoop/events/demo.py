"""Demo data of events (loaded by ``libcoop demo``)."""

from __future__ import annotations


def load_demo() -> str:
    """Load this app's demo data idempotently; return a one-line summary."""
    return ""
