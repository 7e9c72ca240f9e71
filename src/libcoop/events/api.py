"""JSON API of network events."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["events"])
