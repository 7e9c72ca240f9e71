"""A report as a Word file (python-docx): the sections, paragraphs, tables and evidence of
the PDF, without the charts (Word cannot take the SVG).

Every style names "TH Sarabun New" — the Thai government's document font, on most assessors'
computers; Debian's fonts-thai-tlwg maps it to Laksaman — for Latin, East Asian and
complex-script text, with the Thai language set for complex script (``w:lang w:bidi``) so Word
shapes and breaks Thai lines itself. Theme fonts are removed: Word prefers them to a named font.
"""

from __future__ import annotations

import io
from urllib.parse import urljoin

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm
from docx.text.paragraph import Paragraph

from libcoop.greenlib.report.types import Cell, Report, Section, Table

DOCX_FONT = "TH Sarabun New"
DOCX_SIZE_PT = 16  # TH Sarabun New runs small: 16 pt is the usual size of Thai official documents
# Sizes of the styles the report uses, relative to the body text.
DOCX_SCALE = {"Normal": 1.0, "Title": 1.6, "Heading 1": 1.35, "Heading 2": 1.15, "Heading 3": 1.0}
THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")


def _child(parent: BaseOxmlElement, tag: str, *, first: bool = False) -> BaseOxmlElement:
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        if first:
            parent.insert(0, element)
        else:
            parent.append(element)
    return element


def _set_fonts(rpr: BaseOxmlElement, lang: str, size_pt: float = DOCX_SIZE_PT) -> None:
    """Font slots, sizes (Latin and complex script) and languages of one run-properties element."""
    fonts = _child(rpr, "w:rFonts", first=True)
    for slot in FONT_SLOTS:
        fonts.set(qn(slot), DOCX_FONT)
    for tag in ("w:sz", "w:szCs"):
        _child(rpr, tag).set(qn("w:val"), str(round(size_pt * 2)))
    language = _child(rpr, "w:lang")
    language.set(qn("w:val"), "th-TH" if lang == "th" else "en-GB")
    language.set(qn("w:bidi"), "th-TH")


def _style_fonts(document: DocumentObject, lang: str) -> None:
    root = document.styles.element
    defaults = root.find(qn("w:docDefaults"))
    rpr = None if defaults is None else defaults.find(qn("w:rPrDefault"))
    if rpr is not None and rpr.find(qn("w:rPr")) is not None:
        _set_fonts(rpr.find(qn("w:rPr")), lang)
    for fonts in root.iter(qn("w:rFonts")):
        for attribute in THEME_FONT_ATTRIBUTES:
            fonts.attrib.pop(qn(attribute), None)
        for slot in FONT_SLOTS:
            fonts.set(qn(slot), DOCX_FONT)
    for name, scale in DOCX_SCALE.items():
        style = document.styles[name]
        _set_fonts(style.element.get_or_add_rPr(), lang, DOCX_SIZE_PT * scale)


def _hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    _child(rpr, "w:color").set(qn("w:val"), "1F6F43")
    _child(rpr, "w:u").set(qn("w:val"), "single")
    run.append(rpr)
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def _cell_text(paragraph: Paragraph, cell: Cell, base_url: str | None) -> None:
    if cell.url and base_url:
        _hyperlink(paragraph, cell.text, urljoin(base_url, cell.url))
    else:
        paragraph.add_run(cell.text)
    if cell.note:
        paragraph.add_run("\n" + cell.note).italic = True


def _table(document: DocumentObject, table: Table, base_url: str | None) -> None:
    document.add_heading(table.title, level=3)
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for i, title in enumerate(table.columns):
        grid.rows[0].cells[i].paragraphs[0].add_run(title).bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for i, value in enumerate(row):
            paragraph = cells[i].paragraphs[0]
            _cell_text(paragraph, value, base_url)
            if i in table.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _section(document: DocumentObject, section: Section, base_url: str | None) -> None:
    document.add_heading(section.heading + (f" {section.title}" if section.title else ""), 1)
    if section.requirement:
        document.add_heading(_("Criterion"), level=2)
        document.add_paragraph(section.requirement)
    if section.paragraphs:
        document.add_heading(_("What the library did"), level=2)
        for text in section.paragraphs:
            document.add_paragraph(text).paragraph_format.first_line_indent = Cm(1)
    for table in section.tables:
        _table(document, table, base_url)
    if section.evidence:
        document.add_heading(_("Self-assessment and evidence"), level=2)
    for item in section.evidence:
        document.add_heading(f"{item.code} {item.title}".strip(), level=3)
        for label, value in (
            (_("Criterion"), item.requirement),
            (_("What the library reports"), item.narrative),
            (_("Self-assessment"), item.self_status),
            (_("Score"), item.score),
            (_("Assessor's comment"), item.assessor_comment),
        ):
            if value:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(value)
        for title, cells in ((_("Evidence files"), item.files), (_("Linked records"), item.linked)):
            if cells:
                document.add_paragraph().add_run(title).bold = True
                for cell in cells:
                    _cell_text(document.add_paragraph(style="List Bullet"), cell, base_url)


def _page_number(paragraph: Paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def write_docx(
    report: Report, notes: list[tuple[str, bool]], *, base_url: str | None = None
) -> bytes:
    """The .docx bytes; links to records are hyperlinks when the site address is known."""
    with translation.override(report.lang):
        document = Document()
        _style_fonts(document, report.lang)
        page = document.sections[0]
        page.page_width, page.page_height = Mm(210), Mm(297)
        page.left_margin = page.right_margin = Mm(20)
        page.top_margin = page.bottom_margin = Mm(20)
        page.header.paragraphs[0].text = f"{report.institution_name} · {report.title}"
        _page_number(page.footer.paragraphs[0])
        properties = document.core_properties
        properties.title = f"{report.title} — {report.institution_name}"
        properties.author = report.institution_name
        properties.language = "th-TH" if report.lang == "th" else "en-GB"
        properties.subject = report.standard_title or report.standard_code
        properties.keywords = f"green library, {report.institution_code}, {report.year}"
        document.add_heading(report.title, level=0)
        document.add_paragraph().add_run(report.institution_name).bold = True
        for text, warning in notes:
            run = document.add_paragraph().add_run(text)
            run.italic = True
            run.bold = warning
        for section in report.sections:
            _section(document, section, base_url)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
