"""Former home of the demo staff accounts, now ``libcoop.network.demo`` (they are network
staff profiles). Kept only so that code not yet moved keeps importing; new code imports
from ``libcoop.network.demo``."""

from __future__ import annotations

from libcoop.network.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "ensure_demo_accounts"]
