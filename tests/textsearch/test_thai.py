"""Tests for libcoop.textsearch.thai: normalisation, segmentation and n-grams (years: core.era)."""

from __future__ import annotations

import importlib.util
import sys
import unicodedata
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libcoop.textsearch import thai
from libcoop.textsearch.thai import has_thai, ngrams, normalise, segment

MAI_EK, MAI_THO, MAI_TRI, CHATTAWA, THANTHAKHAT = "\u0e48", "\u0e49", "\u0e4a", "\u0e4b", "\u0e4c"
SARA_I, SARA_U, PHINTHU, NIKHAHIT = "\u0e34", "\u0e38", "\u0e3a", "\u0e4d"
SARA_AA, SARA_AM = "\u0e32", "\u0e33"

# --- PUA ---------------------------------------------------------------------------------------

# Written out independently of the module's table, from HarfBuzz hb-ot-shaper-thai.cc.
WINDOWS_PUA = {
    "\uf700": "\u0e10",  # tho than without descender
    "\uf701": "\u0e34",
    "\uf702": "\u0e35",
    "\uf703": "\u0e36",
    "\uf704": "\u0e37",
    "\uf705": MAI_EK,
    "\uf706": MAI_THO,
    "\uf707": MAI_TRI,
    "\uf708": CHATTAWA,
    "\uf709": THANTHAKHAT,
    "\uf70a": MAI_EK,
    "\uf70b": MAI_THO,
    "\uf70c": MAI_TRI,
    "\uf70d": CHATTAWA,
    "\uf70e": THANTHAKHAT,
    "\uf70f": "\u0e0d",  # yo ying without descender
    "\uf710": "\u0e31",
    "\uf711": NIKHAHIT,
    "\uf712": "\u0e47",
    "\uf713": MAI_EK,
    "\uf714": MAI_THO,
    "\uf715": MAI_TRI,
    "\uf716": CHATTAWA,
    "\uf717": THANTHAKHAT,
    "\uf718": SARA_U,
    "\uf719": "\u0e39",
    "\uf71a": PHINTHU,
}


def test_every_windows_pua_code_point_is_mapped() -> None:
    assert len(WINDOWS_PUA) == 0xF71A - 0xF700 + 1
    for pua, real in WINDOWS_PUA.items():
        assert normalise(pua) == real, hex(ord(pua))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("\u0e1b\uf713", "ป่"),  # ป่ with left-shifted mai ek (ascender consonant)
        ("\u0e1b\uf701\uf713\u0e19", "ปิ่น"),  # shifted sara i + shifted mai ek
        ("\u0e01\uf70b\u0e32\u0e07", "ก้าง"),  # shifted-down mai tho
        ("\u0e1d\uf705\u0e19", "ฝ่น"),  # shifted down-left mai ek
        ("\uf70f\u0e38", "ญุ"),  # yo ying without its tail, before sara u
        ("\u0e0e\uf718", "ฎุ"),  # sara u shifted down under a descender
        ("\u0e1b\uf88a", "ป่"),  # Mac PUA column
    ],
)
def test_pua_words(before: str, after: str) -> None:
    assert normalise(before) == after


# --- invisible characters, spaces, digits ------------------------------------------------------


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_invisible_characters_removed(invisible: str) -> None:
    assert normalise(f"ห้อง{invisible}สมุด") == "ห้องสมุด"


def test_zero_width_between_consonant_and_mark_is_removed() -> None:
    assert normalise("\u0e17\u200b\u0e35\u0e48") == "ที่"


def test_unicode_spaces_collapse_to_one_space() -> None:
    assert normalise("  ห้องสมุด\u00a0\u2003\t\nสีเขียว\u202f ") == "ห้องสมุด สีเขียว"


def test_thai_digits_become_ascii() -> None:
    assert normalise("พ.ศ. ๒๕๖๒ เล่ม ๓") == "พ.ศ. 2562 เล่ม 3"


def test_nfc() -> None:
    assert normalise("Cafe\u0301") == "Café"


