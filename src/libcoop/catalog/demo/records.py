"""How one member library catalogues one work: a MARC 21 record in that library's habits.

Real union catalogs never receive the same record twice: each library keys its own copy,
with its own control number, call number and barcode, and with small differences that
defeat exact matching: ISBN hyphenated, qualified or in its ISBN-10 form (or missing),
subtitle left out, ISBD punctuation on or off, author dates added, 260 instead of 264,
and, in Thai, zero-width spaces, legacy-font private-use tone marks and a decomposed
sara am. ``catalogue`` writes such a record and returns the list of variants it applied,
so tests and evaluations can check that the hard cases really are in the data.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from pymarc import Field, Indicators, Record, Subfield

from libcoop.catalog.demo.libraries import (
    LibraryProfile,
    call_number,
    country_code,
    holdings_fields,
)
from libcoop.catalog.demo.works import (
    GeneratorOptions,
    Person,
    Work,
    isbn10_of,
    vocabulary,
)
from libcoop.core.era import BE_OFFSET

__all__ = ["ZWSP", "catalogue"]

ZWSP = "\u200b"
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_ASCENDERS = "ปฝฟฬ"  # tone marks on these were drawn shifted down-left (U+F705-F709)


def _pua(text: str) -> str:
    """Old Thai fonts' shifted-down tone marks (U+F70A-F70E; U+F705-F709 on ascenders)."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if 0x0E48 <= code <= 0x0E4C and out and "\u0e01" <= out[-1] <= "\u0e2e":
            base = 0xF705 if out[-1] in _ASCENDERS else 0xF70A
            ch = chr(base + code - 0x0E48)
        out.append(ch)
    return "".join(out)


class _Copy:
    """The state of cataloguing one work for one library."""

    def __init__(
        self, rng: random.Random, work: Work, lib: LibraryProfile, opts: GeneratorOptions, year: int
    ) -> None:
        self.rng, self.work, self.lib = rng, work, lib
        self.thai = work.lang == "tha"
        self.vocab = vocabulary("demo_vocab_th.json" if self.thai else "demo_vocab_en.json")
        self.isbd = rng.random() < lib.isbd_rate
        # ``year`` is when the record was last changed (005); LC adopted RDA in 2013.
        self.rda = rng.random() < lib.rda_rate and year >= 2013
        self.zwsp = self.thai and rng.random() < 0.07
        self.opts = opts
        self.variants: set[str] = set()
        if not self.isbd:
            self.variants.add("punct:minimal")
        if not self.rda:
            self.variants.add("imprint:260")
        if self.zwsp:
            self.variants.add("thai:zwsp")
        # The year on the item can differ from other copies' (printing vs publication date).
        self.year = work.year
        if work.kind == "book" and self.chance(opts.year_slip_rate, "year:off_by_one"):
            self.year += 1 if rng.random() < 0.7 else -1

    def chance(self, p: float, variant: str | None = None) -> bool:
        hit = self.rng.random() < p
        if hit and variant:
            self.variants.add(variant)
        return hit

    def words(self, text: str) -> str:
        return text.replace("|", ZWSP if self.zwsp else "")

    def mark(self, text: str, mark: str) -> str:
        """Append an ISBD mark (" :", " /", ".", ",") when this record keeps punctuation."""
        if not self.isbd or (mark == "." and text.endswith((".", "-", "?", "!"))):
            return text
        return text + mark


def _field(tag: str, ind: str, *pairs: tuple[str, str]) -> Field:
    return Field(tag, Indicators(ind[0], ind[1]), [Subfield(c, v) for c, v in pairs])


# --------------------------------------------------------------------------- identifiers


