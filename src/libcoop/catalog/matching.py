"""Match rules: are two member records the same edition? In the spirit of NatLibFi's
RecordManager: blocking keys pick candidates, then hard rules reject, identifiers accept.

Pure functions over :class:`MatchInfo`; no database access here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from rapidfuzz.distance import Levenshtein

from libcoop.catalog.identifiers import to_ascii_digits
from libcoop.textsearch.keys import author_key, text_key

if TYPE_CHECKING:
    from libcoop.catalog.facts import BibFacts

TITLE_DISTANCE_LIMIT = 0.10  # edit distance as a share of the longer title: reject at >= 10 %
PAGE_DIFFERENCE_LIMIT = 10
AUTHOR_DISTANCE_LIMIT = 0.20
KEY_TITLE_CHARS = 12
SURNAME_TYPO_MIN = 6  # surnames this long may differ by one edit
CONTAINED_TITLE_WORDS = 4  # a shorter title found inside a longer one counts from 4 words

# Volume and part designations written differently by different cataloguers ("Volume 1",
# "Vol. 1", "v. 1"; Thai เล่มที่ 1, เล่ม 1, ภาค 1 — Thai cataloguers use ภาค for the volumes
# of a set) are one form for matching; parts (part, ตอน) stay parts.
_VOLUME = re.compile(r"(?:(?<=\s)|^)(?:volume|vol|v|เล่มที่|เล่ม|ภาคที่|ภาค)\s*(?=\d)")
_PART = re.compile(r"(?:(?<=\s)|^)(?:part|pt|ตอนที่|ตอน)\s*(?=\d)")
_NUMBER = re.compile(r"\d+")


_AND = re.compile(r"(?:(?<=\s)|^)and(?=\s|$)\s?")
# Typewriters without a "1" key: cataloguers typed a lower-case L ("l945", "l990s").
_TYPED_ONE_NUMBER = re.compile(r"(?<![^\s\d])l(?=\d{2})|(?<=\d)l(?=\d|s?(?:\s|$))")


@lru_cache(maxsize=65536)
def match_title(title_key: str) -> str:
    """The title key as matching compares it (keys are already casefolded): volume and part
    words in one form, "and" dropped (one library writes "&", which the key drops, the other
    "and"), and a typed "l" in a number read as "1"."""
    text = _PART.sub("pt ", _VOLUME.sub("v ", title_key))
    if "l" in text:
        text = _TYPED_ONE_NUMBER.sub("1", text)
    if "and" in text:
        text = _AND.sub("", text).strip()
    return text


class MatchInfo(NamedTuple):
    """The comparable facts of one active record (a named tuple: an import builds one for
    every candidate it compares, and a tuple is several times cheaper to make than a frozen
    dataclass)."""

    record_id: int
    library_id: int
    format: str
    title_key: str
    author_key: str = ""
    year: int | None = None
    pages: int | None = None
    isbns: frozenset[str] = frozenset()
    issns: frozenset[str] = frozenset()
    other_ids: frozenset[str] = frozenset()


# Rejections that speak against the whole cluster, not just one member: a record that
# conflicts so with any member must not join, even if it matches another member.
HARD_REJECTIONS = frozenset(
    {"format", "issn_conflict", "isbn_conflict", "year", "pages", "author", "numbers", "edition"}
)

# --------------------------------------------------------------------------- match facts
#
# Besides identifiers ("oclc:…", "lccn:…"), ``other_ids`` carries the record's other match
# facts as prefixed terms, derived from the MARC at import (``match_terms``): every name
# heading ("pn:" personal, "cn:" corporate), the publisher ("pub:"), the edition statement
# ("ed:") and imprint years that differ from the 008's ("yr:"). Only identifiers are
# blocking keys or shared-identifier evidence.
IDENTIFIER_PREFIXES = ("oclc:", "lccn:")
MAX_NAMES = 12  # name headings kept per record (a proceedings volume can list hundreds)


class Extras(NamedTuple):
    identifiers: frozenset[str]
    personal: tuple[str, ...]
    corporate: tuple[str, ...]
    publisher: str
    edition: str
    years: frozenset[int]
    title_proper: str = ""  # "tp:": the 245 $a $n $p key when the title has a $b
    span: tuple[int, int] | None = None  # "ys:1890-1899": an uncertain date's span
    multiple: tuple[int, int] | None = None  # "ym:1895-1897": a multipart's years
    pages_approximate: bool = False  # "pg:approx": "ca. 300 p.", "various pagings"
    volumes: int = 0  # "nv:2": a multipart item's volumes, where no page count is given


@lru_cache(maxsize=65536)
def extras(other_ids: frozenset[str]) -> Extras:
    ids: set[str] = set()
    personal: list[str] = []
    corporate: list[str] = []
    publisher = edition = proper = ""
    years: set[int] = set()
    span: tuple[int, int] | None = None
    multiple: tuple[int, int] | None = None
    approximate = False
    volumes = 0
    for term in sorted(other_ids):
        kind, _, value = term.partition(":")
        if kind == "pn":
            personal.append(value)
        elif kind == "cn":
            corporate.append(value)
        elif kind == "pub":
            publisher = value
        elif kind == "ed":
            edition = value
        elif kind == "yr" and value.isdigit():
            years.add(int(value))
        elif kind == "tp":
            proper = value
        elif kind in ("ys", "ym"):
            first, _, last = value.partition("-")
            if first.isdigit() and last.isdigit():
                if kind == "ys":
                    span = (int(first), int(last))
                else:
                    multiple = (int(first), int(last))
        elif kind == "pg":
            approximate = value == "approx"
        elif kind == "nv" and value.isdigit():
            volumes = int(value)
        else:
            ids.add(term)
    return Extras(
        frozenset(ids),
        tuple(personal),
        tuple(corporate),
        publisher,
        edition,
        frozenset(years),
        proper,
        span,
        multiple,
        approximate,
        volumes,
    )


# Publisher words that cataloguers abbreviate, drop or add ("Macmillan" / "The Macmillan
# company"; "Harper & brothers" / "Harper and Brothers"; "Oxford University Press" /
# "Oxford Univ. Pr."; Thai "สำนักพิมพ์ดอกหญ้า" / "ดอกหญ้า"). Dropped words, after text_key:
_PUBLISHER_NOISE = frozenset(
    {
        "the",
        "and",
        "press",
        "pr",
        "publisher",
        "publishers",
        "publishing",
        "pub",
        "publ",
        "co",
        "company",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "sons",
        "son",
        "bros",
        "brothers",
        "book",
        "books",
        "house",
        "verlag",
        "editions",
        "print",
        "printing",
        "printed",
        "off",
        "office",
        "for",
        "by",
        "of",
        "บริษัท",
        "จำกัด",
        "มหาชน",
        "สำนักพิมพ์",
        "สนพ",
        "โรงพิมพ์",
        "ห้างหุ้นส่วนจำกัด",
        "หจก",
    }
)
_PUBLISHER_WORDS = {
    "univ": "university",
    "govt": "government",
    "gov": "government",
    "dept": "department",
    "natl": "national",
    "assn": "association",
    "soc": "society",
    "inst": "institute",
    "mass": "massachusetts",
}
_THAI_PUBLISHER_PREFIX = re.compile(r"^(?:สำนักพิมพ์|สนพ\.?|โรงพิมพ์|บริษัท)\s*")


def publisher_key(name: str) -> str:
    """A publisher name in one form: "&"/"and", Press/Pr., Univ./University, Co./Company,
    the Thai สำนักพิมพ์ (publishing house) and บริษัท … จำกัด (company) wrappers dropped."""
    text = _THAI_PUBLISHER_PREFIX.sub("", name.strip().replace("&", " and "))
    words = [_PUBLISHER_WORDS.get(w, w) for w in text_key(text).split()]
    # Forenames' initials ("C. Scribner", "E.P. Dutton") are dropped with the noise words.
    kept = [w for w in words if w not in _PUBLISHER_NOISE and not (len(w) == 1 and w.isalpha())]
    return " ".join(kept or words)


_ORDINAL = re.compile(r"\b(\d{1,3})\s*(?:st|nd|rd|th|d|e|er|eme|te|ste)?\b\.?")
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
_THAI_EDITION = re.compile(r"(?:พิมพ์)?ครั้งที่\s*(\d+)")
_REVISED = re.compile(
    r"\b(?:rev|revised|enl|enlarged|new|corr|corrected|augm)\b|ปรับปรุง|แก้ไข|เพิ่มเติม"
)


# A printing (impression) of an edition says nothing about the edition (ISBD: the same
# edition); Thai พิมพ์ครั้งที่ N is the edition statement there and stays one.
_PRINTING = re.compile(r"\b(?:impression|printing|thousand|reprint(?:ed)?|tirage|druck)\b")
_EDITION_WORD = re.compile(r"\b(?:ed|edition|éd|édition|aufl|auflage)\b")


def edition_key(statement: str) -> str:
    """An edition statement as "<number>" and/or "r" (revised, enlarged, new): "2d ed." and
    "Second edition" give "2"; "พิมพ์ครั้งที่ ๓" gives "3"; "ฉบับปรับปรุง" and "Rev. ed."
    give "r"; "3d ed., rev." gives "3r". Other statements ("1st American ed.") give ""
    beyond their number; a printing ("4th impression") gives ""."""
    text = to_ascii_digits(statement).casefold()
    number = ""
    if _PRINTING.search(text) and not _EDITION_WORD.search(text):
        return ""  # "4th impression", "5th printing", "10th thousand": the same edition
    thai = _THAI_EDITION.search(text)
    if thai:
        number = str(int(thai.group(1)))
    else:
        match = _ORDINAL.search(text)
        if match:
            number = str(int(match.group(1)))
        else:
            for word, value in _ORDINAL_WORDS.items():
                if re.search(rf"\b{word}\b", text):
                    number = str(value)
                    break
    return number + ("r" if _REVISED.search(text) else "")


def match_terms(facts: BibFacts) -> list[str]:
    """The match facts of a record as ``other_ids`` terms (see ``Extras``)."""
    terms: list[str] = []
    for prefix, names in (("pn", facts.personal_names), ("cn", facts.corporate_names)):
        for name in names[:MAX_NAMES]:
            key = author_key(name)[:120]
            if key:
                terms.append(f"{prefix}:{key}")
    if facts.publisher:
        key = publisher_key(facts.publisher)[:120]
        if key:
            terms.append(f"pub:{key}")
    if facts.edition:
        key = edition_key(facts.edition)
        if key:
            terms.append(f"ed:{key}")
    terms.extend(f"yr:{y}" for y in facts.imprint_years[:3])
    if facts.title_proper:
        proper = text_key(facts.title_proper)[:200]
        if proper:
            terms.append(f"tp:{proper}")
    if facts.year_span:
        terms.append(f"ys:{facts.year_span[0]}-{facts.year_span[1]}")
    if facts.year_multiple:
        terms.append(f"ym:{facts.year_multiple[0]}-{facts.year_multiple[1]}")
    if facts.pages_approximate:
        terms.append("pg:approx")
    if facts.volumes:
        terms.append(f"nv:{facts.volumes}")
    return terms


def match_fields(facts: BibFacts) -> dict[str, Any]:
    """The BibRecord columns matching reads, from a record's facts: what an import writes
    (``prepare.record_fields``) and what ``rematch`` writes again after a rule change."""
    other_ids = [f"oclc:{n}" for n in facts.oclc_numbers]
    if facts.lccn:
        other_ids.append(f"lccn:{facts.lccn}")
    other_ids.extend(match_terms(facts))
    return {
        "format": facts.format,
        "title_key": text_key(facts.title_sort)[:300],
        "author_key": author_key(facts.main_author or "")[:200],
        "year": facts.year,
        "pages": facts.pages,
        "isbns": list(facts.isbns),
        "issns": list(facts.issns),
        "other_ids": other_ids,
    }


@dataclass(frozen=True)
class Verdict:
    match: bool
    rule: str  # the accepting rule, or the reason for rejection
    key: str = ""
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def strength(self) -> int:
        """Identifier matches outrank title matches when a record could join two clusters."""
        return {"isbn": 3, "oclc": 3, "lccn": 3, "issn": 2, "title_author_year": 1}.get(
            self.rule, 0
        )


def blocking_keys(info: MatchInfo) -> set[str]:
    """Keys under which a record can be found as a candidate."""
    extra = extras(info.other_ids)
    keys = {f"isbn:{i}" for i in info.isbns}
    keys |= {f"issn:{i}" for i in info.issns}
    keys |= set(extra.identifiers)
    if info.title_key:
        # The start of the title without spaces: robust to spacing and punctuation variants.
        head = match_title(info.title_key).replace(" ", "")[:KEY_TITLE_CHARS]
        surname = info.author_key.split(" ", 1)[0] if info.author_key else ""
        keys.add(f"ta:{head}|{surname}")
        # Any other name heading: the other library may have chosen it as the main entry.
        for name in (*extra.personal, *extra.corporate)[:4]:
            keys.add(f"ta:{head}|{name.split(' ', 1)[0]}")
        if info.year:
            keys.add(f"ty:{head}|{info.year}")
            # A title keyed differently at its start (a typo, "and" dropped, a leading
            # transliteration mark) is still found through its full name and year.
            for name in (*extra.personal, *extra.corporate)[:2]:
                keys.add(f"ny:{name}|{info.year}")
    return {k[:200] for k in keys}


def _distance(a: str, b: str) -> float:
    if not a and not b:
        return 0.0
    return Levenshtein.distance(a, b) / max(len(a), len(b))


def title_limit(length: int) -> float:
    """Edit distance (share of the longer title) below which two titles agree. It grows with
    the length: one typo in "Oraons of Choota Nagpur" is 4 %, but a 10-letter title with two
    changed letters is another title; long titles differ in more places (abbreviations,
    numerals, a word added) while staying the same text."""
    if length < 12:
        return 0.10
    if length < 40:
        return 0.12
    return 0.15


def _titles_agree(a: str, b: str, *, allow_prefix: bool) -> tuple[bool, float]:
    d = _distance(a, b)
    if d < title_limit(max(len(a), len(b))):
        return True, d
    if not (allow_prefix and a and b):
        return False, d
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    # One cataloguer kept the subtitle (or more of it), the other did not: the shorter title
    # against the start of the longer, with the same tolerance.
    if _distance(short, long_[: len(short)]) < title_limit(len(short)):
        return True, d
    # ... or put a series or collective title before the title proper.
    return len(short.split()) >= CONTAINED_TITLE_WORDS and f" {short} " in f" {long_} ", d


def _initials_compatible(a: list[str], b: list[str]) -> bool:
    """ "wood andrew s" and "wood a s": same surname, forenames agree where both are given
    (an initial agrees with any name it begins)."""
    if len(a) < 2 or len(b) < 2 or a[0] != b[0]:
        return False
    for x, y in zip(a[1:], b[1:], strict=False):
        if x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
            continue
        return False
    return True


def _authors_agree(a: str, b: str) -> tuple[bool, float]:
    if not a or not b:
        return True, 0.0
    if a == b or a.startswith(b) or b.startswith(a):
        return True, 0.0
    # "Somsri Yodkham" and "Yodkham, Somsri": the same name in direct and inverted order.
    if sorted(a.split()) == sorted(b.split()):
        return True, 0.0
    if _initials_compatible(a.split(), b.split()):
        return True, 0.0
    d = _distance(a, b)
    return d <= AUTHOR_DISTANCE_LIMIT, d


def _personal_agree(a: str, b: str) -> bool:
    """Surname and initials: "cozzens frederic s" = "cozzens frederick swartwout" =
    "cozzens f s"; the initials of the shorter form appear in order in the longer one
    ("orr sutherland" = "orr alexandra sutherland"), and a surname of 6 letters or more
    may carry one typo ("boschere" / "bosschere"). Also the same words in another order
    (Thai names entered direct and inverted)."""
    if a == b:
        return True
    x, y = a.split(), b.split()
    if sorted(x) == sorted(y):
        return True
    if not x or not y:
        return False
    # Two words in common: a compound or a fuller form ("miscall peter d" / "quinn miscall
    # peter d"; "rives amelie" / "troubetzkoy amelie rives chanler").
    if len({w for w in x if len(w) > 2} & {w for w in y if len(w) > 2}) >= 2:
        return True
    if x[0] != y[0] and (
        min(len(x[0]), len(y[0])) < SURNAME_TYPO_MIN or Levenshtein.distance(x[0], y[0]) > 1
    ):
        return False
    ix, iy = [w[0] for w in x[1:]], [w[0] for w in y[1:]]
    short, long_ = (ix, iy) if len(ix) <= len(iy) else (iy, ix)
    rest = iter(long_)
    return all(initial in rest for initial in short)


_NAME_FILLERS = frozenset({"of", "the", "and", "for", "in", "on", "at", "de", "des", "du"})


_CORPORATE_WORDS = {
    **_PUBLISHER_WORDS,
    "co": "company",
    "assoc": "association",
    "dep": "department",
}


@lru_cache(maxsize=16384)
def corporate_form(name: str) -> str:
    """A body's name with its abbreviations written out and "and"/"of"/"the" dropped:
    "united states dept of state" = "united states department of state";
    "bausch lomb optical co" (from "&") = "bausch and lomb optical company"."""
    words = [_CORPORATE_WORDS.get(w, w) for w in name.split()]
    return " ".join(w for w in words if w not in _NAME_FILLERS)


def _corporate_agree(a: str, b: str) -> bool:
    """ "national youth work alliance" = "national youth workers alliance washington d c":
    the shorter name against the same length of the longer, within the author limit."""
    if a == b:
        return True
    a, b = corporate_form(a), corporate_form(b)
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if long_.startswith(short + " "):
        return True  # "queensland" / "queensland parliament": the body and its jurisdiction
    # "india archaeological survey" / "archaeological survey of india": the same words.
    words_short = set(short.split()) - _NAME_FILLERS
    if len(words_short) >= 2 and words_short <= set(long_.split()):
        return True
    if len(short.split()) < 2:
        return False
    return _distance(short, long_[: len(short)]) <= AUTHOR_DISTANCE_LIMIT


def _names_agree(a: MatchInfo, ea: Extras, b: MatchInfo, eb: Extras) -> tuple[bool | None, str]:
    """Does any name of *a* (1XX or 7XX) agree with one of *b*'s? None when one record has
    no name at all (no evidence either way); the agreeing name for the decision's key."""
    personal_a = ea.personal or ((a.author_key,) if a.author_key and not ea.corporate else ())
    personal_b = eb.personal or ((b.author_key,) if b.author_key and not eb.corporate else ())
    if not (personal_a or ea.corporate) or not (personal_b or eb.corporate):
        return None, ""
    for x in personal_a:
        for y in personal_b:
            if _personal_agree(x, y):
                return True, f"name:{x}"
    for x in ea.corporate:
        for y in eb.corporate:
            if _corporate_agree(x, y):
                return True, f"name:{x}"
    # A body entered as a person (100 0_ "Bharat Sevak Samaj") against its 110: the same
    # words under another tag.
    for x in ea.corporate:
        if x in personal_b:
            return True, f"name:{x}"
    for y in eb.corporate:
        if y in personal_a:
            return True, f"name:{y}"
    return False, ""


