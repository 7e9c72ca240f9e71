"""Tests for libcoop.textsearch.keys: de-duplication match keys."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libcoop.textsearch import author_key, normalise, strip_isbd, text_key, title_key

THAI_MARKS = frozenset(chr(c) for c in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)))


def _thai_marks(text: str) -> Counter[str]:
    return Counter(ch for ch in text if ch in THAI_MARKS or ch == "\u0e33")


# --- text_key ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Green Library", "green library"),
        ("Les Misérables", "les miserables"),
        ("Ærø: Łódź ; Ørsted", "aero lodz orsted"),
        ("“Æsop’s fables”", "aesops fables"),
        ("[Green library] / edited by", "green library edited by"),
        ("Title = Titre : subtitle.", "title titre subtitle"),
        ("q\u0301", "q"),  # a combining mark on a Latin letter with no precomposed form
        ("C++ and C# for beginners", "c++ and c# for beginners"),
    ],
)
def test_text_key_latin(before: str, after: str) -> None:
    assert text_key(before) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("ห้องสมุดสีเขียว :", "ห้องสมุดสีเขียว"),
        ("“สิทธิ์” ; พันธุ์ไม้.", "สิทธิ์ พันธุ์ไม้"),
        ("น" + "\u0e4d\u0e49\u0e32" + "ท่วม", "น้ำท่วม"),  # normalised before keying
        ("กรุงเทพฯ, ๒๕๖๒", "กรุงเทพฯ 2562"),  # ฯ is a letter-like sign, not punctuation
    ],
)
def test_text_key_thai(before: str, after: str) -> None:
    assert text_key(before) == after


def test_text_key_keeps_marks_on_non_latin_letters() -> None:
    assert text_key("Йорк") == "йорк"  # the breve on и is a different letter, not a diacritic
    assert text_key("ABC\u0e48") == "abc\u0e48"  # a stray Thai mark is kept even after Latin


_SYLLABLE = st.tuples(
    st.sampled_from(list("กขคงจดตนบปผฝพฟมยรลวสหอฮญฐ")),
    st.sampled_from(["", "\u0e31", "\u0e34", "\u0e35", "\u0e36", "\u0e37", "\u0e38", "\u0e39"]),
    st.sampled_from(["", "\u0e48", "\u0e49", "\u0e4a", "\u0e4b", "\u0e4c"]),
    st.sampled_from(["", "", "\u0e32", "\u0e33", "\u0e07"]),
).map("".join)
_NOISE = st.sampled_from([" ", ", ", " : ", " / ", "[", "]", "“", "”", "Café", "-", ".", "?"])
_TITLE = st.lists(st.one_of(_SYLLABLE, _NOISE), max_size=12).map("".join)


@given(_TITLE)
def test_text_key_never_removes_a_thai_mark(title: str) -> None:
    assert _thai_marks(text_key(title)) == _thai_marks(title)


_ANY_WITH_THAI = st.one_of(
    st.characters(), st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B)
)


@given(st.text(_ANY_WITH_THAI, max_size=40))
def test_text_key_keeps_every_thai_mark_normalise_kept(text: str) -> None:
    normal = normalise(text)
    assert _thai_marks(text_key(text)) == _thai_marks(normal)
    assert text_key(text_key(text)) == text_key(text)


# --- title_key ---------------------------------------------------------------------------------


def test_title_key_skips_nonfiling_characters() -> None:
    assert title_key("The green library /", 4) == "green library"
    assert title_key("Green library.", 0) == "green library"
    assert title_key("L'été", 2) == title_key("Été") == "ete"
    assert title_key("ห้องสมุดสีเขียว", 0) == "ห้องสมุดสีเขียว"


def test_title_key_without_nonfiling_keeps_article() -> None:
    assert title_key("The green library") == "the green library"


def test_title_key_ignores_a_count_that_would_empty_the_title() -> None:
    assert title_key("The", 4) == "the"
    assert title_key("A", -1) == "a"


# --- author_key --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "Smith, John, 1950-",
        "Smith, John.",
        "Smith, John, 1950-2010.",
        "Smith, John, b. 1950",
        "Smith, John (John Robert), 1950-",
        "Smith, John, 1950- , editor.",
        "Smith, John, 1950- author.",
        "SMITH, JOHN",
    ],
)
def test_author_key_latin_variants(heading: str) -> None:
    assert author_key(heading) == "smith john"


@pytest.mark.parametrize(
    "heading",
    ["สมชาย ใจดี", "สมชาย ใจดี, ๒๕๐๐-", "สมชาย ใจดี, 2500-2560.", "สมชาย ใจดี, ผู้แต่ง"],
)
def test_author_key_thai_variants(heading: str) -> None:
    assert author_key(heading) == "สมชาย ใจดี"


def test_author_key_keeps_distinguishing_parts() -> None:
    assert author_key("Müller, Jörg, 1901-1980.") == "muller jorg"
    assert author_key("Henry VIII, King of England, 1491-1547.") == "henry viii king of england"
    assert author_key("Smith, Jane") != author_key("Smith, John")


def test_author_key_normalises_thai_marks() -> None:
    assert author_key("ส" + "\u0e48\u0e34" + "งห์") == author_key("สิ่งห์")


# --- strip_isbd --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Green library /", "Green library"),
        ("Green library :", "Green library"),
        ("Green library ;", "Green library"),
        ("Green library =", "Green library"),
        ("Smith, John.", "Smith, John"),
        ("Smith, John,", "Smith, John"),
        ("ห้องสมุดสีเขียว / ", "ห้องสมุดสีเขียว"),
        ("C++", "C++"),
    ],
)
def test_strip_isbd(before: str, after: str) -> None:
    assert strip_isbd(before) == after
