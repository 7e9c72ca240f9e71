"""The Thai catalogue is complete and compiled."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

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


def test_every_message_in_the_code_is_in_the_thai_catalogue(tmp_path: Path) -> None:
    """Extract the messages afresh (what `make messages` runs, on a copy of the package) and
    check that the catalogue already translates every one: a msgid that was never extracted
    is shown in English to Thai readers, and the completeness test above cannot see it."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed: message extraction")
    copy = tmp_path / "libcoop"
    shutil.copytree(
        ROOT / "src" / "libcoop", copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="libcoop.settings",
        LIBCOOP_HOME=str(tmp_path / "home"),
        PYTHONPATH=str(ROOT / "src"),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "th",
            "--no-location",
            "--ignore",
            "textsearch/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(copy / "locale" / "th" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in fresh.untranslated_entries() if not e.obsolete]
    missing += [e.msgid for e in fresh.fuzzy_entries() if not e.obsolete]
    assert missing == [], "run `make messages`, then translate these"