def _persons_on_both(a: MatchInfo, ea: Extras, b: MatchInfo, eb: Extras) -> bool:
    """Both records name a person (1XX or 7XX personal name)."""
    personal_a = ea.personal or ((a.author_key,) if a.author_key and not ea.corporate else ())
    personal_b = eb.personal or ((b.author_key,) if b.author_key and not eb.corporate else ())
    return bool(personal_a and personal_b)


def _publishers_agree(a: str, b: str) -> bool | None:
    if not a or not b:
        return None
    if a == b or a.startswith(b) or b.startswith(a):
        return True
    # "harper" / "j j harper bros"; "government" / "u s government": every word of one in
    # the other.
    words_a, words_b = set(a.split()), set(b.split())
    if words_a <= words_b or words_b <= words_a:
        return True
    return _distance(a, b) <= AUTHOR_DISTANCE_LIMIT


def _editions_conflict(a: str, b: str) -> bool:
    """Both say which edition, with different numbers ("2" / "3"). "Revised" alone is no
    conflict: cataloguers of one edition write "3rd ed." and "3rd ed., rev." alike."""
    number_a, number_b = a.rstrip("r"), b.rstrip("r")
    return bool(number_a and number_b and number_a != number_b)


PAGE_SHARE_LIMIT = 0.03  # long books: counts within 3 % (plates, end matter counted or not)
TITLE_PROPER_WORDS = 3  # a title proper this short needs every other fact to agree


