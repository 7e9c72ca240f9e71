"""Rows of the ability table (``network.abilities``) for network events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ABILITIES: dict[str, Callable[[Any, Any], bool]] = {}
