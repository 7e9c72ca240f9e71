"""Pull the facts that the union catalog indexes and deduplicates on out of a MARC record.

A member library's record is full of display punctuation (ISBD) and local detail; the
catalog needs a small, stable, comparable summary of it: normalised identifiers, a title
without the trailing " /", a CE year even when the record gives a Buddhist-era one, and a
coarse format so that a book never merges with its film. ``extract_facts`` computes that
summary once per record, as a frozen (hashable) ``BibFacts``.

Thai text passes through untouched: trimming only removes specific ASCII punctuation at
the ends of values and never uses ``\\w``/``\\W``, which would drop Thai vowel and tone
marks (Unicode category Mn).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pymarc import Field, Record

from libcoop.catalog.identifiers import (
    isbns_from_020,
    normalise_issn,
    normalise_lccn,
    normalise_oclc,
    pages_from_extent,
    volumes_from_extent,
    year_from_008,
    year_from_imprint,
    year_range,
)

__all__ = ["FORMAT_LABELS", "BibFacts", "extract_facts", "record_format", "trim_isbd"]


@dataclass(frozen=True)
class BibFacts:
    """What the union catalog knows about one member record, in comparable form."""

    local_id: str | None
    format: str
    language: str | None
    title: str
    title_sort: str
    title_vernacular: str | None
    statement_of_responsibility: str | None
    main_author: str | None
    other_authors: tuple[str, ...]
    publisher: str | None
    place: str | None
    year: int | None
    pages: int | None
    isbns: tuple[str, ...]
    invalid_isbns: tuple[str, ...]
    issns: tuple[str, ...]
    lccn: str | None
    oclc_numbers: tuple[str, ...]
    subjects: tuple[str, ...]
    edition: str | None
    series: tuple[str, ...]
    deleted: bool
    # Every name heading of the record for matching (1XX and 7XX, $a $b), by kind: two
    # libraries often choose a different main entry for one book.
    personal_names: tuple[str, ...] = ()
    corporate_names: tuple[str, ...] = ()
    # Years of the 260/264 $c when they differ from ``year`` (the 008's): a printing date.
    imprint_years: tuple[int, ...] = ()
    # The title proper (245 $a $n $p, without other title information $b) when the
    # title has more: cataloguers transcribe or abridge the subtitle differently.
    title_proper: str = ""
    # The span an uncertain date allows ("[189-?]", 008 "q19001929", "m1969-1972").
    year_span: tuple[int, int] | None = None
    # The years of a multipart item published over several ("m18951897").
    year_multiple: tuple[int, int] | None = None
    # The number of volumes of a multipart item ("2 v."), when it gives no page count.
    volumes: int | None = None
    # The extent is an estimate ("ca. 300 p.", "in various pagings"): not a page count.
    pages_approximate: bool = False


# --------------------------------------------------------------------------- format

# Short codes for the kinds of material, following the MARC 21 Leader/06 (type of
# record) and Leader/07 (bibliographic level) definitions and the 008 material
# configurations built on them:
#   https://www.loc.gov/marc/bibliographic/bdleader.html
#   https://www.loc.gov/marc/bibliographic/bd008.html
# Books (BK): 06 = a or t with 07 = a, c, d, m; Continuing resources (CR): 06 = a with
# 07 = b, i, s; Maps (MP): 06 = e, f; Music (MU): 06 = c, d (scores) and i, j (sound
# recordings); Visual materials (VM): 06 = g (projected medium), k (2-D graphic),
# o (kit), r (3-D object); Computer files (CF): 06 = m; Mixed materials (MX): 06 = p.
FORMAT_LABELS: dict[str, str] = {
    "book": "Book (language material, printed or manuscript)",
    "serial": "Continuing resource (serial or integrating resource)",
    "map": "Cartographic material",
    "score": "Notated music",
    "sound": "Sound recording (musical or non-musical)",
    "video": "Projected medium (film, video, slides)",
    "graphic": "Two-dimensional non-projectable graphic",
    "electronic": "Computer file / electronic resource",
    "kit": "Kit",
    "object": "Three-dimensional artefact or object",
    "mixed": "Mixed materials",
    "unknown": "Leader/06 missing or not a MARC 21 code",
}

_TYPE_OF_RECORD: dict[str, str] = {
    "a": "book",  # language material
    "t": "book",  # manuscript language material
    "c": "score",  # notated music
    "d": "score",  # manuscript notated music
    "e": "map",  # cartographic material
    "f": "map",  # manuscript cartographic material
    "g": "video",  # projected medium
    "i": "sound",  # nonmusical sound recording
    "j": "sound",  # musical sound recording
    "k": "graphic",  # two-dimensional nonprojectable graphic
    "m": "electronic",  # computer file
    "o": "kit",
    "p": "mixed",  # mixed materials
    "r": "object",  # three-dimensional artifact or naturally occurring object
}
_CONTINUING_LEVELS = frozenset("bis")  # serial component part, integrating, serial


def record_format(leader: str) -> str:
    """Short format code from Leader/06-07 (see ``FORMAT_LABELS``)."""
    if len(leader) < 8:
        return "unknown"
    type_of_record, level = leader[6], leader[7]
    if type_of_record == "a" and level in _CONTINUING_LEVELS:
        return "serial"
    return _TYPE_OF_RECORD.get(type_of_record, "unknown")


# --------------------------------------------------------------------------- trimming

_ISBD_END_MARKS = "/:;=,"
# A final period that belongs to an abbreviation and must stay: a single letter
# ("Smith, J.", "U.S.A.", Thai "ม.ป.ป.") or one of a few common cataloguing words.
_SINGLE_LETTER_END = re.compile(r"(?:^|[\s.])[^\s.0-9]\.$")
_KEEP_PERIOD_WORDS = frozenset(
    {"etc", "ed", "eds", "inc", "ltd", "co", "corp", "jr", "sr", "dept", "bros", "rev", "enl"}
)


def trim_isbd(value: str, *, strip_period: bool = True) -> str:
    """Remove trailing ISBD punctuation (" /", " :", " ;", " =", ",") and a final period.

    The period is kept when it ends an abbreviation (see above) or an ellipsis; pass
    ``strip_period=False`` for places and publishers, whose final periods are nearly
    always abbreviations ("Calif.") because their ISBD mark is " :" or ",".
    """
    text = value.strip()
    while text and text[-1] in _ISBD_END_MARKS:
        text = text[:-1].rstrip()
    if strip_period and text.endswith(".") and not text.endswith(".."):
        last_word = text[:-1].rsplit(None, 1)[-1] if text[:-1].strip() else ""
        keep = (
            _SINGLE_LETTER_END.search(text) is not None or last_word.lower() in _KEEP_PERIOD_WORDS
        )
        if not keep:
            text = text[:-1].rstrip()
            while text and text[-1] in _ISBD_END_MARKS:
                text = text[:-1].rstrip()
    return text


def _clean(value: str | None, *, strip_period: bool = True) -> str | None:
    if value is None:
        return None
    text = trim_isbd(" ".join(value.split()), strip_period=strip_period)
    return text or None


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return tuple(seen)


# --------------------------------------------------------------------------- fields


def _control(record: Record, tag: str) -> str | None:
    for field in record.get_fields(tag):
        if field.data is not None:
            return field.data
    return None


def _first_subfield(fields: Iterable[Field], code: str) -> str | None:
    for field in fields:
        for value in field.get_subfields(code):
            if value.strip():
                return value
    return None


_H_MARK = re.compile(r"\s*([:;=/])\s*$")


def _title_from(field: Field) -> str:
    """245 (or its 880) $a $b $n $p, keeping inner ISBD marks, trimming the last one.

    $h (the old "[videorecording]" medium designator) is left out, but the mark that
    ends it (" =" before a parallel title, " :" before other title information) is
    carried over so that "$aX$h[videorecording] =$bY" reads "X = Y".
    """
    parts: list[str] = []
    for sub in field.subfields:
        if sub.code in "abnp":
            parts.append(sub.value.strip())
        elif sub.code == "h" and parts:
            mark = _H_MARK.search(sub.value)
            if mark is not None:
                parts[-1] = f"{parts[-1]} {mark.group(1)}"
    return trim_isbd(" ".join(" ".join(parts).split()))


def _non_filing(field: Field) -> int:
    indicator = field.indicator2 or "0"
    return int(indicator) if indicator.isascii() and indicator.isdigit() else 0


def _name(field: Field) -> str | None:
    """Name heading of a 1XX/7XX: $a plus $b (numeration or subordinate unit)."""
    parts = [value for value in field.get_subfields("a", "b") if value.strip()]
    return _clean(" ".join(parts)) if parts else None


_SUBDIVISIONS = frozenset("vxyz")


def _subject(field: Field) -> list[str]:
    """One 6XX as "heading -- subdivision -- …"; 653 $a are separate terms.

    Numeric subfields ($0 authority id, $2 source, $6 linkage …) and relator terms
    ($e, or $j in X11 meeting names where $e is a subordinate unit) are not part of the
    heading.
    """
    if field.tag == "653":
        return [t for t in (_clean(v) for v in field.get_subfields("a")) if t]
    relator = "j" if field.tag.endswith("11") else "e"
    heading: list[str] = []
    subdivisions: list[str] = []
    for sub in field.subfields:
        code = sub.code
        if not code.isalpha() or code == relator:
            continue
        if code in _SUBDIVISIONS:
            text = _clean(sub.value)
            if text:
                subdivisions.append(text)
        elif not subdivisions:
            heading.append(sub.value)
    main = _clean(" ".join(heading))
    pieces = [main] if main else []
    pieces.extend(subdivisions)
    return [" -- ".join(pieces)] if pieces else []


def _series(field: Field) -> str | None:
    """490 $a or 830 $a $n $p, with its numbering ($v) after " ; "."""
    codes = ("a",) if field.tag == "490" else ("a", "n", "p")
    main = _clean(" ".join(field.get_subfields(*codes)))
    if main is None:
        return None
    number = _clean(" ".join(field.get_subfields("v")))
    return f"{main} ; {number}" if number else main


def _imprint_fields(record: Record) -> list[Field]:
    """260 and 264 fields, most authoritative first, for publisher, place and year.

    264 second indicator: 1 publication (first, like 260), then 0 production,
    2 distribution, 3 manufacture, and last 4 (copyright notice date: only $c).
    """
    rank = {"1": 0, "0": 2, "2": 3, "3": 4, "4": 5}
    ranked: list[tuple[int, int, Field]] = []
    for position, field in enumerate(record.get_fields("260", "264")):
        order = 1 if field.tag == "260" else rank.get(field.indicator2 or "", 6)
        ranked.append((order, position, field))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [field for _order, _position, field in ranked]


# Bracketed or explicit "unknown" placeholders are not a place or publisher.
_UNKNOWN_IMPRINT = frozenset(
    {
        "s.l.",
        "s.n.",
        "sine loco",
        "sine nomine",
        "place of publication not identified",
        "publisher not identified",
        "ม.ป.ท.",  # ไม่ปรากฏสถานที่พิมพ์: place not given
        "ม.ป.พ.",  # ไม่ปรากฏสำนักพิมพ์: publisher not given
    }
)


def _unbracket(text: str) -> str:
    """Drop cataloguer's brackets around a supplied value: "[Bangkok]", "[S.l." , "s.n.]"."""
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        text = text[1:-1]
    elif text.startswith("[") and "]" not in text:
        text = text[1:]
    elif text.endswith("]") and "[" not in text:
        text = text[:-1]
    return trim_isbd(text, strip_period=False)