def _isbn_field(c: _Copy) -> list[Field]:
    work, rng = c.work, c.rng
    if work.isbn is None:
        return []
    if c.chance((0.14 if c.thai else 0.08) * c.opts.isbn_absent_scale, "isbn:absent"):
        return []
    parts, split = work.isbn, "unsplit_isbn" not in work.extra
    ten_ok = parts[0] == "978" and (not c.thai or parts[1] == "974")
    if ten_ok and c.chance(0.55 if work.year < 2007 else 0.04, "isbn:isbn10"):
        value = isbn10_of(parts)
    else:
        value = "-".join(parts)
    if not (split and c.chance(c.lib.hyphen_rate, "isbn:hyphen")):
        value = value.replace("-", "")
    if c.chance(0.012, "isbn:typo"):
        digits = [i for i, ch in enumerate(value) if ch.isdigit()][4:-1]
        i = rng.choice(digits)
        value = value[:i] + str((int(value[i]) + 1) % 10) + value[i + 1 :]
    subfields = [("a", value)]
    if c.chance(0.25, "isbn:qualifier"):
        qualifier = rng.choice(c.vocab["isbn_qualifiers"])
        if c.rda and rng.random() < 0.6:
            subfields.append(("q", qualifier.strip("()")))
        else:
            subfields[0] = ("a", f"{value} {qualifier}")
    if c.thai and c.chance(0.15, "isbn:price"):
        price = f"{rng.randrange(90, 650, 5)} บาท"
        subfields.append(("c", price))
        if c.isbd:
            subfields[-2] = (subfields[-2][0], subfields[-2][1] + " :")
    return [_field("020", "  ", *subfields)]


def _id_fields(c: _Copy) -> list[Field]:
    work, fields = c.work, _isbn_field(c)
    if work.issn and not c.chance(0.05, "issn:absent"):
        issn = work.issn if c.rng.random() < 0.85 else work.issn.replace("-", "")
        fields.append(_field("022", "0 ", ("a", issn)))
    if work.oclc and c.chance(0.6, "oclc"):
        number = work.oclc
        prefix = "ocm" if len(number) == 8 else "ocn" if len(number) == 9 else "on"
        prefix = prefix if c.rng.random() < 0.7 else ""
        fields.append(_field("035", "  ", ("a", f"(OCoLC){prefix}{number}")))
    source = [("a", c.lib.code), ("b", "tha" if c.thai else "eng")]
    fields.append(_field("040", "  ", *source, *([("e", "rda")] if c.rda else []),
                         ("c", c.lib.code)))  # fmt: skip
    return fields


# --------------------------------------------------------------------------- names, title


def _heading(c: _Copy, person: Person, main: bool) -> Field:
    rng = c.rng
    ind = "0"
    if person.direct_order:
        name = f"{person.forename} {person.surname}"
        if not c.thai and c.chance(0.15, "author:inverted"):
            name, ind = f"{person.surname}, {person.forename}", "1"
    else:
        ind = "1"
        given = person.forename
        if person.middle and rng.random() > 0.25:
            given += f" {person.middle}"
        elif person.middle:
            c.variants.add("author:fuller_dropped")
        if main and c.chance(0.03, "author:initials"):
            given = f"{person.forename[0]}." + (f" {person.middle}" if person.middle else "")
        name = f"{person.surname}, {given}"
    subfields: list[tuple[str, str]] = [("a", name)]
    if person.dates and main and c.chance(0.15 if person.direct_order else 0.35, "author:dates"):
        subfields = [("a", c.mark(name, ",")), ("d", person.dates)]
    if c.rda and rng.random() < 0.6:
        relator = "ผู้แต่ง" if c.thai else "author."
        subfields[-1] = (subfields[-1][0], c.mark(subfields[-1][1], ","))
        subfields.append(("e", relator))
    elif not c.thai:
        subfields[-1] = (subfields[-1][0], c.mark(subfields[-1][1], "."))
    return _field("100" if main else "700", ind + " ", *subfields)


def _names(c: _Copy) -> str | None:
    """245 $c: names as on the title page, in one of the usual forms."""
    work, rng = c.work, c.rng
    if work.kind == "serial":
        return None
    if work.responsibility is not None or not work.authors:
        if work.responsibility is None and rng.random() < 0.5:
            return c.words(rng.choice(work.publisher.names))
        return work.responsibility
    names = []
    for person in work.authors:
        name = person.natural()
        if person.title and rng.random() < 0.7:
            sep = "" if person.title.endswith(".") else " "
            name = f"{person.title}{sep}{name}"
        names.append(name)
    joiner = " และ " if c.thai else rng.choice((" and ", " & "))
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + joiner + names[-1]
    return str(rng.choice(c.vocab["responsibility_forms"])).format(n=text)


