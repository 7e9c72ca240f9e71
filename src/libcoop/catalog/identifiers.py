"""Normalise the identifiers and small facts that the union catalog matches records on.

Member libraries key the same ISBN, ISSN, LCCN or OCLC number in many shapes
("0-19-852663-6 (pbk.)", "9780198526636 : ฿350", "(OCoLC)ocm12345678"), and Thai
libraries often write years in the Buddhist era and with Thai digits. Deduplication
only works if every shape reduces to one canonical string, so each function here
returns that canonical form, or ``None`` when the input is not a valid identifier:
a wrong match merges two different books, which is worse than a missed one.

Everything here is pure string work on ``str`` (no pymarc objects needed except
the duck-typed ``isbns_from_020``), and nothing uses ``\\w``/``\\W``: Thai vowel and
tone marks are Unicode category Mn and those classes would eat them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple, Protocol

from libcoop.core.era import ce_year, year_in_text

__all__ = [
    "IsbnSplit",
    "is_valid_isbn10",
    "is_valid_isbn13",
    "isbn10_to_isbn13",
    "isbn13_to_isbn10",
    "isbn_variants",
    "isbns_from_020",
    "normalise_isbn",
    "normalise_issn",
    "normalise_lccn",
    "normalise_oclc",
    "pages_from_extent",
    "to_ascii_digits",
    "volumes_from_extent",
    "year_from_008",
    "year_from_imprint",
    "year_range",
]

# --------------------------------------------------------------------------- digits


def to_ascii_digits(s: str) -> str:
    """Map every Unicode decimal digit (Thai ๐-๙, Arabic-Indic, full-width …) to 0-9.

    Thai records write numbers with Thai digits; matching and arithmetic need ASCII.
    Everything else, including Thai letters and combining marks, is left untouched.
    """
    if s.isascii():
        return s
    out = []
    for ch in s:
        if not ch.isascii() and ch.isdecimal():
            out.append(str(unicodedata.decimal(ch)))
        else:
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------- ISBN


def is_valid_isbn10(isbn: str) -> bool:
    """True if ``isbn`` is 9 digits plus a mod-11 check character (0-9 or X)."""
    if len(isbn) != 10 or not isbn[:9].isascii() or not isbn[:9].isdigit():
        return False
    last = isbn[9]
    if last in "Xx":
        check = 10
    elif last.isascii() and last.isdigit():
        check = int(last)
    else:
        return False
    total = sum((10 - i) * int(d) for i, d in enumerate(isbn[:9])) + check
    return total % 11 == 0


def _isbn13_check_digit(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def _isbn10_check_char(first9: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def is_valid_isbn13(isbn: str) -> bool:
    """True if ``isbn`` is 13 ASCII digits with a correct EAN-13 check digit."""
    if len(isbn) != 13 or not isbn.isascii() or not isbn.isdigit():
        return False
    return _isbn13_check_digit(isbn[:12]) == isbn[12]


def isbn10_to_isbn13(isbn10: str) -> str:
    """Prefix a (valid) ISBN-10 with 978 and recompute the check digit."""
    first12 = "978" + isbn10[:9]
    return first12 + _isbn13_check_digit(first12)


def isbn13_to_isbn10(isbn13: str) -> str | None:
    """The ISBN-10 form of a 978 ISBN-13; ``None`` for 979 (those have no ISBN-10)."""
    if not isbn13.startswith("978") or len(isbn13) != 13:
        return None
    return isbn13[3:12] + _isbn10_check_char(isbn13[3:12])


# "ISBN", "ISBN-13:", "ISBN 10" – removed first so the "13"/"10" is not read as digits.
_ISBN_LABEL = re.compile(r"ISBN(?:[\s-]*1[03](?![0-9]))?\s*:?", re.IGNORECASE)
# A run of digits separated by single hyphens or spaces, optionally ending in X.
_DIGIT_RUN = re.compile(r"[0-9](?:[\s-]?[0-9])*(?:[\s-]?[Xx])?(?![0-9])")


def _isbn_candidate(s: str) -> tuple[str | None, bool]:
    """Find the first ISBN-shaped number in ``s``.

    Returns ``(isbn13, shaped)``: ``isbn13`` is the valid ISBN-13 or ``None``;
    ``shaped`` tells whether anything of ISBN length (10 or 13 characters) was seen.
    Within a run such as "978 0 306 40615 7 350", whitespace-separated pieces are
    added from the left until they form 10 or 13 characters, so a trailing price or
    volume number does not spoil the ISBN. The first run that yields an ISBN-length
    candidate decides: we do not hunt further along the string, because any long
    number (a price, a phone number) passes a check digit one time in ten or eleven.
    """
    text = _ISBN_LABEL.sub(" ", to_ascii_digits(s))
    for match in _DIGIT_RUN.finditer(text):
        pieces = match.group(0).split()
        compact = ""
        shaped = False
        for piece in pieces:
            compact += piece.replace("-", "").upper()
            if "X" in compact[:-1]:
                break
            if len(compact) == 10:
                shaped = True
                if is_valid_isbn10(compact):
                    return isbn10_to_isbn13(compact), True
            elif len(compact) == 13:
                shaped = True
                if _is_isbn13_prefix(compact) and is_valid_isbn13(compact):
                    return compact, True
            if len(compact) >= 13:
                break
        if shaped:
            return None, True
    return None, False


def _is_isbn13_prefix(isbn13: str) -> bool:
    # ISBN-13s are EANs in the "Bookland" ranges 978/979; 979-0 is the ISMN (music)
    # range, and other EANs (977 = ISSN barcodes, plain product codes) are not ISBNs.
    return isbn13.startswith("978") or (isbn13.startswith("979") and isbn13[3] != "0")


def normalise_isbn(s: str) -> str | None:
    """Canonical ISBN-13 (digits only) for a catalogued ISBN-10 or -13, else ``None``.

    Accepts hyphens, spaces, an "ISBN" label, qualifiers and prices around the number,
    lower-case x and Thai digits. An ISBN-10 becomes its 978 ISBN-13 so that both
    printings of the same number match. A wrong check digit gives ``None``.
    """
    isbn13, _shaped = _isbn_candidate(s)
    return isbn13


def isbn_variants(s: str) -> set[str]:
    """All forms to index for matching: the ISBN-13 and, for 978 numbers, the ISBN-10."""
    isbn13 = normalise_isbn(s)
    if isbn13 is None:
        return set()
    variants = {isbn13}
    isbn10 = isbn13_to_isbn10(isbn13)
    if isbn10 is not None:
        variants.add(isbn10)
    return variants


class _HasSubfields(Protocol):
    def get_subfields(self, *codes: str) -> list[str]: ...


class IsbnSplit(NamedTuple):
    """ISBNs from 020: ``valid`` ones as ISBN-13, ``invalid`` ones kept apart."""

    valid: tuple[str, ...]
    invalid: tuple[str, ...]


_QUALIFIER = re.compile(r"\([^)]*\)")


def _invalid_form(value: str) -> str | None:
    """How a cancelled or invalid ISBN is kept: ISBN-13 if it checks, else compacted."""
    isbn13 = normalise_isbn(value)
    if isbn13 is not None:
        return isbn13
    text = _ISBN_LABEL.sub(" ", to_ascii_digits(value))
    for match in _DIGIT_RUN.finditer(text):
        compact = re.sub(r"[\s-]", "", match.group(0)).upper()
        if len(compact) >= 8:
            return compact
    cleaned = _QUALIFIER.sub(" ", value)
    cleaned = " ".join(cleaned.split()).strip(" :;,./")
    return cleaned or None


def isbns_from_020(fields: Iterable[_HasSubfields]) -> IsbnSplit:
    """Split MARC 020 fields into valid ISBNs ($a that checks) and invalid ones.

    $z holds cancelled/invalid ISBNs printed on the item; an $a with a bad check digit
    is just as unusable as a key. Invalid ones are kept (as ISBN-13 when their check
    digit is fine – a cancelled number can still be a real one – otherwise compacted)
    because a matcher may still use them as weak evidence. Order is kept, duplicates
    dropped.
    """
    valid: list[str] = []
    invalid: list[str] = []
    for field in fields:
        for value in field.get_subfields("a"):
            isbn13 = normalise_isbn(value)
            if isbn13 is not None:
                if isbn13 not in valid:
                    valid.append(isbn13)
                continue
            bad = _invalid_form(value)
            if bad is not None and bad not in invalid:
                invalid.append(bad)
        for value in field.get_subfields("z"):
            bad = _invalid_form(value)
            if bad is not None and bad not in invalid:
                invalid.append(bad)
    return IsbnSplit(tuple(valid), tuple(invalid))


# --------------------------------------------------------------------------- ISSN

_ISSN = re.compile(r"(?<![0-9])([0-9]{4})[\s-]?([0-9]{3}[0-9Xx])(?![0-9Xx])")


def normalise_issn(s: str) -> str | None:
    """First ISSN in ``s`` as ``NNNN-NNNC`` (upper-case X), ``None`` if its check fails."""
    match = _ISSN.search(to_ascii_digits(s))
    if match is None:
        return None
    digits = (match.group(1) + match.group(2)).upper()
    total = sum((8 - i) * int(d) for i, d in enumerate(digits[:7]))
    check = (11 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[7] != expected:
        return None
    return f"{digits[:4]}-{digits[4:]}"


# --------------------------------------------------------------------------- LCCN

# Normalised LCCN (LoC "syntax" section, 8-12 characters): up to three prefix letters,
# a 2-digit year and 6-digit serial (pre-2001), or up to two prefix letters, a 4-digit
# year and 6-digit serial (2001 on).
_LCCN_NORMALISED = re.compile(r"[a-z]{0,3}[0-9]{8}|[a-z]{0,2}[0-9]{10}")


def normalise_lccn(s: str) -> str | None:
    """Normalise an LCCN per https://www.loc.gov/marc/lccn-namespace.html.

    1. remove all blanks; 2. drop a '/' and everything after it (suffix, revision);
    3. if there is a hyphen, remove it and left-pad the part after it with zeros to
    six digits (it must be 1-6 digits). The result must then have the normalised
    shape (prefix of at most three letters, 8 or 10 digits) or ``None`` is returned.
    Prefix letters are lower-cased (LCCN prefixes are defined in lower case).
    """
    text = "".join(to_ascii_digits(s).split())
    text = text.split("/", 1)[0]
    if "-" in text:
        left, right = text.split("-", 1)
        if not (right.isascii() and right.isdigit()) or len(right) > 6:
            return None
        text = left + right.zfill(6)
    text = text.lower()
    if _LCCN_NORMALISED.fullmatch(text) is None:
        return None
    return text


# --------------------------------------------------------------------------- OCLC

# "(OCoLC)" (also the common miskeying "(OCLC)"), then an optional ocm/ocn/on prefix.
_OCLC = re.compile(
    r"^\s*(?:\((?:OCoLC|OCLC)\)\s*(?:ocm|ocn|on)?|(?:ocm|ocn|on))\s*([0-9]+)\s*$",
    re.IGNORECASE,
)


def normalise_oclc(s: str) -> str | None:
    """OCLC number from an 035 $a (or an OCLC-style 001), without prefix or zeros.

    "(OCoLC)ocm00012345", "(OCoLC)ocn123456789", "(OCoLC)on1234567890" and
    "(OCoLC)12345" all reduce to the bare number. A bare "ocm…/ocn…/on…" is OCLC's own
    control-number form and is accepted; any other source prefix ("(DLC)", "(Sirsi)")
    or a bare number without a source gives ``None``.
    """
    match = _OCLC.match(to_ascii_digits(s))
    if match is None:
        return None
    number = match.group(1).lstrip("0")
    return number or None


# --------------------------------------------------------------------------- pages

# A paging term: p. / pp. / pages / page, Thai หน้า or its abbreviation น.
# It must follow a digit, a closing bracket or a space (so it is not inside a word).
_PAGE_TERM = re.compile(r"(?<=[0-9\]\s])(?:pages?(?![A-Za-z])|pp?(?![A-Za-z])\.?|หน้า|น\.)")
# "32 p. of plates", "[112] p. of illus.": leaves of plates or illustrations, not text pages.
_PLATES = re.compile(
    r"^\s*of\s+(?:plates?|ill|illus|illustrations|maps?|facsims?)\b", re.IGNORECASE
)
_PRELIMINARY = re.compile(r"^\s*[lL](?:\.|eaves?\b)")
# A "+" before accompanying material ends the paging; "60 + 12 p." is paging on both sides.
_EXTENT_BREAK = re.compile(r"[;:(]|\+(?!\s*\d)")


_THOUSANDS = re.compile(r"\b(\d{1,3}),(\d{3})\b")
_TYPED_ONE = re.compile(r"(?<=\d)l|l(?=\d)")


def pages_from_extent(s: str) -> int | None:
    """Largest arabic page count in a 300 $a extent ("xii, 345 p." → 345), else ``None``.

    A paging term (p., pages, หน้า, น.) covers the comma-separated sequence before it,
    so "[8], 120 p." yields 120. Roman and Thai-letter preliminary paging is ignored,
    plates ("32 p. of plates") are not counted, and leaves or "1 v. (unpaged)" give
    ``None`` – they are not page counts.
    """
    # "1,040 p." is a thousand and forty; typewritten cards keyed "l" for "1" ("4l6 p.").
    text = _THOUSANDS.sub(r"\1\2", _TYPED_ONE.sub("1", to_ascii_digits(s)))
    best: int | None = None
    boundary = 0
    for match in _PAGE_TERM.finditer(text):
        start = match.start()
        segment = text[boundary:start]
        # The sequence a term applies to starts after the last ";", ":", "(" or "+".
        breaks = list(_EXTENT_BREAK.finditer(segment))
        if breaks:
            segment = segment[breaks[-1].end() :]
        boundary = match.end()
        if _PLATES.match(text[match.end() :]):
            continue
        # "3 p. l., 134 p.": preliminary leaves ("p. l.", "p.l."), not a page count.
        if _PRELIMINARY.match(text[match.end() :]):
            continue
        numbers = [int(n) for n in re.findall(r"[0-9]+", segment)]
        numbers = [n for n in numbers if n > 0]
        if numbers:
            candidate = max(numbers)
            best = candidate if best is None else max(best, candidate)
    return best


_VOLUMES = re.compile(r"^\D{0,3}?(\d{1,3})\s*(?:v\.|vol\.|vols\.|volumes?\b|เล่ม)", re.IGNORECASE)


def volumes_from_extent(s: str) -> int | None:
    """The number of volumes of a multipart item's extent: "2 v.", "4 volumes", "3 เล่ม"."""
    match = _VOLUMES.match(to_ascii_digits(s).strip())
    return int(match.group(1)) if match and int(match.group(1)) > 1 else None


