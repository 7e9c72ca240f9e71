"""``libcoop repository …``: the digital collection from the command line.

Each subcommand lives in a module of its own with ``add_arguments(parser)`` and
``run(options, stdout)``; the table below names them (a helper adding a subcommand adds a
row). Operator commands act as ``SYSTEM``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand

# name → (help, module, add_arguments function, run function)
SUBCOMMANDS: dict[str, tuple[str, str, str, str]] = {
    "deposit": (
        "deposit one item (metadata JSON and files); prints its id",
        "libcoop.repository.deposit_cli",
        "add_deposit_arguments",
        "run_deposit",
    ),
    "import": (
        "deposit the rows of a CSV file with a folder of files; prints the per-row report",
        "libcoop.repository.deposit_cli",
        "add_import_arguments",
        "run_import",
    ),
    "fixity": (
        "re-hash every stored file; report the changed and missing ones (exit status 1)",
        "libcoop.repository.fixity",
        "add_fixity_arguments",
        "run_fixity",
    ),
    "process": (
        "queue the text, OCR and thumbnail of files not finished (or --file ID, --all) again",
        "libcoop.repository.tasks",
        "add_process_arguments",
        "run_process",
    ),
    "search": (
        "search the collection as an anonymous reader (--json: one object per line)",
        "libcoop.repository.search_cli",
        "add_arguments",
        "run",
    ),
    "stats": (
        "views and downloads (COUNTER rules) as CSV: --table months|libraries|types|items",
        "libcoop.repository.stats_cli",
        "add_stats_arguments",
        "run_stats",
    ),
    "robots": (
        "the COUNTER robots list of the usage statistics (--check FILE: a new list)",
        "libcoop.repository.stats_cli",
        "add_robots_arguments",
        "run_robots",
    ),
}


class Command(BaseCommand):
    help = "The digital collection: " + ", ".join(SUBCOMMANDS) + "."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, (text, module, add, _run) in SUBCOMMANDS.items():
            getattr(import_module(module), add)(sub.add_parser(name, help=text))

    def handle(self, *args: Any, **options: Any) -> None:
        _text, module, _add, run = SUBCOMMANDS[options["subcommand"]]
        getattr(import_module(module), run)(options, self.stdout)