def _years(a: MatchInfo, ea: Extras, b: MatchInfo, eb: Extras) -> tuple[int | None, bool]:
    """How far apart the two records' dates are (None: a date is missing), and whether they
    confirm each other (the same exact year, or the same span). An uncertain date (a span:
    "[189-?]", 008 "q"/"m") is apart from a year only by the distance to its span, and it
    confirms only the same span."""
    span_a = ea.span or ((a.year, a.year) if a.year else None)
    span_b = eb.span or ((b.year, b.year) if b.year else None)
    if span_a is None or span_b is None:
        return None, False
    if ea.span or eb.span:
        gap = max(0, max(span_a[0], span_b[0]) - min(span_a[1], span_b[1]))
        return gap, span_a == span_b
    if not (a.year and b.year):
        return None, False
    if a.year == b.year:
        return 0, True
    # The 008's year or one of the imprint's (a printing date): the nearest pair counts.
    years_a, years_b = {a.year} | ea.years, {b.year} | eb.years
    gap = max(1, min(abs(x - y) for x in years_a for y in years_b))
    # A set published over several years ("1895-1897") holds a year within its span.
    for multiple, year in ((ea.multiple, b.year), (eb.multiple, a.year)):
        if multiple and multiple[0] - 1 <= year <= multiple[1] + 1:
            return 0, False
    return gap, False


