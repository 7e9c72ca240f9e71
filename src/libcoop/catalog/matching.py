"""Match rules: are two member records the same edition? In the spirit of NatLibFi's
RecordManager: blocking keys pick candidates, then hard rules reject, identifiers accept.

Pure functions over :class:`MatchInfo`; no database access here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

TITLE_DISTANCE_LIMIT = 0.10  # edit distance as a share of the longer title: reject at >= 10 %
PAGE_DIFFERENCE_LIMIT = 10
AUTHOR_DISTANCE_LIMIT = 0.20
KEY_TITLE_CHARS = 12

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
    {"format", "issn_conflict", "isbn_conflict", "year", "pages", "author", "numbers"}
)


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
    keys = {f"isbn:{i}" for i in info.isbns}
    keys |= {f"issn:{i}" for i in info.issns}
    keys |= set(info.other_ids)
    if info.title_key:
        # The start of the title without spaces: robust to spacing and punctuation variants.
        head = match_title(info.title_key).replace(" ", "")[:KEY_TITLE_CHARS]
        surname = info.author_key.split(" ", 1)[0] if info.author_key else ""
        keys.add(f"ta:{head}|{surname}")
        if info.year:
            keys.add(f"ty:{head}|{info.year}")
    return {k[:200] for k in keys}


def _distance(a: str, b: str) -> float:
    if not a and not b:
        return 0.0
    return Levenshtein.distance(a, b) / max(len(a), len(b))


def _titles_agree(a: str, b: str, *, allow_prefix: bool) -> tuple[bool, float]:
    d = _distance(a, b)
    if d < TITLE_DISTANCE_LIMIT:
        return True, d
    # One cataloguer kept the subtitle, the other did not.
    if allow_prefix and a and b and (a.startswith(b) or b.startswith(a)):
        return True, d
    return False, d


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


def compare(a: MatchInfo, b: MatchInfo) -> Verdict:
    """Decide whether *a* and *b* describe the same edition."""
    if a.library_id == b.library_id:
        return Verdict(False, "same_library")
    if a.format != b.format:
        return Verdict(False, "format")
    if a.issns and b.issns and not a.issns & b.issns:
        return Verdict(False, "issn_conflict")
    if a.year and b.year and a.year != b.year:
        return Verdict(False, "year")
    if a.pages and b.pages and abs(a.pages - b.pages) > PAGE_DIFFERENCE_LIMIT:
        return Verdict(False, "pages")
    authors_ok, author_distance = _authors_agree(a.author_key, b.author_key)
    if not authors_ok:
        return Verdict(False, "author", scores={"author_distance": round(author_distance, 3)})
    shared = sorted(
        [f"isbn:{i}" for i in a.isbns & b.isbns]
        + sorted(a.other_ids & b.other_ids)
        + [f"issn:{i}" for i in a.issns & b.issns]
    )
    # Volume 2 and volume 3 of a set share everything but the number.
    numbers_a, numbers_b = set(_NUMBER.findall(a.title_key)), set(_NUMBER.findall(b.title_key))
    if numbers_a and numbers_b and numbers_a != numbers_b:
        return Verdict(False, "numbers")
    # Without a shared identifier, a missing subtitle is accepted only when the author, the
    # year and the page count all agree (both present).
    corroborated = bool(a.author_key and b.author_key and a.year and b.year and a.pages and b.pages)
    titles_ok, title_distance = _titles_agree(
        match_title(a.title_key),
        match_title(b.title_key),
        allow_prefix=bool(shared) or corroborated,
    )
    scores = {"title_distance": round(title_distance, 3), "author_distance": author_distance}
    if not titles_ok:
        return Verdict(False, "title", scores=scores)
    if shared:
        # Serials share an ISSN across issues only with the same title: titles checked above.
        rule = shared[0].split(":", 1)[0]
        return Verdict(True, rule, shared[0], scores)
    if a.isbns and b.isbns:
        return Verdict(False, "isbn_conflict", scores=scores)
    if a.year and a.year == b.year and a.title_key:
        return Verdict(True, "title_author_year", f"year:{a.year}", scores)
    return Verdict(False, "weak", scores=scores)
