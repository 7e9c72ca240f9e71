"""The demo member libraries, their cataloguing habits and their local call numbers.

Each profile is a set of probabilities that ``records`` draws from when the library
catalogues a work, plus the shape of its control numbers and barcodes and the subject
areas it collects more of (so that, say, Lanna books cluster in northern libraries).
The profiles are invented for the demo: they borrow the institution codes of real
university libraries in ``network/data/demo_network.yaml`` but do not describe those
libraries' real systems or practices.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pymarc import Field, Indicators, Subfield

from libcoop.catalog.demo.works import Work
from libcoop.core.era import BE_OFFSET

__all__ = [
    "LIBRARIES",
    "CallNumber",
    "LibraryProfile",
    "call_number",
    "country_code",
    "holdings_fields",
]


@dataclass(frozen=True)
class LibraryProfile:
    """One demo library's cataloguing habits (probabilities are per record)."""

    code: str
    weight: float  # relative size of the collection
    affinity: tuple[tuple[str, float], ...]  # subject domains it collects more of
    id_format: str  # shape of its 001
    barcode_prefix: str
    holdings_tag: str  # "949" (local item field) or "852" (location)
    isbd_rate: float  # ISBD punctuation kept (else leader/18 'c')
    rda_rate: float  # RDA: 264 + 336-338 + relators (else AACR2 with 260)
    hyphen_rate: float  # ISBNs keyed with hyphens
    be_008_rate: float  # Thai works: Buddhist-era Date1 in 008 (else CE)
    legacy_rate: float  # multiplies the legacy Thai encodings (PUA, decomposed sara am)
    dewey_thai: bool  # Thai-language books classed in Dewey, not LC
    locations: tuple[str, ...]


LIBRARIES: tuple[LibraryProfile, ...] = (
    LibraryProfile("MFU-LIB", 1.0, (("lanna", 2.5), ("health", 1.5), ("environment", 1.5),
                   ("library", 1.3)), "b{:07d}", "31037", "949", 0.85, 0.8, 0.4, 0.9, 0.6,
                   False, ("ชั้น 3 หนังสือทั่วไป", "Lanna Collection", "Green Corner")),
    LibraryProfile("CMU-LIB", 1.6, (("lanna", 2.5), ("history", 1.5), ("buddhism", 1.3),
                   ("agriculture", 1.2)), "b{:07d}", "30500", "949", 0.9, 0.7, 0.2, 0.8, 1.5,
                   False, ("Main Library", "Northern Thai Information Center", "Thai Book")),
    LibraryProfile("KKU-LIB", 1.4, (("agriculture", 1.5), ("health", 1.5), ("education", 1.3)),
                   "{:09d}", "KKU", "852", 0.7, 0.6, 0.5, 0.7, 1.0,
                   False, ("หอสมุด ชั้น 4", "Isan Information Center", "General Stacks")),
    LibraryProfile("NU-LIB", 1.0, (("education", 1.5), ("health", 1.3), ("lanna", 1.3)),
                   "{:d}", "NU", "949", 0.8, 0.7, 0.3, 1.0, 0.8,
                   False, ("หนังสือภาษาไทย", "English Books", "Reference")),
    LibraryProfile("MJU-LIB", 0.7, (("agriculture", 3.0), ("energy", 1.5), ("lanna", 1.5)),
                   "{:d}", "MJU", "852", 0.5, 0.5, 0.25, 0.6, 1.2,
                   True, ("ชั้น 2 หนังสือทั่วไป", "Agricultural Collection")),
    LibraryProfile("PSU-LIB", 1.3, (("health", 1.5), ("business", 1.3), ("lanna", 0.6)),
                   "b{:07d}", "30070", "949", 0.9, 0.8, 0.35, 0.8, 0.8,
                   False, ("Main Library", "Thai Collection", "Southern Studies Room")),
    LibraryProfile("SUT-LIB", 0.8, (("energy", 2.5), ("computing", 2.0), ("agriculture", 1.2),
                   ("lanna", 0.5), ("buddhism", 0.5)), "{:08d}", "SUT", "852", 0.75, 0.9, 0.6,
                   0.5, 0.5, False, ("Book Stacks", "Reserve")),
    LibraryProfile("UBU-LIB", 0.7, (("agriculture", 1.3), ("buddhism", 1.3), ("education", 1.2)),
                   "{:d}", "UBU", "949", 0.6, 0.6, 0.3, 0.9, 1.3,
                   True, ("ชั้น 3", "Mekong Collection")),
)  # fmt: skip


