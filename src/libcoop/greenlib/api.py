"""JSON API of green-library assessment."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["greenlib"])
