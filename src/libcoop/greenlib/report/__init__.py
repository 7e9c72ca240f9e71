"""The green-library report of one library and year: its facts gathered from the apps'
``queries`` (``build``), told as sentences (``text``) and tables and charts (``tables``), held
as plain data (``types``), and rendered as a web page body, a PDF (``render``, ``fonts``) or a
Word file (``docx``). The web pages and the command line use the names re-exported here.
"""

from __future__ import annotations

from libcoop.greenlib.report.build import (
    FIRST_YEAR,
    build_report,
    check_year,
    report_institution,
)
from libcoop.greenlib.report.render import (
    render_body,
    render_docx,
    render_pdf,
    render_print_html,
)
from libcoop.greenlib.report.types import (
    Cell,
    Chart,
    Evidence,
    Full,
    Report,
    ReportError,
    Section,
    Table,
)

__all__ = [
    "FIRST_YEAR",
    "Cell",
    "Chart",
    "Evidence",
    "Full",
    "Report",
    "ReportError",
    "Section",
    "Table",
    "build_report",
    "check_year",
    "render_body",
    "render_docx",
    "render_pdf",
    "render_print_html",
    "report_institution",
]
