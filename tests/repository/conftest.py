"""Fixtures shared by the digital collection's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _repository_store(settings: Any, tmp_path: Path) -> Path:
    """Every test stores its files in a folder of its own, never in the checkout's var/."""
    root = tmp_path / "repository-store"
    settings.STORAGES = {
        **settings.STORAGES,
        "repository": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root
