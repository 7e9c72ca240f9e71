"""``libcoop repository search "QUERY" [--json] [--limit N]``: the collection's search as an
anonymous reader sees it (only open text, snippets included).

With ``--json`` one JSON object per line: ``{"id", "title", "snippet", "url"}`` (the snippet
as plain text); without, a readable table. The ``repository`` management command adds this
subcommand with ``add_arguments`` and calls ``run``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import unicodedata
from typing import Any, TextIO

from django.core.management.base import CommandError

from libcoop.repository import search

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help="words to look for (Thai or English)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"at most this many items ({DEFAULT_LIMIT})",
    )


def run(options: dict[str, Any], stdout: TextIO) -> None:
    query = str(options["query"]).strip()
    limit = int(options.get("limit") or DEFAULT_LIMIT)
    if not query:
        raise CommandError("Give the words to search for.")
    if not 1 <= limit <= MAX_LIMIT:
        raise CommandError(f"--limit must be between 1 and {MAX_LIMIT}.")
    result = search.search(query, user=None, per_page=limit, facets=False)
    if options.get("json"):
        for hit in result.hits:
            row = {
                "id": hit.item.pk,
                "title": hit.item.title,
                "snippet": hit.snippet_text,
                "url": f"/repository/{hit.item.pk}/",
            }
            stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if not result.hits:
        stdout.write(f"Nothing found for {query!r}.\n")
        return
    width = max(60, shutil.get_terminal_size((100, 20)).columns)
    id_width = max(len(str(hit.item.pk)) for hit in result.hits)
    for hit in result.hits:
        head = f"{hit.item.pk:>{id_width}}  {hit.item.year}  "
        stdout.write(head + _clip(hit.item.title, width - len(head)) + "\n")
        if hit.snippet_text:
            stdout.write(" " * len(head) + _clip(hit.snippet_text, width - len(head)) + "\n")
    shown = len(result.hits)
    stdout.write(f"{shown} of {result.total} item(s).\n")


def _clip(text: str, width: int) -> str:
    """``text`` cut to about ``width`` columns, never inside a grapheme (Thai marks take no
    column of their own)."""
    text = " ".join(text.split())
    columns = 0
    for i, ch in enumerate(text):
        if unicodedata.combining(ch) or ch == "\u0e33" or unicodedata.category(ch) == "Mn":
            continue
        columns += 1
        if columns > width - 1:
            return text[:i] + "…"
    return text