# --- sara am and mark order --------------------------------------------------------------------

WATER = "น" + MAI_THO + SARA_AM  # น้ำ in standard order


@pytest.mark.parametrize(
    "variant",
    [
        "น" + MAI_THO + NIKHAHIT + SARA_AA,  # tone, nikhahit, sara aa
        "น" + NIKHAHIT + MAI_THO + SARA_AA,  # nikhahit, tone, sara aa
        "น" + SARA_AM + MAI_THO,  # sara am typed before the tone
        "น" + MAI_THO + MAI_THO + SARA_AM,  # doubled tone
        "น" + NIKHAHIT + SARA_AA + MAI_THO,  # decomposed am, tone last
    ],
)
def test_sara_am_variants(variant: str) -> None:
    assert normalise(variant) == WATER


def test_decomposed_sara_am_without_tone() -> None:
    assert normalise("ท" + NIKHAHIT + SARA_AA) == "ทำ"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("ท" + MAI_EK + "\u0e35", "ที่"),  # tone typed before the upper vowel
        ("ก" + MAI_EK + SARA_U, "กุ่"),  # tone before lower vowel
        ("สิทธ" + THANTHAKHAT + SARA_I, "สิทธิ์"),  # thanthakhat before sara i
        ("พันธ" + THANTHAKHAT + SARA_U, "พันธุ์"),
        ("ก" + SARA_U + SARA_U, "กุ"),  # doubled lower vowel
        ("ด" + "\u0e35" + "\u0e35", "ดี"),  # doubled upper vowel
        ("เเปลก", "แปลก"),  # two sara e typed for sara ae
    ],
)
def test_mark_reordering(before: str, after: str) -> None:
    assert normalise(before) == after


@pytest.mark.parametrize(
    "correct",
    [
        "น้ำ",
        "สิทธิ์",
        "พันธุ์",
        "ที่ปรึกษา",
        "กรุงเทพฯ",
        "เด็กๆ",
        "ฤๅษี",
        "สํ",  # Pali nikhahit on its own is not a sara am
        "กา",
        "ห้องสมุดสีเขียว Green Library",
    ],
)
def test_correct_text_is_unchanged(correct: str) -> None:
    assert normalise(correct) == correct


_NORMALISE_ALPHABET = st.sampled_from(
    list("กขนปฝญฐฎทสอเแาำะ ")
    + [chr(c) for c in range(0x0E31, 0x0E3B)]
    + [chr(c) for c in range(0x0E47, 0x0E4F)]
    + ["\u0e50", "\u0e59", "\u00a0", "\u200b", "\u00ad", "\n", "e", "E", "\u0301", "\u0323"]
    + list(WINDOWS_PUA)
)