# --------------------------------------------------------------------------- years


def year_from_008(field_008: str) -> int | None:
    """Date1 (008/07-10) as a CE year, or ``None`` if absent or not a full year.

    008/06 is the type of date: 'b' (B.C. dates) and 'n' (dates unknown) carry no
    usable Date1, and a Date1 with 'u' (unknown digit), blanks or fill characters is
    not a year. Thai cataloguers sometimes key the Buddhist-era year here, so a year
    ≥ 2400 is converted to CE like an imprint year.
    """
    if len(field_008) < 11:
        return None
    date_type = field_008[6]
    if date_type in "bn":
        return None
    date1 = to_ascii_digits(field_008[7:11])
    if not (date1.isascii() and date1.isdigit()):
        return None
    return ce_year(int(date1))


def year_from_imprint(s: str) -> int | None:
    """Publication year from a 260/264 $c such as "c2019.", "[2019?]", "พ.ศ. ๒๕๖๒".

    Takes the first 4-digit year (Thai digits allowed); a Buddhist-era year (≥ 2400)
    is converted to CE by subtracting 543, so "2562 [2019]" and "พ.ศ. 2562" give 2019.
    Rattanakosin-era years ("ร.ศ. 130", used on old Thai imprints) add 1781.
    Incomplete years such as "[197-?]" or "[19--]" give ``None``.
    """
    return year_in_text(to_ascii_digits(s))