def _title_field(c: _Copy, has_main: bool) -> Field:
    work, rng = c.work, c.rng
    title = c.words(work.title)
    if not c.thai and work.source == "composed" and c.chance(0.08, "title:case"):
        title = " ".join(w if w in ("and", "of", "to", "in", "on", "the") and i else w[:1].upper()
                         + w[1:] for i, w in enumerate(title.split(" ")))  # fmt: skip
    subtitle = c.words(work.subtitle) if work.subtitle else None
    if subtitle and c.chance(0.12, "subtitle:dropped"):
        subtitle = None
    volume = None
    if work.volume:
        volume = rng.choice(c.vocab["volume_forms"]).format(n=work.volume)
        if c.chance(0.15, "volume:in_title"):
            title, volume = f"{title} {volume}", None
    names = _names(c) if not c.chance(0.06, "responsibility:dropped") else None
    parts = [("a", title)] + ([("n", volume)] if volume else [])
    parts += ([("b", subtitle)] if subtitle else []) + ([("c", names)] if names else [])
    marked = []
    for (code, text), following in zip(parts, [*[p[0] for p in parts[1:]], ""], strict=True):
        mark = {"n": ".", "b": " :", "c": " /", "": "."}[following]
        marked.append((code, c.mark(text, mark)))
    ind2 = str(work.nonfiling) if work.nonfiling else "0"
    return _field("245", ("1" if has_main else "0") + ind2, *marked)


def _edition(c: _Copy) -> list[Field]:
    work = c.work
    if work.edition == 1:
        if c.thai and work.kind == "book" and c.chance(0.05, "edition:first_stated"):
            return [_field("250", "  ", ("a", "พิมพ์ครั้งที่ 1"))]
        return []
    if c.chance(0.05, "edition:dropped"):
        return []
    form = c.rng.choice(c.vocab["editions"])
    if c.thai:
        text = form.format(n=work.edition)
    else:
        text = form.format(o=c.vocab["ordinals"][work.edition],
                           O=c.vocab["ordinal_words"][work.edition])  # fmt: skip
    return [_field("250", "  ", ("a", c.mark(text, ".")))]


# --------------------------------------------------------------------------- imprint, extent


def _imprint(c: _Copy) -> list[Field]:
    work, rng = c.work, c.rng
    place = work.place
    if c.thai:
        place = rng.choice(c.vocab["place_variants"].get(place, [place]))
    names = work.publisher.names
    publisher = names[0] if rng.random() < 0.7 else rng.choice(names)
    if c.thai:
        be = c.year + BE_OFFSET
        year = rng.choice((f"{be}", f"{be}", f"{be}", f"[{be}]", f"พ.ศ. {be}", f"{be} [{c.year}]"))
    else:
        year = rng.choice((f"{c.year}", f"{c.year}", f"[{c.year}]",
                           f"{c.year}" if c.rda else f"c{c.year}"))  # fmt: skip
    if work.kind == "serial":
        year = f"{work.year + BE_OFFSET if c.thai else work.year}-"
    tag, ind = ("264", " 1") if c.rda else ("260", "  ")
    fields = [_field(tag, ind, ("a", c.mark(place, " :")), ("b", c.mark(publisher, ",")),
                     ("c", c.mark(year, ".")))]  # fmt: skip
    if c.rda and not c.thai and work.kind == "book" and rng.random() < 0.1:
        fields.append(_field("264", " 4", ("c", f"©{c.year}")))
    return fields