@given(st.text(_NORMALISE_ALPHABET, max_size=30))
def test_normalise_is_idempotent_on_thai_soup(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert unicodedata.is_normalized("NFC", once)


@given(st.text(max_size=40))
def test_normalise_is_idempotent_on_any_text(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


def test_has_thai() -> None:
    assert has_thai("Green ห้องสมุด")
    assert has_thai("๒๕๖๒")
    assert not has_thai("Green Library 2562")
    assert not has_thai("")


# --- segmentation ------------------------------------------------------------------------------


def test_segment_thai_sentence() -> None:
    assert segment("ห้องสมุดสีเขียวเพื่อการอนุรักษ์พลังงาน") == [
        "ห้อง",
        "สมุด",
        "สี",
        "เขียว",
        "เพื่อ",
        "การ",
        "อนุรักษ์",
        "พลังงาน",
    ]


def test_segment_mixed_thai_english_and_digits() -> None:
    assert segment("ห้องสมุดสีเขียว Green Library ๒๕๖๒.") == [
        "ห้อง",
        "สมุด",
        "สี",
        "เขียว",
        "green",
        "library",
        "2562",
    ]


def test_segment_normalises_tokens() -> None:
    assert segment("น" + NIKHAHIT + MAI_THO + SARA_AA + "ท่วม STRASSE Straße") == [
        "น้ำ",
        "ท่วม",
        "strasse",
        "strasse",
    ]


def test_segment_drops_punctuation_and_handles_astral_characters() -> None:
    # ICU reports UTF-16 offsets; an emoji before the text would shift a naive str slice.
    assert segment("😀 «ห้องสมุด» — abc!") == ["ห้อง", "สมุด", "abc"]


def test_segment_empty() -> None:
    assert segment("  \u200b ") == []


def _thai_module_without_icu(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Load a private copy of thai.py while ``import icu`` fails."""
    monkeypatch.setitem(sys.modules, "icu", None)  # makes "import icu" raise ImportError
    spec = importlib.util.spec_from_file_location("_thai_without_icu", thai.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_segment_falls_back_to_pythainlp_without_icu(monkeypatch: pytest.MonkeyPatch) -> None:
    fallback = _thai_module_without_icu(monkeypatch)
    assert fallback._icu is None
    # newmm keeps ห้องสมุด as one word where ICU splits it: proof that PyThaiNLP ran.
    assert fallback.segment("ห้องสมุดสีเขียว Green Library, 2562") == [
        "ห้องสมุด",
        "สี",
        "เขียว",
        "green",
        "library",
        "2562",
    ]


# --- n-grams -----------------------------------------------------------------------------------


def test_bigrams_keep_marks_with_their_consonant() -> None:
    assert ngrams("ห้องสมุดสีเขียว") == [
        "ห้อ",
        "อง",
        "งส",
        "สมุ",
        "มุด",
        "ดสี",
        "สีเ",
        "เขี",
        "ขีย",
        "ยว",
    ]


def test_ngrams_find_a_query_across_a_word_boundary() -> None:
    title = "ห้องสมุดสีเขียว"
    query = "มุดสี"  # the end of สมุด and the word สี
    assert not any(query in word for word in segment(title))
    assert set(ngrams(query)) <= set(ngrams(title))
    assert not set(ngrams("มุดสา")) <= set(ngrams(title))


def test_ngrams_short_run_latin_and_n() -> None:
    assert ngrams("น้ำ") == ["น้ำ"]  # one cluster: shorter than n, kept whole
    assert ngrams("Green Library 2562") == []
    assert ngrams("น้ำท่วม", n=3) == ["น้ำท่ว", "ท่วม"]
    assert ngrams("ห้อง สมุด", n=1) == ["ห้", "อ", "ง", "ส", "มุ", "ด"]
    with pytest.raises(ValueError):
        ngrams("ห้อง", n=0)


_THAI_RUN_CHARS = st.sampled_from(
    [chr(c) for c in range(0x0E01, 0x0E2F)]
    + [chr(c) for c in range(0x0E30, 0x0E3B)]
    + [chr(c) for c in range(0x0E40, 0x0E46)]
    + [chr(c) for c in range(0x0E47, 0x0E4F)]
)


@given(st.text(_THAI_RUN_CHARS, min_size=1, max_size=20))
def test_clusters_match_icu_grapheme_breaks(text: str) -> None:
    icu = pytest.importorskip("icu")
    run = normalise(text)
    ustr = icu.UnicodeString(run)
    breaker = icu.BreakIterator.createCharacterInstance(icu.Locale("th"))
    breaker.setText(ustr)
    expected, start = [], breaker.first()
    for end in breaker:
        expected.append(str(ustr[start:end]))
        start = end
    assert ngrams(run, n=1) == expected


@given(st.text(_THAI_RUN_CHARS, max_size=20), st.integers(min_value=1, max_value=4))
def test_no_gram_starts_with_a_mark(text: str, n: int) -> None:
    for gram in ngrams("ก" + text, n):
        assert unicodedata.category(gram[0]) != "Mn", gram


@given(st.one_of(st.text(_NORMALISE_ALPHABET, max_size=30), st.text(max_size=30)))
def test_the_shortcut_for_canonical_text_changes_no_result(text: str) -> None:
    """normalise skips the reordering loop when the text is NFC and every mark run is in
    order; with the shortcut disabled (every run taken as out of order) the result is the same."""
    fast = thai.normalise(text)
    original = thai._canonical_run
    thai._canonical_run = lambda run: False  # type: ignore[assignment]
    try:
        slow = thai.normalise(text)
    finally:
        thai._canonical_run = original
    assert fast == slow


# --- width folding (NFKC for the fullwidth/halfwidth block only) ---------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("ＩＳＯ ５０００１", "ISO 50001"),
        ("４．０", "4.0"),
        ("อุตสาหกรรม ４．０", "อุตสาหกรรม 4.0"),
        ("มาตรฐาน ＩＳＯ　９００１：２０１５", "มาตรฐาน ISO 9001:2015"),  # ideographic space too
        ("ｶﾞｲﾄﾞ", "ガイド"),  # halfwidth katakana with voiced mark: NFKC, then NFC composes
        ("￥１００", "¥100"),
    ],
)
def test_fullwidth_and_halfwidth_forms_fold(before: str, after: str) -> None:
    assert normalise(before) == after


def test_nfkc_changes_sara_am_but_normalise_does_not() -> None:
    assert unicodedata.normalize("NFKC", "น้ำ") != "น้ำ"  # why blanket NFKC is not used
    assert normalise("น้ำ") == "น้ำ"
    assert normalise("ทำ ４ ครั้ง") == "ทำ 4 ครั้ง"


def test_width_folds_cover_only_the_width_block() -> None:
    assert thai.WIDTH_FOLDS
    assert all(0xFF00 <= code <= 0xFFEF for code in thai.WIDTH_FOLDS)
    assert all(unicodedata.normalize("NFKC", chr(c)) == f for c, f in thai.WIDTH_FOLDS.items())
    # every fullwidth ASCII character is there
    assert all(0xFF01 + i in thai.WIDTH_FOLDS for i in range(0x5E))


def test_no_thai_character_is_in_the_fold_table() -> None:
    folded_to = "".join(thai.WIDTH_FOLDS.values())
    assert not has_thai(folded_to)


_THAI_BLOCK = st.sampled_from(
    [chr(c) for c in range(0x0E01, 0x0E5C) if unicodedata.name(chr(c), "")]
)
_FULLWIDTH = dict(zip(map(chr, range(0x21, 0x7F)), map(chr, range(0xFF01, 0xFF5F)), strict=True))


@given(st.text(st.one_of(_THAI_BLOCK, st.sampled_from(list(" 0123456789abcXYZ.-"))), max_size=30))
def test_thai_text_is_unchanged_by_the_width_folding(text: str) -> None:
    """Every Thai code point (sara am, the digits, ฯ ๆ ฿ included) keeps its form: the folding
    adds nothing for text without width forms, and never decomposes what NFKC would."""
    assert text.translate(thai.WIDTH_FOLDS) == text
    folded = normalise(text)
    assert ("\u0e33" in text) <= ("\u0e33" in folded)  # sara am is never decomposed
    assert "\u0e4d\u0e32" not in folded


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30))
def test_fullwidth_ascii_folds_to_ascii(text: str) -> None:
    wide = "".join(_FULLWIDTH[ch] for ch in text)
    assert normalise(wide) == normalise(text) == text
    assert normalise("ห้องสมุด " + wide) == normalise("ห้องสมุด " + text)


def test_width_folding_reaches_every_key_and_index_term() -> None:
    from libcoop.textsearch.backends.analysis import analyse_query, analyse_text
    from libcoop.textsearch.keys import author_key, title_key

    assert title_key("ระบบการจัดการพลังงาน ＩＳＯ ５０００１") == title_key(
        "ระบบการจัดการพลังงาน ISO 50001"
    )
    assert author_key("ＳＭＩＴＨ, Ｊ．") == author_key("SMITH, J.")
    assert analyse_text("อุตสาหกรรม ４．０") == analyse_text("อุตสาหกรรม 4.0")
    assert analyse_query("ＩＳＯ ５０００１") == analyse_query("ISO 50001")
