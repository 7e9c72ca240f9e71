"""``libcoop repository robots [--check FILE]``: the COUNTER robots list the usage counting
uses (``stats.py``).

Without ``--check`` it names the list in use (``LIBCOOP_COUNTER_ROBOTS`` or the copy bundled in
``repository/data/counter_robots.json``) and how many patterns it has. With ``--check FILE``
it reads a new list (``COUNTER_Robots_list.json`` from Project COUNTER's COUNTER-Robots
repository) the same way and says whether every pattern compiles, before it replaces the
bundled copy or is named by ``LIBCOOP_COUNTER_ROBOTS`` (``docs/repository.md``, Statistics).
Exit status 1 when the list cannot be used.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandError

from libcoop.repository import stats


def add_robots_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check", metavar="FILE", help="check a new COUNTER robots list (JSON) before using it"
    )


def run_robots(options: dict[str, Any], stdout: TextIO) -> None:
    path = Path(options["check"]) if options.get("check") else stats.robots_file()
    try:
        patterns = stats.robot_patterns(path)
    except FileNotFoundError as exc:
        raise CommandError(f"{path}: no such file") from exc
    except ValueError as exc:  # includes a JSON syntax error
        raise CommandError(str(exc)) from exc
    state = "checked" if options.get("check") else "in use"
    stdout.write(f"{path}: {len(patterns)} robot patterns, all compile ({state})\n")
