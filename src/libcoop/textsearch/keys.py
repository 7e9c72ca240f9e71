"""Match keys for finding the same title or author in records from different libraries.

Two records describe the same work if their keys are equal, so a key keeps only what
identifies the text: letters, marks that change a Thai letter, digits.  It drops what
cataloguers vary on: case, Latin diacritics, ISBD punctuation, brackets, quotes, spacing,
an initial article (by the MARC non-filing count), and an author's dates and role.
"""

from __future__ import annotations

import re
import unicodedata

from libcoop.textsearch.thai import normalise

# Apostrophes and quotes vanish ("O'Brien" = "OBrien"); other punctuation separates words.
_DELETE = frozenset("'\u2018\u2019\u02bc\u02b9\u0060\u00b4\"\u201c\u201d\u00ab\u00bb\u2039\u203a")
# Latin letters that have no Unicode decomposition but are filed as plain letters (cf. the
# NACO normalization rules).  Keys are case-folded first, so lower case is enough.
_LATIN_FOLD = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "þ": "th"}
)
_ISBD_TAIL = re.compile(r"(?:\s*[/:;=.,])+$")


def _is_latin(ch: str) -> bool:
    return "LATIN" in unicodedata.name(ch, "")


# Text made only of ASCII and the Thai block needs no per-character work for Latin marks,
# and its punctuation can be mapped with one table (the common case, by far).
_BEYOND_ASCII_AND_THAI = re.compile(r"[^\x00-\x7f\u0e00-\u0e7f]")


def _strip_latin_marks(text: str) -> str:
    """Remove diacritics from Latin letters only; marks on Thai (or any other) letters stay."""
    if not _BEYOND_ASCII_AND_THAI.search(text):
        return text  # ASCII letters carry no marks, and Thai marks always stay
    out: list[str] = []
    base_is_latin = False
    for ch in text:
        if unicodedata.category(ch).startswith("M"):
            if not base_is_latin or "\u0e31" <= ch <= "\u0e4e":  # never drop a Thai mark
                out.append(ch)
            continue
        base_is_latin = _is_latin(ch)
        if base_is_latin:
            out.extend(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        else:
            out.append(ch)
    return "".join(out)


def _punctuation_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in [*range(0x80), *range(0x0E00, 0x0E80)]:
        ch = chr(code)
        category = unicodedata.category(ch)
        if ch in _DELETE:
            table[code] = ""
        elif category[0] == "P" or category in ("Sm", "Sk", "So"):
            table[code] = " "
    return table


def _drop_punctuation(text: str) -> str:
    """Punctuation and symbols become spaces; "+" and "#" after a letter stay (C++, C#)."""
    if "+" not in text and "#" not in text and not _BEYOND_ASCII_AND_THAI.search(text):
        return text.translate(_PUNCTUATION)
    out: list[str] = []
    for ch in text:
        if ch in _DELETE:
            continue
        category = unicodedata.category(ch)
        if ch in "+#" and out and (out[-1].isalnum() or out[-1] in "+#"):
            out.append(ch)
        elif category[0] == "P" or category in ("Sm", "Sk", "So"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


_PUNCTUATION = _punctuation_table()


def strip_isbd(s: str) -> str:
    """Remove trailing ISBD punctuation (" /", " :", " ;", " =", ".", ",") for display."""
    return _ISBD_TAIL.sub("", s.strip())


def text_key(s: str) -> str:
    """A comparison key: normalised, case-folded, Latin diacritics and punctuation removed."""
    text = normalise(s).casefold()
    text = _strip_latin_marks(text).casefold().translate(_LATIN_FOLD)  # NFKD can give capitals
    text = _drop_punctuation(text)
    return normalise(text)


def title_key(title: str, nonfiling: int = 0) -> str:
    """Key for a title, skipping ``nonfiling`` leading characters (MARC 245 indicator 2).

    The count applies to the title as stored, so it is taken before any normalisation.  A
    count that would leave no letters (a bad indicator) is ignored rather than producing an
    empty key that would match every other such title.
    """
    nonfiling = max(0, min(nonfiling, 9))
    key = text_key(title[nonfiling:])
    return key if key else text_key(title)


# Relator terms and abbreviations (MARC 100/700 $e, $4-like words), English and Thai.
_ROLES = frozenset(
    {
        "author",
        "joint author",
        "editor",
        "ed",
        "eds",
        "compiler",
        "comp",
        "translator",
        "tr",
        "trans",
        "illustrator",
        "ill",
        "photographer",
        "contributor",
        "writer of introduction",
        "writer of preface",
        "ผู้แต่ง",
        "ผู้เขียน",
        "บรรณาธิการ",
        "บก",
        "ผู้แปล",
        "แปล",
        "ผู้เรียบเรียง",
        "เรียบเรียง",
        "ผู้รวบรวม",
        "รวบรวม",
        "ภาพประกอบ",
        "ผู้วาดภาพประกอบ",
    }
)
# Dates in a heading: "1950-", "1950-2010", "b. 1950", "d. 1990?", "ca. 1900-", "fl. 1850",
# "19th cent.", and BE dates such as "2500-" (Thai digits are ASCII after normalise()).
_DATES = re.compile(
    r"(?:\b(?:b|d|ca|c|fl|active|born|died)\.?\s*)?\d{3,4}\??\s*-?\s*(?:\d{3,4}\??)?"
    r"|\b\d{1,2}(?:st|nd|rd|th)\s+cent(?:ury)?\.?",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\([^)]*\)")


def author_key(name: str) -> str:
    """Key for a personal or corporate name heading: dates, roles and fuller forms dropped.

    "Smith, John, 1950-", "Smith, John." and "Smith, John (John Robert), 1950- editor."
    all give "smith john".  Names are not reordered: Thai names are entered in direct
    order, and "John Smith" is a different heading from "Smith, John".
    """
    text = _PARENS.sub(" ", normalise(name))
    parts: list[str] = []
    for part in text.split(","):
        part = _DATES.sub(" ", part)
        key = text_key(part)
        if key and key not in _ROLES:
            parts.append(key)
    return normalise(" ".join(parts))
