"""Compile the .po catalogues to .mo with polib (pure Python: no GNU gettext needed).

Run after editing a .po file: ``python tools/messages.py``. The test suite checks that every
.mo is up to date and that the Thai catalogue is complete.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parents[1] / "src" / "libcoop" / "locale"


def compile_all(check: bool = False) -> list[Path]:
    """Compile every catalogue; with *check*, only report the .mo files that are stale."""
    stale = []
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        fresh = polib.pofile(str(po_path)).to_binary()
        if not mo_path.exists() or mo_path.read_bytes() != fresh:
            stale.append(mo_path)
            if not check:
                mo_path.write_bytes(fresh)
    return stale


if __name__ == "__main__":
    changed = compile_all(check="--check" in sys.argv)
    for path in changed:
        print(("stale: " if "--check" in sys.argv else "compiled: ") + str(path))
    sys.exit(1 if changed and "--check" in sys.argv else 0)
