"""Fonts for PDF reports: the bundled Sarabun, made safe for WeasyPrint's text layer.

Two things go wrong with the web font files as they are (``core/static/libcoop/fonts``):

1. WeasyPrint names an embedded font after its CSS family, weight and style only. The web CSS
   declares the Thai and the Latin subset files under one family ("Sarabun", split by
   ``unicode-range``), so the PDF would draw Latin glyph numbers with the Thai file. Each subset
   gets its own family name here.
2. HarfBuzz draws SARA AM (ำ) as NIKHAHIT + SARA AA (and moves a tone mark between them:
   น้ำ → น ํ ้ า), and WeasyPrint maps each glyph to text once per font. The SARA AA glyph
   already stands for า, so the copied text of "การดำเนินงาน" came out as "การดาเนินงาน" and
   น้ำ as นา. The derived Thai font adds copies of the SARA AA glyph, substituted (in the
   font's own ``ccmp`` feature) only after a NIKHAHIT, one copy per preceding tone mark; each
   copy then maps to exactly the text it stands for (ำ, ่ำ, ้ำ, ๊ำ, ๋ำ). The drawing is
   unchanged: the copies have the same outlines and advance.

Sarabun is licensed under the SIL Open Font License 1.1 without a Reserved Font Name, which
allows modified versions (``core/static/libcoop/fonts/OFL.txt``). The derived font exists only
in memory and inside the PDFs made with it.
"""

from __future__ import annotations

import base64
import copy
import io
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables

FONT_DIR = Path(__file__).resolve().parents[2] / "core" / "static" / "libcoop" / "fonts"
WEIGHTS = (400, 700)
THAI_FAMILY = "Sarabun Thai"
LATIN_FAMILY = "Sarabun Latin"
# After the bundled files, fonts of Debian's fonts-thai-tlwg (installed by .ci/run): Laksaman
# is metric-compatible with TH Sarabun New, the Thai government's document font.
FALLBACK_FAMILIES = ("Laksaman", "TH Sarabun New", "Garuda", "sans-serif")

NIKHAHIT = "uni0E4D"
SARA_AA = "uni0E32"
TONE_MARKS = ("", "48", "49", "4A", "4B")  # none, MAI EK, MAI THO, MAI TRI, MAI CHATTAWA


def _lookup(kind: int, subtables: list[object]) -> otTables.Lookup:
    lookup = otTables.Lookup()
    lookup.LookupType = kind
    lookup.LookupFlag = 0
    lookup.SubTable = subtables
    lookup.SubTableCount = len(subtables)
    return lookup


def _coverage(glyphs: list[str]) -> otTables.Coverage:
    coverage = otTables.Coverage()
    coverage.glyphs = glyphs
    return coverage


def _after(glyph_order: list[str], tone: str) -> list[str]:
    """The NIKHAHIT glyphs (plain, narrow, ligated with *tone*) a SARA AA can follow."""
    if tone:
        return [g for g in glyph_order if g.startswith(f"{NIKHAHIT}0E{tone}")]
    return [g for g in glyph_order if g.startswith(NIKHAHIT) and not g.startswith(f"{NIKHAHIT}0E")]


def derive_thai_font(path: Path) -> bytes:
    """The Thai subset font with one SARA AA copy per tone context (see the module doc)."""
    font = TTFont(str(path))
    font.flavor = None  # written as plain TrueType
    order = list(font.getGlyphOrder())
    if SARA_AA not in order or NIKHAHIT not in order or "GSUB" not in font:
        return _as_bytes(font)
    glyf, hmtx = font["glyf"], font["hmtx"]
    lookups = font["GSUB"].table.LookupList.Lookup
    rules = []
    for tone in TONE_MARKS:
        copy_name = f"{SARA_AA}.am{tone}"
        glyf.glyphs[copy_name] = copy.deepcopy(glyf[SARA_AA])
        hmtx.metrics[copy_name] = hmtx.metrics[SARA_AA]
        order.append(copy_name)
        single = otTables.SingleSubst()
        single.mapping = {SARA_AA: copy_name}
        lookups.append(_lookup(1, [single]))
        rule = otTables.ChainContextSubst()
        rule.Format = 3
        rule.BacktrackGlyphCount = 1
        rule.BacktrackCoverage = [_coverage(_after(order, tone))]
        rule.InputGlyphCount = 1
        rule.InputCoverage = [_coverage([SARA_AA])]
        rule.LookAheadGlyphCount = 0
        rule.LookAheadCoverage = []
        record = otTables.SubstLookupRecord()
        record.SequenceIndex = 0
        record.LookupListIndex = len(lookups) - 1
        rule.SubstCount = 1
        rule.SubstLookupRecord = [record]
        rules.append(rule)
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    lookups.append(_lookup(6, rules))
    font["GSUB"].table.LookupList.LookupCount = len(lookups)
    # Last in ccmp: after the font's own decomposition, ligatures and narrow forms.
    for record in font["GSUB"].table.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":
            record.Feature.LookupListIndex.append(len(lookups) - 1)
            record.Feature.LookupCount = len(record.Feature.LookupListIndex)
    return _as_bytes(font)


def _as_bytes(font: TTFont) -> bytes:
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _face(family: str, weight: int, src: str) -> str:
    return (
        f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: {weight}; '
        f"src: {src}; }}"
    )


@cache
def pdf_font_css() -> str:
    """@font-face rules for the PDF, built once per process (about 0.2 s).

    The fonts are data URLs, so the printable HTML stands alone (``--format html``).
    """
    rules = []
    for weight in WEIGHTS:
        latin = (FONT_DIR / f"sarabun-latin-{weight}-normal.woff2").read_bytes()
        thai = derive_thai_font(FONT_DIR / f"sarabun-thai-{weight}-normal.woff2")
        rules.append(_face(LATIN_FAMILY, weight, _data_url(latin, "font/woff2", "woff2")))
        rules.append(_face(THAI_FAMILY, weight, _data_url(thai, "font/ttf", "truetype")))
    return "\n".join(rules)


def _data_url(content: bytes, media_type: str, font_format: str) -> str:
    data = base64.b64encode(content).decode("ascii")
    return f'url("data:{media_type};base64,{data}") format("{font_format}")'


def pdf_font_family() -> str:
    """The CSS font-family list: Latin subset first (it has no Thai), then Thai, then system."""
    quoted = [f'"{f}"' if " " in f else f for f in (LATIN_FAMILY, THAI_FAMILY)]
    return ", ".join([*quoted, *(f'"{f}"' if " " in f else f for f in FALLBACK_FAMILIES)])
