"""``libcoop catalog import|deletes|clusters|export|search|reindex|rematch|sweep-uploads`` —
the union catalog CLI."""

from __future__ import annotations

import csv
import json
import math
import sys
import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from libcoop.catalog import attention, index
from libcoop.catalog.export import export
from libcoop.catalog.ingest import import_deletes, import_file
from libcoop.catalog.models import BibRecord, ImportJob
from libcoop.catalog.uploads import sweep_uploads
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution

MAX_LIMIT = 2000  # the search ranks at most this many candidates
TITLE_WIDTH = 48
AUTHOR_WIDTH = 24


def _width(text: str) -> int:
    """Columns *text* takes in a terminal: Thai vowel and tone marks above and below take none,
    wide (East Asian) characters two."""
    return sum(
        0
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf")
        else 2
        if unicodedata.east_asian_width(c) in ("W", "F")
        else 1
        for c in text
    )


def _fit(text: str, width: int) -> str:
    """*text* cut to *width* columns (with "…") and padded to it."""
    text = " ".join(text.split())
    if _width(text) > width:
        while text and _width(text) > width - 1:
            text = text[:-1]
        text = text.rstrip() + "…"
    return text + " " * (width - _width(text))


def _search_table(hits: list[Any], lang: str) -> str:
    """The hits as a table a person reads: cluster, year in the language's era, libraries,
    title and author (no internal score)."""
    from libcoop.core.dates import display_year

    header = [
        _fit(_("Cluster"), 8),
        _fit(_("Year"), 5),
        _fit(_("Libraries"), 24),
        _fit(_("Title"), TITLE_WIDTH),
        _("Author"),
    ]
    lines = ["  ".join(header).rstrip()]
    for hit in hits:
        holders = ", ".join(sorted(hit.local_ids)) or str(hit.library_count)
        row = [
            _fit(str(hit.cluster_id), 8),
            _fit(display_year(hit.year, lang) if hit.year else "", 5),
            _fit(holders, 24),
            _fit(hit.title or "", TITLE_WIDTH),
            _fit(hit.author or "", AUTHOR_WIDTH).rstrip(),
        ]
        lines.append("  ".join(row).rstrip())
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Union catalog: import MARC, list clusters, export merged records, search."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import an ISO 2709 or MARCXML file")
        imp.add_argument("path", nargs="+")
        imp.add_argument("--library", required=True, help="institution code, e.g. MFU-LIB")
        how = imp.add_mutually_exclusive_group()
        how.add_argument(
            "--bulk",
            action="store_const",
            const=True,
            dest="bulk_load",
            help="stage all records, then match and index them in bulk (default for a "
            "library's first load of a large file)",
        )
        how.add_argument(
            "--incremental",
            action="store_const",
            const=False,
            dest="bulk_load",
            help="match and index batch by batch, searchable as it goes",
        )
        imp.add_argument("--lang", choices=("th", "en"), default="en", help="report language")
        dele = sub.add_parser("deletes", help="withdraw the 001s listed in a file")
        dele.add_argument("path")
        dele.add_argument("--library", required=True)
        clu = sub.add_parser("clusters", help="library_code,local_id,cluster_id per active record")
        clu.add_argument("--csv", action="store_true", required=True)
        exp = sub.add_parser("export", help="write merged records with holdings")
        exp.add_argument("--format", choices=["marcxml", "marc", "jsonl"], default="marcxml")
        exp.add_argument("-o", "--output", help="file (default: standard output)")
        sea = sub.add_parser(
            "search",
            help="ranked clusters for a query: a table, or JSON Lines with --json",
        )
        sea.add_argument("query")
        sea.add_argument("--json", action="store_true", help="one JSON object per line")
        sea.add_argument("--field", choices=["title", "author", "subject", "identifier"])
        sea.add_argument(
            "--limit", type=int, default=20, help=f"clusters to show (1-{MAX_LIMIT}, default 20)"
        )
        sea.add_argument(
            "--lang", choices=("th", "en"), default="en", help="table language (years: B.E. in th)"
        )
        sub.add_parser("reindex", help="rebuild the search index")
        rem = sub.add_parser(
            "rematch",
            help="match existing records again under the current rules (staff splits and "
            "merges kept); prints the clusters merged and split and the records moved",
        )
        rem.add_argument("--library", help="only this institution's records (default: all)")
        rem.add_argument("--dry-run", action="store_true", help="report, change nothing")
        rem.add_argument("--lang", choices=("th", "en"), default="en", help="report language")
        swp = sub.add_parser(
            "sweep-uploads",
            help="remove web-uploaded MARC files older than the retention whose job has ended",
        )
        swp.add_argument(
            "--days",
            type=float,
            help="retention in days (default: LIBCOOP_IMPORT_UPLOAD_RETENTION_DAYS)",
        )
        swp.add_argument("--dry-run", action="store_true", help="list, do not remove")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"do_{action.replace('-', '_')}")(options)

    def do_sweep_uploads(self, options: dict[str, Any]) -> None:
        days = options["days"]
        if days is not None and not (math.isfinite(days) and days >= 0):
            raise CommandError("--days must be a finite number of days, 0 or more")
        result = sweep_uploads(days, dry_run=options["dry_run"])
        verb = "would remove" if options["dry_run"] else "removed"
        for path in result.removed:
            self.stdout.write(f"{verb} {path}")
        self.stdout.write(
            f"{len(result.removed)} file(s) {verb}; {result.kept_running} kept for running jobs"
        )

    def _library(self, code: str) -> Institution:
        try:
            return Institution.objects.get(code=code)
        except Institution.DoesNotExist as exc:
            raise CommandError(f"No institution with code {code!r}") from exc

    def do_import(self, options: dict[str, Any]) -> None:
        library = self._library(options["library"])
        for path in options["path"]:
            if not Path(path).is_file():
                raise CommandError(f"No such file: {path}")
            job = import_file(path, library, acting_user=SYSTEM, bulk_load=options["bulk_load"])
            with translation.override(options["lang"]):
                self._report_import(path, job)
            for p in job.problems.all()[:50]:
                self.stdout.write(
                    f"  record {p.position} at {p.offset} [{p.local_id or '-'}]: "
                    f"{p.reason}: {p.message}"
                )

    def _report_import(self, path: str, job: ImportJob) -> None:
        """The job's counts, its flagged (salvaged) records, in the chosen language."""
        self.stdout.write(
            _(
                "{path}: {added} added, {updated} updated, {unchanged} unchanged, "
                "{deleted} deleted, {rejected} rejected (job {job})"
            ).format(
                path=path,
                added=job.added,
                updated=job.updated,
                unchanged=job.unchanged,
                deleted=job.deleted,
                rejected=job.rejected,
                job=job.pk,
            )
        )
        flagged = attention.flagged_count(job)
        if not flagged:
            return
        self.stdout.write(
            ngettext(
                "{count} record loaded with local damage repaired: it needs attention "
                "(/catalog/attention/)",
                "{count} records loaded with local damage repaired: they need attention "
                "(/catalog/attention/)",
                flagged,
            ).format(count=flagged)
        )
        records = attention.flagged(BibRecord.objects.filter(job=job)).order_by("local_id")
        for record in records[:50]:
            labels = "; ".join(str(r["label"]) for r in attention.repairs_of(record))
            self.stdout.write(f"  [{record.local_id}] {labels}")

    def do_deletes(self, options: dict[str, Any]) -> None:
        job = import_deletes(options["path"], self._library(options["library"]), acting_user=SYSTEM)
        self.stdout.write(f"{job.deleted} withdrawn, {job.rejected} not found (job {job.pk})")

    def do_clusters(self, options: dict[str, Any]) -> None:
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["library_code", "local_id", "cluster_id"])
        rows = (
            BibRecord.objects.filter(active=True)
            .order_by("library__code", "local_id")
            .values_list("library__code", "local_id", "cluster_id")
        )
        for row in rows.iterator(chunk_size=5000):
            writer.writerow(row)

    def do_export(self, options: dict[str, Any]) -> None:
        if options["output"]:
            with open(options["output"], "wb") as out:
                count = export(out, options["format"])
            self.stderr.write(f"{count} records written to {options['output']}")
        else:
            export(sys.stdout.buffer, options["format"])

    def do_search(self, options: dict[str, Any]) -> None:
        from libcoop.catalog.search import search

        limit = options["limit"]
        if not 1 <= limit <= MAX_LIMIT:
            raise CommandError(f"--limit must be between 1 and {MAX_LIMIT}, not {limit}.")
        result = search(options["query"], field=options["field"], per_page=limit)
        with translation.override(options["lang"]):
            more = ""
            if result.total > len(result.hits):
                more = _(
                    "{shown} of {total} clusters shown; --limit {total} shows them all."
                ).format(shown=len(result.hits), total=result.total)
            if options["json"]:
                for hit in result.hits:
                    self.stdout.write(json.dumps(hit.as_json(), ensure_ascii=False))
                if more:  # on standard error: standard output stays JSON Lines
                    self.stderr.write(more)
                return
            if not result.hits:
                self.stdout.write(_("No clusters found."))
                return
            self.stdout.write(_search_table(result.hits, options["lang"]))
            self.stdout.write(
                more
                or ngettext("{total} cluster.", "{total} clusters.", result.total).format(
                    total=result.total
                )
            )

    def do_reindex(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"{index.rebuild()} clusters indexed")

    def do_rematch(self, options: dict[str, Any]) -> None:
        from libcoop.catalog.rematch import rematch

        library = self._library(options["library"]) if options["library"] else None
        report = rematch(acting_user=SYSTEM, library=library, dry_run=options["dry_run"])
        with translation.override(options["lang"]):
            if report.dry_run:
                self.stdout.write(_("Dry run: nothing was changed."))
            self.stdout.write(
                _(
                    "{records} records matched again; {refreshed} with new match facts; "
                    "{moved} moved; {merged} clusters merged; {split} clusters split"
                ).format(
                    records=report.records,
                    refreshed=report.refreshed,
                    moved=len(report.moved),
                    merged=len(report.merged),
                    split=len(report.split),
                )
            )
            for cluster, others in sorted(report.merged.items())[:50]:
                joined = ", ".join(str(c) for c in others)
                self.stdout.write(
                    _("  cluster {cluster} took in records of {others}").format(
                        cluster=cluster, others=joined
                    )
                )
            for cluster, parts in sorted(report.split.items())[:50]:
                self.stdout.write(
                    _("  cluster {cluster} split into {parts}").format(
                        cluster=cluster, parts=", ".join(str(c) for c in parts)
                    )
                )
            for record, old, new in report.moved[:50]:
                self.stdout.write(
                    _("  record {record}: cluster {old} -> {new}").format(
                        record=record, old=old if old is not None else "-", new=new
                    )
                )