def _extent(c: _Copy) -> list[Field]:
    work, rng, v = c.work, c.rng, c.vocab
    if work.kind == "electronic":
        extent = "1 แหล่งข้อมูลออนไลน์" if c.thai else "1 online resource"
        return [_field("300", "  ", ("a", extent))]
    if work.pages is None:
        extent, size = ("เล่ม", f"{work.height} {v['size_unit']}") if c.thai else ("v.", "26 cm")
    else:
        # Copies of one edition differ in counted pages by a few (prelims, plates); more than
        # 10 is, by the matching rules, another edition.
        pages = work.pages + (rng.randint(1, 10) if c.chance(0.08, "pages:differ") else 0)
        if c.thai:
            prelim = rng.choice(("", "", "[8], ", "ก-ฌ, ", "(12), ", "ก-ซ, "))
            extent = f"{prelim}{pages} {v['pages_word']}"
        else:
            prelim = rng.choice(("", "", "xii, ", "xv, ", "ix, ", "xxiv, "))
            extent = f"{prelim}{pages} {'pages' if c.rda else 'p.'}"
        size = f"{work.height} {v['size_unit']}"
    size = size if c.rda and not c.thai else c.mark(size, ".")
    pairs: list[tuple[str, str]] = [("a", extent)]
    if work.illustrated:
        ill = rng.choice(v["illustrations"])
        pairs = [("a", c.mark(extent, " :")), ("b", ill)]
    pairs[-1] = (pairs[-1][0], c.mark(pairs[-1][1], " ;"))
    return [_field("300", "  ", *pairs, ("c", size))]


def _content_types(c: _Copy) -> list[Field]:
    if not c.rda:
        return []
    online = c.work.kind == "electronic"
    media = ("computer", "c") if online else ("unmediated", "n")
    carrier = ("online resource", "cr") if online else ("volume", "nc")
    return [
        _field("336", "  ", ("a", "text"), ("b", "txt"), ("2", "rdacontent")),
        _field("337", "  ", ("a", media[0]), ("b", media[1]), ("2", "rdamedia")),
        _field("338", "  ", ("a", carrier[0]), ("b", carrier[1]), ("2", "rdacarrier")),
    ]


# --------------------------------------------------------------------------- 008


def _field_008(c: _Copy, entered: datetime) -> str:
    """Fixed-length data elements, built position by position (always 40 characters)."""
    work = c.work
    year = c.year + BE_OFFSET if c.thai and c.rng.random() < c.lib.be_008_rate else c.year
    if c.thai and year == c.year:
        c.variants.add("year:ce_in_008")
    lang = "tha" if c.thai else "eng"
    head = f"{entered:%y%m%d}"
    if work.kind == "serial":
        freq = {"ราย 6 เดือน": "f", "Semiannual": "f", "Quarterly": "q", "ราย 3 เดือน": "q"}
        code = freq.get(work.extra.get("frequency", ""), "t")
        body = f"c{year}9999{country_code(work)}{code}r p       0    0"
    elif work.kind == "electronic":
        body = f"s{year}    {country_code(work)}     o  j        "
    else:
        illus = "a   " if work.illustrated else "    "
        contents = "b   " if work.bibliography else "    "
        index = "1" if not c.thai and work.bibliography else "0"
        body = f"s{year}    {country_code(work)}{illus}  {contents} 00{index} 0 "
    value = f"{head}{body}{lang} d"
    assert len(value) == 40, (len(value), value)
    return value


# --------------------------------------------------------------------------- notes, access


def _notes(c: _Copy) -> list[Field]:
    work, fields = c.work, []
    if work.kind == "serial":
        first = work.year + BE_OFFSET if c.thai else work.year
        fields.append(_field("310", "  ", ("a", work.extra.get("frequency", ""))))
        start = f"ปีที่ 1, ฉบับที่ 1 ({first})-" if c.thai else f"Vol. 1, no. 1 ({first})-"
        fields.append(_field("362", "0 ", ("a", start)))
    if work.bibliography and c.chance(0.7):
        first, last = work.bibliography
        note = c.rng.choice(c.vocab["bibliography_notes"]).format(a=first, b=last)
        fields.append(_field("504", "  ", ("a", note)))
    if work.kind == "electronic":
        fields.append(_field("538", "  ", ("a", "Mode of access: World Wide Web.")))
    return fields


_PLACES = ("ไทย", "ไทย (ภาคเหนือ)", "Thailand", "Thailand, Northern")


def _subjects(c: _Copy) -> list[Field]:
    work, fields = c.work, []
    for number, heading in enumerate(work.subjects):
        if number and not c.chance(0.85):
            continue
        head, *subs = heading.split(" -- ")
        pairs = [("a", head)] + [("z" if s in _PLACES else "x", s) for s in subs]
        pairs[-1] = (pairs[-1][0], c.mark(pairs[-1][1], "."))
        fields.append(_field("650", " 4" if c.thai else " 0", *pairs))
    return fields


