"""``libcoop serve``: serve LibCoop with waitress (a production WSGI server in pure Python)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve LibCoop over HTTP (waitress)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from libcoop.wsgi import application

        host, port = options["host"], options["port"]
        self.stdout.write(f"LibCoop serving on http://{host}:{port}/  (Ctrl+C stops)")
        serve(application, host=host, port=port, threads=options["threads"], ident="LibCoop")
