"""``libcoop repository stats`` (the usage tables as CSV) and ``libcoop repository robots
[--check FILE]`` (the COUNTER robots list the usage counting uses, ``stats.py``).

``stats [--year Y] [--library CODE] [--type T] [--table months|libraries|types|items]
[--lang th|en]`` prints one table of the statistics page as CSV, for every library or one
(an operator's command: the figures a library reports, e.g. to ThaiLIS, once a year).

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

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import translation

from libcoop.core.years import parse_year
from libcoop.network.models import Institution
from libcoop.repository import stats, stats_views
from libcoop.repository.models import ItemType


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


def add_stats_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", help="a year in B.E. or C.E. (default: the last twelve months)")
    parser.add_argument("--library", metavar="CODE", help="one library (default: all)")
    parser.add_argument("--type", dest="item_type", choices=ItemType.values, help="one type")
    parser.add_argument(
        "--table", choices=stats_views.TABLES, default="months", help="which table (months)"
    )
    parser.add_argument(
        "--lang",
        choices=("th", "en"),
        default="en",
        help="months in B.E. and messages in Thai (th), or C.E. and English (en)",
    )


def run_stats(options: dict[str, Any], stdout: TextIO) -> None:
    """The statistics page's tables as CSV on standard output, for every library or one."""
    lang = options.get("lang") or "en"
    try:
        with translation.override(lang):  # the message in the language asked for
            year = parse_year(options.get("year"), minimum=1900, maximum=9999)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc
    libraries = None
    if options.get("library"):
        library = Institution.objects.filter(code=options["library"]).first()
        if library is None:
            raise CommandError(f"No library with the code {options['library']!r}.")
        libraries = [library.pk]
    start, end = stats_views.period(year)
    table = options.get("table") or "months"
    top = None if table == "items" else 50
    data = stats.report(start, end, libraries, options.get("item_type"), top=top)
    stats_views.write_csv(data, table, lang, stdout)