def _pages(a: MatchInfo, ea: Extras, b: MatchInfo, eb: Extras) -> tuple[int | None, bool]:
    """The difference of the page counts (None: one unknown or an estimate) and whether
    they are equal (within 2 pages, or 1 % of a long book)."""
    if ea.volumes and eb.volumes and not (a.pages or b.pages):
        # Sets without a page count: the same number of volumes is the extent agreeing.
        return abs(ea.volumes - eb.volumes), ea.volumes == eb.volumes
    if ea.pages_approximate and eb.pages_approximate and a.pages and a.pages == b.pages:
        return 0, True  # the same estimate: "471 p. in various pagings" on both
    if not (a.pages and b.pages) or ea.pages_approximate or eb.pages_approximate:
        return None, False
    difference = abs(a.pages - b.pages)
    return difference, difference <= max(2, max(a.pages, b.pages) // 100)


def _page_typo(a: int, b: int) -> bool:
    """Two page counts one keyed digit apart: changed, lost, added or two swapped."""
    x, y = str(a), str(b)
    if len(x) == len(y) and sorted(x) == sorted(y):
        return sum(1 for p, q in zip(x, y, strict=True) if p != q) == 2  # transposed
    return Levenshtein.distance(x, y) == 1 and min(len(x), len(y)) >= 2


def _pages_conflict(difference: int | None, a: MatchInfo, b: MatchInfo) -> bool:
    if difference is None or not (a.pages and b.pages):
        return False
    return difference > max(PAGE_DIFFERENCE_LIMIT, PAGE_SHARE_LIMIT * max(a.pages, b.pages))


def _proper(info: MatchInfo, extra: Extras) -> str:
    """The title proper as matching compares it: the "tp:" term, else the whole title."""
    return match_title(extra.title_proper or info.title_key)


def _imprint_identical(
    a: MatchInfo, ea: Extras, b: MatchInfo, eb: Extras, *, years_equal: bool, pages_equal: bool
) -> bool:
    """Same title (or title proper), year, page count and publisher: the names were only
    entered differently (a pseudonym against the real name, a fuller or another form of a
    body's name)."""
    if not (years_equal and pages_equal and _publishers_agree(ea.publisher, eb.publisher)):
        return False
    if _distance(match_title(a.title_key), match_title(b.title_key)) <= 0.05:
        return True
    proper_a, proper_b = _proper(a, ea), _proper(b, eb)
    return (
        len(min(proper_a, proper_b, key=len).split()) >= TITLE_PROPER_WORDS
        and _distance(proper_a, proper_b) <= 0.05
    )


def _numbers_conflict(a: str, b: str) -> bool:
    """Volume 2 and volume 3 of a set share everything but the number: each title has a
    number the other lacks. Numbers in one title only (the other left the subtitle with
    its dates out) are no conflict."""
    numbers_a, numbers_b = set(_NUMBER.findall(a)), set(_NUMBER.findall(b))
    return bool(numbers_a - numbers_b and numbers_b - numbers_a)


def compare(a: MatchInfo, b: MatchInfo) -> Verdict:
    """Decide whether *a* and *b* describe the same edition."""
    if a.library_id == b.library_id:
        return Verdict(False, "same_library")
    if a.format != b.format:
        return Verdict(False, "format")
    if a.issns and b.issns and not a.issns & b.issns:
        return Verdict(False, "issn_conflict")
    ea, eb = extras(a.other_ids), extras(b.other_ids)
    # Years one apart are a printing or a typing difference that the accepting rules below
    # must outweigh; further apart, another edition.
    year_gap, years_equal = _years(a, ea, b, eb)
    if year_gap is not None and year_gap > 1:
        return Verdict(False, "year", scores={"year_gap": float(year_gap)})
    page_difference, pages_equal = _pages(a, ea, b, eb)
    names_ok, name_key = _names_agree(a, ea, b, eb)
    page_typo = False
    if _pages_conflict(page_difference, a, b):
        # One keyed digit apart (238 / 288, 279 / 297, 56 / 6) with the same title, year,
        # name and publisher: a typing slip, so the page counts say nothing.
        page_typo = bool(
            years_equal
            and names_ok
            and _publishers_agree(ea.publisher, eb.publisher)
            and _page_typo(a.pages or 0, b.pages or 0)
            and _distance(match_title(a.title_key), match_title(b.title_key))
            < title_limit(max(len(a.title_key), len(b.title_key)))
        )
        if not page_typo:
            return Verdict(False, "pages", scores={"page_difference": float(page_difference or 0)})
    bodies_differ = False
    if names_ok is False and not _imprint_identical(
        a, ea, b, eb, years_equal=years_equal, pages_equal=pages_equal
    ):
        if _persons_on_both(a, ea, b, eb) or not (
            pages_equal or _publishers_agree(ea.publisher, eb.publisher)
        ):
            _, author_distance = _authors_agree(a.author_key, b.author_key)
            return Verdict(False, "author", scores={"author_distance": round(author_distance, 3)})
        # Only bodies' names to compare on one side: catalogues name a body in many forms
        # (its hierarchy, a former name, the issuing office), so they do not tell two
        # books apart; the page count or the publisher has to agree instead.
        names_ok, bodies_differ = None, True
    if _editions_conflict(ea.edition, eb.edition):
        return Verdict(False, "edition", key=f"ed:{ea.edition}|{eb.edition}")
    shared = sorted(
        [f"isbn:{i}" for i in a.isbns & b.isbns]
        + sorted(ea.identifiers & eb.identifiers)
        + [f"issn:{i}" for i in a.issns & b.issns]
    )
    title_a, title_b = match_title(a.title_key), match_title(b.title_key)
    if _numbers_conflict(title_a, title_b):
        return Verdict(False, "numbers")
    # Without a shared identifier, a missing subtitle (or a series title or other words
    # around the title proper) is accepted only when a name agrees and the years are equal.
    publishers_ok = _publishers_agree(ea.publisher, eb.publisher)
    # With no name on one side, the publisher or (for a title of three words or more) the
    # page count stands in for it.
    shorter = min(title_a, title_b, key=len)
    corroborated = bool(
        years_equal
        and (
            names_ok
            or (
                names_ok is None
                and (publishers_ok or (pages_equal and len(shorter.split()) >= TITLE_PROPER_WORDS))
            )
        )
    )
    titles_ok, title_distance = _titles_agree(
        title_a, title_b, allow_prefix=bool(shared) or corroborated
    )
    scores: dict[str, float] = {"title_distance": round(title_distance, 3)}
    if year_gap:
        scores["year_gap"] = float(year_gap)
    if page_difference:
        scores["page_difference"] = float(page_difference)
    if page_typo:
        scores["page_typo"] = 1.0
    if bodies_differ:
        scores["bodies_differ"] = 1.0
    if not titles_ok:
        proper = _title_proper_agrees(
            a, ea, b, eb, names_ok=names_ok, publishers_ok=publishers_ok, pages_equal=pages_equal
        )
        full = bool(names_ok and publishers_ok and pages_equal)
        if (
            proper is not None
            and (years_equal or (year_gap == 1 and full))
            and not (a.isbns and b.isbns and not shared)
        ):
            scores["title_proper_distance"] = proper
            rule = "title_proper"
            return Verdict(True, rule, name_key or f"publisher:{ea.publisher}", scores)
        return Verdict(False, "title", scores=scores)
    if shared:
        # Serials share an ISSN across issues only with the same title: titles checked above.
        rule = shared[0].split(":", 1)[0]
        return Verdict(True, rule, shared[0], scores)
    if a.isbns and b.isbns:
        return Verdict(False, "isbn_conflict", scores=scores)
    # Strong agreement beside the title: a name, the page count and the publisher (when
    # both give one) — enough to outweigh a year one apart or a year missing or unknown.
    strong = bool(names_ok and pages_equal and publishers_ok is not False) or bool(
        pages_equal and publishers_ok and names_ok is None
    )
    if years_equal and a.title_key:
        if names_ok is False:  # accepted by _imprint_identical
            return Verdict(True, "title_imprint", f"publisher:{ea.publisher}", scores)
        return Verdict(True, "title_author_year", name_key or f"year:{a.year}", scores)
    if strong and a.title_key and title_distance < title_limit(len(a.title_key)):
        rule = "title_year_near" if year_gap else "title_no_year"
        return Verdict(True, rule, name_key or f"publisher:{ea.publisher}", scores)
    return Verdict(False, "weak", scores=scores)


def _title_proper_agrees(
    a: MatchInfo,
    ea: Extras,
    b: MatchInfo,
    eb: Extras,
    *,
    names_ok: bool | None,
    publishers_ok: bool | None,
    pages_equal: bool,
) -> float | None:
    """The titles proper (245 $a $n $p) agree where the subtitles do not — one library
    abridged or reworded the other title information — and two of name, page count and
    publisher agree (all three for a title proper of fewer than three words: "Proceedings",
    "Report"). Returns the titles proper's distance, or None."""
    evidence = sum(1 for ok in (names_ok, publishers_ok, pages_equal) if ok)
    proper_a, proper_b = _proper(a, ea), _proper(b, eb)
    if not (ea.title_proper or eb.title_proper):
        # No subtitle coded apart: the words both titles begin with stand for it (or,
        # with name, pages and publisher all agreeing, the whole titles).
        common = _common_start(proper_a.split(), proper_b.split())
        if common:
            proper_a = proper_b = common
        elif evidence < 3:
            return None
    shorter, longer = sorted((proper_a, proper_b), key=len)
    short = len(shorter.split()) < TITLE_PROPER_WORDS
    if evidence < (3 if short else 2):
        return None
    distance = _distance(proper_a, proper_b)
    limit = title_limit(len(longer))
    agree = (
        distance < limit
        # A title proper without its article (a non-filing count keyed wrong) ...
        or _distance(_without_article(proper_a), _without_article(proper_b)) < limit
        # ... one whose end the other library moved into the subtitle ...
        or (not short and _distance(shorter, longer[: len(shorter)]) < title_limit(len(shorter)))
        # ... or the same words but one added, dropped or changed (in a title of five
        # words or more; of three or more when name, pages and publisher all agree).
        or _words_agree(proper_a, proper_b, 3 if evidence == 3 else 5)
    )
    if not agree:
        return None
    return round(distance, 3)


_ARTICLES = frozenset(
    {"the", "a", "an", "el", "la", "le", "les", "los", "las", "der", "die", "das", "il", "lo"}
)


COMMON_START_WORDS = 5  # a shared beginning this long (and most of the shorter title)


def _common_start(a: list[str], b: list[str]) -> str:
    """The words two titles begin with, when they are five or more and at least 60 % of the
    shorter title ("letters and extracts of letters of the late james brandwood a minister
    in the society of friends" / "... brandwood of west houghton"); else ""."""
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    if count < COMMON_START_WORDS or count < 0.6 * min(len(a), len(b)):
        return ""
    return " ".join(a[:count])


def _without_article(title: str) -> str:
    first, _, rest = title.partition(" ")
    return rest if first in _ARTICLES and rest else title


def _words_agree(a: str, b: str, least: int = 5) -> bool:
    """The same words but one added, dropped or changed ("how cities provide their services"
    / "how cities provide services"), for titles of *least* words or more."""
    words_a, words_b = a.split(), b.split()
    if min(len(words_a), len(words_b)) < least:
        return False
    return Levenshtein.distance(words_a, words_b) <= 1