def _added_entries(c: _Copy) -> list[Field]:
    work = c.work
    people = work.authors[1:] if work.main_entry else work.authors
    if not people or not c.chance(0.85):
        return []
    return [_heading(c, person, main=False) for person in people]


def _link(c: _Copy, local_id: str) -> list[Field]:
    if c.work.kind != "electronic":
        return []
    url = f"https://demo.libcoop.example/{c.lib.code.lower()}/eresource/{local_id}"
    return [_field("856", "40", ("u", url))]


# --------------------------------------------------------------------------- Thai encodings


def _recode(fields: list[Field], change: Callable[[str], str], tags: tuple[str, ...] = ()) -> bool:
    """Apply ``change`` (str -> str) to subfield values of data fields; True if any changed."""
    changed = False
    for field in fields:
        if field.is_control_field() or field.tag < "100" or (tags and field.tag not in tags):
            continue
        new = []
        for sub in field.subfields:
            value = change(sub.value)
            changed = changed or value != sub.value
            new.append(Subfield(sub.code, value))
        field.subfields = new
    return changed


def _thai_encodings(c: _Copy, fields: list[Field]) -> None:
    """Legacy-font and keyboard artefacts that reach union catalogs in Thai records."""
    if not c.thai:
        return
    if c.rng.random() < 0.035 * c.lib.legacy_rate and _recode(fields, _pua):
        c.variants.add("thai:pua")
    decompose = c.rng.random() < 0.05 * c.lib.legacy_rate
    if decompose and _recode(fields, lambda s: s.replace("\u0e33", "\u0e4d\u0e32")):
        c.variants.add("thai:sara_am")
    digits = c.rng.random() < 0.06
    if digits and _recode(fields, lambda s: s.translate(_THAI_DIGITS), ("260", "264", "300")):
        c.variants.add("thai:digits")


# --------------------------------------------------------------------------- record


def catalogue(
    rng: random.Random,
    work: Work,
    lib: LibraryProfile,
    *,
    local_id: str,
    barcodes: list[str],
    entered: datetime,
    options: GeneratorOptions,
) -> tuple[Record, frozenset[str]]:
    """``lib``'s MARC record of ``work`` and the names of the variants it contains."""
    # 005 is the latest change: many older records were revised (and moved to RDA) later.
    changed = min(entered + timedelta(days=rng.randint(0, 3000)), datetime(2024, 12, 31, 17))
    c = _Copy(rng, work, lib, options, changed.year)
    type_level = {"book": "am", "serial": "as", "electronic": "mm"}[work.kind]
    status = "c" if rng.random() < 0.1 else "n"
    level = "7" if rng.random() < 0.08 else " "
    desc = ("i" if c.rda else "a") if c.isbd else "c"
    leader = f"00000{status}{type_level} a2200000{level}{desc} 4500"
    has_main = bool(work.authors) and work.main_entry
    if has_main and c.chance(0.03, "author:no_heading"):  # author only in 245 $c
        has_main = False
    klass, item, dewey = number = call_number(rng, work, lib)
    class_field = (
        _field("082", "04", ("a", klass), ("2", "23"))
        if dewey
        else _field("050", " 4", ("a", klass), ("b", item))
    )
    fields = [
        Field("001", data=local_id),
        Field("003", data=lib.code),
        Field("005", data=f"{changed:%Y%m%d%H%M%S}.0"),
        Field("008", data=_field_008(c, entered)),
        *_id_fields(c),
        class_field,
        *([_heading(c, work.authors[0], main=True)] if has_main else []),
        _title_field(c, has_main),
        *_edition(c),
        *_imprint(c),
        *_extent(c),
        *_content_types(c),
        *_notes(c),
        *_subjects(c),
        *_added_entries(c),
        *_link(c, local_id),
        *holdings_fields(rng, work, lib, number, barcodes),
    ]
    fields.sort(key=lambda field: field.tag)  # stable: repeated tags keep their order
    _thai_encodings(c, fields)
    record = Record(force_utf8=True, leader=leader)
    record.add_field(*fields)
    return record, frozenset(c.variants)
