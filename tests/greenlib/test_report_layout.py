"""The PDF keeps each heading with what follows it (#16: a heading was left alone at the foot
of a page with its value on the next). A report made of headings, tables and evidence of
every length puts some heading near the foot of every page; none may end a page."""

from __future__ import annotations

import datetime
import io
import re

import pytest

from libcoop.greenlib.report.render import render_pdf, render_print_html
from libcoop.greenlib.report.types import Cell, Evidence, Report, Section, Table

FOOTER = re.compile(r"^(หน้า|Page) \d+ / \d+$")


def _weasyprint_or_skip() -> None:
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        pytest.skip(f"WeasyPrint's system libraries (Pango) are missing: {exc}")


def _report(lang: str) -> Report:
    words = "ห้องสมุดจัดกิจกรรมร่วมกับเครือข่าย " if lang == "th" else "the library worked with "
    tables = [
        Table(
            "events",
            f"{'ตาราง' if lang == 'th' else 'Table'} {n}",
            ["A", "B"],
            [[Cell(f"{n}.{r}"), Cell(words * (1 + r % 3))] for r in range(1 + n % 6)],
        )
        for n in range(1, 25)
    ]
    evidence = [
        Evidence(
            code=f"7.{n}",
            title=f"{'ตัวชี้วัด' if lang == 'th' else 'Indicator'} {n}",
            requirement=words * (1 + n % 4),
            narrative="\n".join([words * 3] * (n % 5)),
            self_status="ดำเนินการแล้ว" if lang == "th" else "Done",
            score="",
            assessor_comment=words * (n % 3),
            files=[],
            linked=[Cell(f"Event: {n}")] if n % 2 else [],
        )
        for n in range(1, 30)
    ]
    sections = [
        Section(
            number=str(s),
            heading=f"{'หมวด' if lang == 'th' else 'Category'} {s}",
            title=f"{'เรื่อง' if lang == 'th' else 'Topic'} {s}",
            requirement=words * 4,
            requirement_source="TEST",
            paragraphs=[words * (5 + s * 3)] * (1 + s % 3),
            tables=tables[s * 6 : s * 6 + 6 + s],
            evidence=evidence[s * 7 : s * 7 + 7 + s],
        )
        for s in range(4)
    ]
    return Report(
        institution_code="TEST-LIB",
        institution_name="ห้องสมุดทดสอบ" if lang == "th" else "Test library",
        year=2024,
        year_label="2567" if lang == "th" else "2024",
        lang=lang,
        title="รายงาน" if lang == "th" else "Report",
        generated=datetime.date(2026, 1, 1),
        standard_code="TEST",
        standard_title="Test",
        assessment=None,
        includes_unpublished=False,
        withheld_unpublished=False,
        sections=sections,
    )


def headings_of(html: str) -> set[str]:
    """The texts of the headings and definition terms (the labels of the values after them)."""
    found = set()
    for match in re.finditer(r"<(h[1-4]|dt)\b[^>]*>(.*?)</\1>", html, re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip()
        found.update(part.strip() for part in text.split("  ") if part.strip())
    return found


def orphaned_headings(pdf: bytes, headings: set[str], running: str) -> list[tuple[int, str]]:
    """(page, heading) for every page but the last whose last line of text is a heading (the
    running header and the page number, which pypdf reads after the text, left out)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found = []
    for number, page in enumerate(reader.pages[:-1], start=1):
        lines = [line.strip(" •") for line in page.extract_text().splitlines()]
        lines = [line for line in lines if line and line != running and not FOOTER.match(line)]
        if lines and lines[-1] in headings:
            found.append((number, lines[-1]))
    return found


@pytest.mark.parametrize("lang", ["th", "en"])
def test_no_heading_ends_a_page(lang: str) -> None:
    _weasyprint_or_skip()
    report = _report(lang)
    pdf = render_pdf(report)
    headings = headings_of(render_print_html(report))
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 8  # enough page feet to matter
    running = f"{report.institution_name} · {report.title}"
    assert orphaned_headings(pdf, headings, running) == []
