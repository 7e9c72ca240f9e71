"""``libcoop harvest CODE [--from DATE] [--full]``, ``libcoop harvest --due`` (for cron) and
``libcoop harvest --register CODE URL [--set S] [--prefix marc21] [--schedule daily]``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from libcoop.interop.harvest.client import parse_datestamp
from libcoop.interop.harvest.service import due_sources, harvest, register_source
from libcoop.interop.models import HarvestRun, HarvestSource, RunStatus, Schedule
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution


class Command(BaseCommand):
    help = "Harvest a member library's OAI-PMH repository into the union catalog."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code", nargs="?", help="institution code, e.g. MFU-LIB")
        parser.add_argument("url", nargs="?", help="with --register: the OAI-PMH base URL")
        parser.add_argument("--register", action="store_true", help="register CODE's source")
        parser.add_argument("--set", default="", help="with --register: setSpec")
        parser.add_argument("--prefix", default="marc21", help="with --register: metadataPrefix")
        parser.add_argument("--schedule", choices=Schedule.values, default=Schedule.DAILY)
        parser.add_argument("--from", dest="from_date", help="YYYY-MM-DD[Thh:mm:ssZ]")
        parser.add_argument("--full", action="store_true", help="ignore the last datestamp")
        parser.add_argument("--due", action="store_true", help="harvest every source due now")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["register"]:
            self._register(options)
        elif options["due"]:
            for source in due_sources():
                self._report(harvest(source, acting_user=SYSTEM))
        elif options["code"]:
            self._harvest(options)
        else:
            raise CommandError("Give a library code, --due, or --register CODE URL.")

    def _library(self, code: str | None) -> Institution:
        try:
            return Institution.objects.get(code=code)
        except Institution.DoesNotExist as exc:
            raise CommandError(f"No institution with code {code!r}") from exc

    def _register(self, options: dict[str, Any]) -> None:
        if not options["url"]:
            raise CommandError("--register needs CODE and URL")
        try:
            source = register_source(
                self._library(options["code"]),
                options["url"],
                acting_user=SYSTEM,
                set_spec=options["set"],
                metadata_prefix=options["prefix"],
                schedule=options["schedule"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Registered {source}")

    def _harvest(self, options: dict[str, Any]) -> None:
        library = self._library(options["code"])
        source = HarvestSource.objects.filter(library=library).first()
        if source is None:
            raise CommandError(f"{library.code} has no harvest source: use --register first.")
        start: dt.datetime | None = None
        if options["from_date"]:
            start = parse_datestamp(options["from_date"])
            if start is None:
                raise CommandError("--from must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")
        try:
            run = harvest(source, acting_user=SYSTEM, from_date=start, full=options["full"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self._report(run)
        if run.status != RunStatus.DONE:
            raise CommandError(f"Harvest {run.status}: {run.message}")

    def _report(self, run: HarvestRun) -> None:
        job = run.import_job
        self.stdout.write(
            f"{run.source.library.code}: {run.status}, {run.pages} pages, "
            f"{run.records_seen} records ({run.deleted_seen} deleted headers), "
            f"{run.retries} retries; added {job.added}, updated {job.updated}, "
            f"unchanged {job.unchanged}, withdrawn {job.deleted}, rejected {job.rejected}"
            + (f"; {run.message}" if run.message else "")
        )