def _imprint_value(fields: list[Field], code: str) -> str | None:
    publishing = [f for f in fields if not (f.tag == "264" and f.indicator2 == "4")]
    for field in publishing:
        for raw in field.get_subfields(code):
            text = _clean(raw, strip_period=False)
            if text is None:
                continue
            text = _unbracket(text)
            if text and text.lower() not in _UNKNOWN_IMPRINT:
                return text
    return None


def _language(record: Record, field_008: str | None) -> str | None:
    """008/35-37, unless blank, fill or "und"; then the first 041 $a code."""
    if field_008 is not None and len(field_008) >= 38:
        code = field_008[35:38].strip().lower()
        if len(code) == 3 and code.isascii() and code.isalpha() and code != "und":
            return code
    for value in (v for f in record.get_fields("041") for v in f.get_subfields("a")):
        # Before 2001 several codes were run together in one $a ("thaeng").
        code = value.strip().lower()[:3]
        if len(code) == 3 and code.isascii() and code.isalpha():
            return code
    return None


def _oclc_numbers(record: Record) -> tuple[str, ...]:
    """035 $a OCLC numbers, plus 001 when 003 says the record is OCLC's own."""
    numbers = [normalise_oclc(v) for f in record.get_fields("035") for v in f.get_subfields("a")]
    control_number = _control(record, "001")
    source = _control(record, "003")
    if control_number and source and source.strip().lower() == "ocolc":
        value = control_number.strip()
        numbers.append(normalise_oclc(value) or (value.lstrip("0") if value.isdigit() else None))
    return _unique(numbers)


