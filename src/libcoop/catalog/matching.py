"""Match rules: are two member records the same edition? In the spirit of NatLibFi's
RecordManager: blocking keys pick candidates, then hard rules reject, identifiers accept.

Pure functions over :class:`MatchInfo`; no database access here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

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


def match_title(title_key: str) -> str:
    """The title key with volume and part words in one form (keys are already casefolded)."""
    return _PART.sub("pt ", _VOLUME.sub("v ", title_key))


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


@lru_cache(maxsize=65536)
def extras(other_ids: frozenset[str]) -> Extras:
    ids: set[str] = set()
    personal: list[str] = []
    corporate: list[str] = []
    publisher = edition = ""
    years: set[int] = set()
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
        else:
            ids.add(term)
    return Extras(
        frozenset(ids), tuple(personal), tuple(corporate), publisher, edition, frozenset(years)
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


def edition_key(statement: str) -> str:
    """An edition statement as "<number>" and/or "r" (revised, enlarged, new): "2d ed." and
    "Second edition" give "2"; "พิมพ์ครั้งที่ ๓" gives "3"; "ฉบับปรับปรุง" and "Rev. ed."
    give "r"; "3d ed., rev." gives "3r". Other statements ("1st American ed.") give ""
    beyond their number."""
    text = to_ascii_digits(statement).casefold()
    number = ""
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
    return terms


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


def _corporate_agree(a: str, b: str) -> bool:
    """ "national youth work alliance" = "national youth workers alliance washington d c":
    the shorter name against the same length of the longer, within the author limit."""
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
    return False, ""


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


def _imprint_identical(a: MatchInfo, ea: Extras, b: MatchInfo, eb: Extras) -> bool:
    """Same title, year, page count and publisher: the names were only entered differently
    (a pseudonym against the real name, a fuller or another form of a body's name)."""
    return bool(
        a.year
        and a.year == b.year
        and a.pages
        and b.pages
        and abs(a.pages - b.pages) <= 2
        and _publishers_agree(ea.publisher, eb.publisher)
        and _distance(match_title(a.title_key), match_title(b.title_key)) <= 0.05
    )


def compare(a: MatchInfo, b: MatchInfo) -> Verdict:
    """Decide whether *a* and *b* describe the same edition."""
    if a.library_id == b.library_id:
        return Verdict(False, "same_library")
    if a.format != b.format:
        return Verdict(False, "format")
    if a.issns and b.issns and not a.issns & b.issns:
        return Verdict(False, "issn_conflict")
    ea, eb = extras(a.other_ids), extras(b.other_ids)
    # Years: the 008's, or one of the imprint's (a printing date); one apart is a printing
    # or a typing difference that the accepting rules below must outweigh.
    year_gap = 0
    if a.year and b.year and a.year != b.year:
        years_a, years_b = {a.year} | ea.years, {b.year} | eb.years
        year_gap = max(1, min(abs(x - y) for x in years_a for y in years_b))
        if year_gap > 1:
            return Verdict(False, "year", scores={"year_gap": float(year_gap)})
    if a.pages and b.pages and abs(a.pages - b.pages) > PAGE_DIFFERENCE_LIMIT:
        return Verdict(False, "pages")
    names_ok, name_key = _names_agree(a, ea, b, eb)
    if names_ok is False and not _imprint_identical(a, ea, b, eb):
        _, author_distance = _authors_agree(a.author_key, b.author_key)
        return Verdict(False, "author", scores={"author_distance": round(author_distance, 3)})
    if _editions_conflict(ea.edition, eb.edition):
        return Verdict(False, "edition", key=f"ed:{ea.edition}|{eb.edition}")
    shared = sorted(
        [f"isbn:{i}" for i in a.isbns & b.isbns]
        + sorted(ea.identifiers & eb.identifiers)
        + [f"issn:{i}" for i in a.issns & b.issns]
    )
    # Volume 2 and volume 3 of a set share everything but the number.
    numbers_a, numbers_b = set(_NUMBER.findall(a.title_key)), set(_NUMBER.findall(b.title_key))
    if numbers_a and numbers_b and numbers_a != numbers_b:
        return Verdict(False, "numbers")
    pages_equal = bool(a.pages and b.pages and abs(a.pages - b.pages) <= 2)
    # Without a shared identifier, a missing subtitle (or a series title or other words
    # around the title proper) is accepted only when a name agrees and the years are equal.
    publishers_ok = _publishers_agree(ea.publisher, eb.publisher)
    corroborated = bool(
        (names_ok or (names_ok is None and publishers_ok)) and a.year and b.year and not year_gap
    )
    titles_ok, title_distance = _titles_agree(
        match_title(a.title_key),
        match_title(b.title_key),
        allow_prefix=bool(shared) or corroborated,
    )
    scores: dict[str, float] = {"title_distance": round(title_distance, 3)}
    if year_gap:
        scores["year_gap"] = float(year_gap)
    if not titles_ok:
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
    if a.year and b.year and not year_gap and a.title_key:
        if names_ok is False:  # accepted by _imprint_identical
            return Verdict(True, "title_imprint", f"publisher:{ea.publisher}", scores)
        return Verdict(True, "title_author_year", name_key or f"year:{a.year}", scores)
    if strong and a.title_key and title_distance < title_limit(len(a.title_key)):
        rule = "title_year_near" if year_gap else "title_no_year"
        return Verdict(True, rule, name_key or f"publisher:{ea.publisher}", scores)
    return Verdict(False, "weak", scores=scores)