# An uncertain date: 008/06 "q" (questionable: between Date1 and Date2), "m" (multiple:
# Date1 to Date2, 9999 = still going), Date1 with unknown digits ("19uu"), or an imprint
# with only the decade or century ("[189-?]", "19--", "[n.d.]" gives nothing).
_DECADE = re.compile(r"(?<!\d)(1[5-9]|20)(\d)?(?:-|\?|u){1,2}(?!\d)")


def year_range(
    field_008: str | None, imprint_dates: tuple[str, ...] = (), *, kinds: str = "q"
) -> tuple[int, int] | None:
    """The span of years an uncertain date allows, as (first, last), or ``None`` when the
    record gives an exact year or no date at all. "q19001929" gives (1900, 1929),
    "m19691972" (1969, 1972), "s19uu" (1900, 1999); an imprint "[189-?]" gives
    (1890, 1899) even where the 008 says "s1890" (the decade keyed as its first year).
    ``kinds="m"``: only the span of a multipart item published over several years."""
    if kinds == "m":
        if field_008 and len(field_008) >= 15 and field_008[6] == "m":
            date1, date2 = to_ascii_digits(field_008[7:11]), to_ascii_digits(field_008[11:15])
            if date1.isdigit() and date2.isdigit() and int(date1) < int(date2) < 9999:
                return int(date1), int(date2)
        return None
    if field_008 and len(field_008) >= 15:
        kind = field_008[6]
        date1 = to_ascii_digits(field_008[7:11]).lower()
        date2 = to_ascii_digits(field_008[11:15]).lower()
        if kind in kinds and date1.isdigit():
            end = int(date2) if date2.isdigit() else int(date1)
            end = int(date1) + 10 if end == 9999 else end
            if end > int(date1):
                return int(date1), end
        if len(date1) == 4 and date1[:2].isdigit() and "u" in date1:
            first = date1.replace("u", "0")
            last = date1.replace("u", "9")
            if first.isdigit() and last.isdigit():
                return int(first), int(last)
    for text in imprint_dates:
        if year_from_imprint(text) is not None:
            continue  # a full year is given
        match = _DECADE.search(to_ascii_digits(text))
        if match is None:
            continue
        century, decade = match.group(1), match.group(2)
        if decade is not None:
            return int(f"{century}{decade}0"), int(f"{century}{decade}9")
        return int(f"{century}00"), int(f"{century}99")
    return None
