"""The ``libcoop`` console script: Django's management commands under one name.

``libcoop serve``, ``libcoop migrate``, ``libcoop demo`` and the domain commands are all
management commands; this wrapper only points Django at LibCoop's settings.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["libcoop", *args])


if __name__ == "__main__":
    main()
