"""The ``libcoop`` console script: Django's management commands under one name.

``libcoop serve``, ``libcoop migrate``, ``libcoop demo`` and the domain commands are all
management commands; this wrapper points Django at LibCoop's settings, and first makes sure it
runs in a LibCoop home: ``LIBCOOP_HOME``, else the current folder when it holds an instance
(``var/``) or is LibCoop's source checkout. Anywhere else it stops with a clear message
instead of starting a new, empty database under ``./var/``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path


def home_problem(cwd: Path, environ: Mapping[str, str]) -> str | None:
    """Why *cwd* cannot be LibCoop's home, or None when it can (or LIBCOOP_HOME names one)."""
    if environ.get("LIBCOOP_HOME"):
        return None  # named on purpose: an existing home, or a new one to start
    if (cwd / "var").is_dir():
        return None  # an instance: its database, secret key and files
    if (cwd / "pyproject.toml").is_file() and (cwd / "src" / "libcoop").is_dir():
        return None  # the source checkout (README: the demo runs from it)
    return (
        f"libcoop: {cwd} is not a LibCoop home (there is no var/ folder here).\n"
        "Run libcoop from the folder that holds var/, or set LIBCOOP_HOME to it, e.g.\n"
        "  LIBCOOP_HOME=/srv/libcoop libcoop serve\n"
        "To start a new LibCoop, set LIBCOOP_HOME to a new folder: libcoop migrate creates\n"
        "its database there."
    )


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    # Even `libcoop help` loads the settings, which make var/ (the secret key): so every
    # command waits for a home.
    problem = home_problem(Path.cwd(), os.environ)
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["libcoop", *args])


if __name__ == "__main__":
    main()