def _vernacular_title(record: Record) -> str | None:
    """Title from the 880 linked to 245 ($6 "245-NN"), e.g. the Thai-script title."""
    for field in record.get_fields("880"):
        linkage = field.get_subfields("6")
        if linkage and linkage[0].startswith("245"):
            title = _title_from(field)
            if title:
                return title
    return None


# --------------------------------------------------------------------------- extract


def extract_facts(record: Record) -> BibFacts:
    """Summarise a pymarc ``Record`` as ``BibFacts``; missing data gives None or ()."""
    leader = str(record.leader)
    field_008 = _control(record, "008")
    local_id = _control(record, "001")

    title = ""
    title_sort = ""
    responsibility: str | None = None
    title_fields = record.get_fields("245")
    if title_fields:
        field_245 = title_fields[0]
        title = _title_from(field_245)
        skip = _non_filing(field_245)
        title_sort = title[skip:].lstrip() if 0 < skip < len(title) else title
        responsibility = _clean(" ".join(field_245.get_subfields("c")))

    main_author = None
    for field in record.get_fields("100", "110", "111"):
        main_author = _name(field)
        if main_author:
            break

    imprint = _imprint_fields(record)
    year = year_from_008(field_008) if field_008 else None
    if year is None:
        for value in (v for f in imprint for v in f.get_subfields("c")):
            year = year_from_imprint(value)
            if year is not None:
                break

    imprint_years = _unique_years(
        year_from_imprint(v) for f in imprint for v in f.get_subfields("c")
    )

    pages = None
    volumes = None
    approximate = False
    for field in record.get_fields("300"):
        for value in field.get_subfields("a"):
            # "3 p.$bl., 134 p.": the paging split across $a and $b by mistake.
            following = field.get_subfields("b")
            if following and _LEAVES_SPLIT.match(following[0]):
                value = f"{value}{following[0]}"
            pages = pages_from_extent(value)
            volumes = volumes or volumes_from_extent(value)
            approximate = bool(_APPROXIMATE_EXTENT.search(value))
            if pages is not None:
                break
        if pages is not None:
            break

    isbns = isbns_from_020(record.get_fields("020"))
    lccn_value = _first_subfield(record.get_fields("010"), "a")

    subjects: list[str] = []
    for field in record.fields:
        if field.tag.startswith("6") and not field.is_control_field():
            subjects.extend(_subject(field))

    return BibFacts(
        local_id=(local_id.strip() or None) if local_id else None,
        format=record_format(leader),
        language=_language(record, field_008),
        title=title,
        title_sort=title_sort,
        title_vernacular=_vernacular_title(record),
        statement_of_responsibility=responsibility,
        main_author=main_author,
        other_authors=_unique(_name(f) for f in record.get_fields("700", "710", "711")),
        publisher=_imprint_value(imprint, "b"),
        place=_imprint_value(imprint, "a"),
        year=year,
        pages=pages,
        isbns=isbns.valid,
        invalid_isbns=isbns.invalid,
        issns=_unique(
            normalise_issn(v) for f in record.get_fields("022") for v in f.get_subfields("a")
        ),
        lccn=normalise_lccn(lccn_value) if lccn_value else None,
        oclc_numbers=_oclc_numbers(record),
        subjects=_unique(subjects),
        edition=_clean(_first_subfield(record.get_fields("250"), "a")),
        series=_unique(_series(f) for f in record.get_fields("490", "830")),
        deleted=len(leader) > 5 and leader[5] == "d",
        personal_names=_unique(_name(f) for f in record.get_fields("100", "700")),
        corporate_names=_unique(_name(f) for f in record.get_fields("110", "111", "710", "711")),
        imprint_years=tuple(y for y in imprint_years if y != year),
        title_proper=_title_proper(title_fields[0]) if title_fields else "",
        year_span=year_range(field_008, tuple(v for f in imprint for v in f.get_subfields("c"))),
        year_multiple=year_range(field_008, kinds="m"),
        volumes=volumes if pages is None else None,
        pages_approximate=approximate and pages is not None,
    )


# $b that continues the paging of $a: "3 p.$bl., 134 p." (preliminary leaves) or
# "[112] p.$bof illus." (pages of illustrations).
_LEAVES_SPLIT = re.compile(r"^\s*(?:[lL]\.|of\s)")
_APPROXIMATE_EXTENT = re.compile(r"\b(?:ca|circa|approximately)\b|various pagings", re.IGNORECASE)


def _title_proper(field: Field) -> str:
    """245 $a $n $p (non-filing characters skipped) when the 245 also has a $b."""
    if not field.get_subfields("b"):
        return ""
    parts = [sub.value.strip() for sub in field.subfields if sub.code in "anp"]
    text = trim_isbd(" ".join(" ".join(parts).split()))
    skip = _non_filing(field)
    return text[skip:].lstrip() if 0 < skip < len(text) else text


def _unique_years(values: Iterable[int | None]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(v for v in values if v is not None))
