"""The Thai catalogue is complete and compiled."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "src" / "libcoop" / "locale" / "th" / "LC_MESSAGES" / "django.po"


def test_thai_catalogue_is_complete() -> None:
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()] + [
        e.msgid for e in po.fuzzy_entries()
    ]
    assert untranslated == []


def test_compiled_catalogue_is_up_to_date() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import messages
    finally:
        sys.path.pop(0)
    assert messages.compile_all(check=True) == [], "run: python tools/messages.py"
