"""JSON API of outreach programmes."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["outreach"])
