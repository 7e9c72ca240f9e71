"""``libcoop greenlib …``: green-library reports and standards from the command line.

``libcoop greenlib report --institution CODE --year YYYY --lang th|en -o FILE.pdf`` writes a
library's report for a year (B.E. or C.E. by the calendar rule of ``core.era.read_year``: 2562
and 2019 are the same year), in the format the file name ends with (.html, .pdf, .docx; or
``--format``), as the web page shows it to the library's own staff: an operator's command
includes the unpublished self-assessment unless ``--public`` is given. ``libcoop greenlib
standard load FILE`` loads (or updates) an assessment standard from its YAML file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from libcoop.core.era import YearInputError, read_year
from libcoop.greenlib.report import ReportError, build_report, report_institution
from libcoop.greenlib.report.render import render_docx, render_pdf, render_print_html
from libcoop.network.abilities import SYSTEM

FORMATS = ("html", "pdf", "docx")
EXTENSIONS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}


def _year(text: str) -> int:
    try:
        return read_year(text)
    except YearInputError as exc:
        if exc.code == "ambiguous":
            raise CommandError(
                f"{text} could be a Buddhist-era or a Common-era year: write 'พ.ศ. {text}' "
                f"(or '{text} BE') or 'ค.ศ. {text}' (or 'AD {text}')."
            ) from None
        raise CommandError(f"Not a year: {text!r} (e.g. 2562 or 2019).") from None


def output_format(output: Path, fmt: str | None) -> str:
    """The format asked for, else the one the file name ends with; a clear error otherwise."""
    by_name = EXTENSIONS.get(output.suffix.lower())
    if fmt is None:
        if by_name is None:
            raise CommandError(
                f"Cannot tell the format from the file name {output.name!r}: end it in .html, "
                ".pdf or .docx, or give --format html|pdf|docx."
            )
        return by_name
    if by_name is not None and by_name != fmt:
        raise CommandError(
            f"--format {fmt} does not match the file name {output.name!r} ({by_name}): "
            "change one of them."
        )
    return fmt


class Command(BaseCommand):
    help = "Green-library reports (report) and assessment standards (standard load)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="write a library's report for a year")
        report.add_argument("--institution", required=True, help="institution code, e.g. MFU-LIB")
        report.add_argument(
            "--year", required=True, help="the year, B.E. or C.E.: 2562 and 2019 are the same"
        )
        report.add_argument("--lang", choices=("th", "en"), default="th")
        report.add_argument(
            "--format",
            choices=FORMATS,
            default=None,
            dest="fmt",
            help="default: from the output file's extension (.html, .pdf, .docx)",
        )
        report.add_argument(
            "-o", "--output", required=True, type=Path, help="file to write (.html, .pdf, .docx)"
        )
        report.add_argument(
            "--public",
            action="store_true",
            help="as the public page: no self-assessment until it is published, and only "
            "knowledge articles shared publicly",
        )
        report.add_argument(
            "--base-url",
            default=None,
            help="site address for links in the PDF and Word file, e.g. https://libcoop.example.org/",
        )
        standard = sub.add_parser("standard", help="assessment standards")
        standard_sub = standard.add_subparsers(dest="standard_action", required=True)
        load = standard_sub.add_parser("load", help="load a standard's YAML file")
        load.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "report":
            self._report(options)
        else:
            self._load_standard(options["path"])

    def _report(self, options: dict[str, Any]) -> None:
        fmt, output = output_format(options["output"], options["fmt"]), options["output"]
        year = _year(str(options["year"]))
        try:
            institution = report_institution(options["institution"])
            report = build_report(
                institution,
                year,
                lang=options["lang"],
                include_unpublished=not options["public"],
                reader=AnonymousUser() if options["public"] else None,
            )
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        if fmt == "pdf":
            content = render_pdf(report, base_url=options["base_url"])
        elif fmt == "docx":
            content = render_docx(report, base_url=options["base_url"])
        else:
            content = render_print_html(report, base_url=options["base_url"]).encode("utf-8")
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
        self.stdout.write(
            f"{output}: {fmt}, {len(content):,} bytes, {len(report.sections)} sections"
        )

    def _load_standard(self, path: Path) -> None:
        from libcoop.greenlib.services import load_standard

        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            standard = load_standard(path, acting_user=SYSTEM)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{standard.code} version {standard.version}: {standard.title}")