# Publication places to 008/15-17 country codes (MARC Code List for Countries).
_COUNTRIES = (
    ("Cambridge, Mass", "mau"), ("Cambridge, MA", "mau"), ("Cmabridge, MA", "mau"),
    ("Bangkok", "th "), ("Chiang Mai", "th "), ("Singapore", "si "), ("Cham", "sz "),
    ("Amsterdam", "ne "), ("Beijing", "cc "), ("Oxford", "enk"), ("London", "enk"),
    ("Cambridge", "enk"), ("Chichester", "enk"), ("Harlow", "enk"), ("Abingdon", "enk"),
    ("Wallingford", "enk"), ("New York", "nyu"), ("Hoboken", "nju"), ("Upper Saddle", "nju"),
    ("Englewood", "nju"), ("Calif", "cau"), (", CA", "cau"), ("San Diego", "cau"),
    ("Berkeley", "cau"), ("Boston", "mau"), ("Reading, Mass", "mau"), ("Somerville", "mau"),
    ("Washington", "dcu"), ("Chicago", "ilu"), ("Indianapolis", "inu"), ("Moscow", "ru "),
)  # fmt: skip


def country_code(work: Work) -> str:
    """008/15-17 place of publication (MARC Code List for Countries); "xx " if unknown."""
    if work.lang == "tha":
        return "th "
    for needle, code in _COUNTRIES:
        if needle in work.place:
            return code
    return "xx "


# --------------------------------------------------------------------------- call numbers

CallNumber = tuple[str, str, bool]  # (class part, item part, is_dewey)


def _first_letter(text: str) -> str:
    for ch in text:
        if "\u0e01" <= ch <= "\u0e2e" or ch.isalpha():
            return ch.upper()
    return "X"


def call_number(rng: random.Random, work: Work, lib: LibraryProfile) -> CallNumber:
    """LC (or, for Thai books at some libraries, Dewey) class plus a cutter and year.

    Thai libraries cutter Thai books with the first consonant of the main entry, a number
    and the first consonant of the title ("ส691ก"), and give the Buddhist-era year. Each
    library works out its own cutter, so one in five differs a little from the others.
    """
    digits = work.cutter if rng.random() < 0.8 else max(11, work.cutter + rng.randint(-30, 30))
    entry = ""
    if work.authors and work.main_entry:
        first = work.authors[0]
        entry = first.forename if first.direct_order else first.surname
    title = work.title.replace("|", "")
    thai = work.lang == "tha"
    if thai:
        item = f"{_first_letter(entry or title)}{digits}{_first_letter(title)}"
        year = str(work.year + BE_OFFSET)
    else:
        item = f".{_first_letter(entry or title[work.nonfiling :])}{digits // 10}"
        year = str(work.year)
    if work.volume:
        item += f" {'ล.' if thai else 'v.'}{work.volume}"
    dewey = thai and lib.dewey_thai
    return (work.dewey if dewey else work.lc_class), f"{item} {year}", dewey


def _field(tag: str, ind: str, *pairs: tuple[str, str]) -> Field:
    return Field(tag, Indicators(ind[0], ind[1]), [Subfield(c, v) for c, v in pairs])


def holdings_fields(
    rng: random.Random, work: Work, lib: LibraryProfile, number: CallNumber, barcodes: list[str]
) -> list[Field]:
    """One 949 (local item) or 852 (location) per copy; online resources get one, unbarcoded."""
    klass, item, dewey = number
    thai = work.lang == "tha"
    location = rng.choice(lib.locations)
    if work.kind == "electronic":
        if lib.holdings_tag == "949":
            return [
                _field("949", "  ", ("a", f"{klass} {item}"), ("l", "Online"), ("t", "E-resource"))
            ]
        return [_field("852", "0 ", ("a", lib.code), ("b", "Online"), ("h", klass), ("i", item))]
    fields = []
    for copy, barcode in enumerate(barcodes, start=1):
        label = f" {'ฉ.' if thai else 'c.'}{copy}" if copy > 1 else ""
        if lib.holdings_tag == "949":
            kind = "หนังสือ" if thai else "Book"
            fields.append(_field("949", "  ", ("a", f"{klass} {item}{label}"), ("i", barcode),
                                 ("l", location), ("t", kind)))  # fmt: skip
        else:
            fields.append(_field("852", ("1" if dewey else "0") + " ", ("a", lib.code),
                                 ("b", location), ("h", klass), ("i", item + label),
                                 ("p", barcode), ("t", str(copy))))  # fmt: skip
    return fields
