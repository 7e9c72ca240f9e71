"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from libcoop import __version__
from libcoop.network.abilities import profile_of


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "libcoop_version": __version__,
        "staff_profile": profile_of(request.user) if hasattr(request, "user") else None,
    }
