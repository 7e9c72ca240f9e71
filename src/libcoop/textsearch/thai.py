"""Thai text handling: the one module that knows about the Thai script.

Catalogue records reach the union catalog from many libraries, typed over three decades with
different keyboards, fonts and conversion tools.  The same title can therefore arrive as
different code point sequences that look identical on screen.  ``normalise`` maps those
variants to one form so that search and de-duplication compare what a reader sees, and it
changes nothing a reader would see as a different text.

``segment`` and ``ngrams`` turn text into index terms: Thai has no spaces between words, so
words come from a dictionary segmenter, and character n-grams catch what the dictionary misses.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from types import ModuleType


def _load_icu() -> ModuleType | None:
    """PyICU if installed: its segmenter is 10-16x faster than PyThaiNLP's newmm (the fallback)."""
    try:
        import icu
    except ImportError:
        return None
    return icu


_icu = _load_icu()

# --- character classes -------------------------------------------------------------------------

SARA_AA = "\u0e32"
SARA_AM = "\u0e33"
NIKHAHIT = "\u0e4d"
SARA_E = "\u0e40"
SARA_AE = "\u0e41"
TONE_MARKS = "\u0e48\u0e49\u0e4a\u0e4b"  # mai ek, mai tho, mai tri, mai chattawa
# Marks written after the vowel: the four tone marks and thanthakhat (the silencer, as in สิทธิ์).
_AFTER_VOWEL = frozenset(TONE_MARKS + "\u0e4c")
# Every Thai non-spacing mark: above/below vowels, phinthu, maitaikhu, tones, signs.
_MARK_CLASS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"

# Letters and marks that make up a Thai word.  Digits, ฯ, ๆ, ๏, ๚, ๛ and the baht sign end a run.
_THAI_RUN = re.compile("[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e]+")
_THAI_ANY = re.compile("[\u0e01-\u0e3a\u0e3f-\u0e5b]")

# A run of marks after a base, with an optional sara am (or decomposed nikhahit + sara aa) and
# any tone marks typed after it; or a bare sara am followed by tone marks ("นำ่").
_MARK_RUN = re.compile(
    f"[{_MARK_CLASS}]+(?:[{SARA_AM}{SARA_AA}][{TONE_MARKS}]*)?|{SARA_AM}[{TONE_MARKS}]*"
)

# --- legacy font private-use code points -------------------------------------------------------

# Old Thai fonts (Windows "Tahoma"-era and Mac OS) have no OpenType shaping; programs that drew
# with them replaced marks by pre-shifted glyphs in the Private Use Area, and those code points
# were then saved into documents (and, via copy and paste, into catalogue records).
# Table source: HarfBuzz src/hb-ot-shaper-thai.cc, thai_pua_shape(): SD_mappings, SDL_mappings,
# SL_mappings and RD_mappings, columns win_pua (U+F700-U+F71A) and mac_pua (U+F884-U+F89E); the
# scheme is described at https://linux.thai.net/~thep/th-otf/shaping.html (Theppitak
# Karoonboonyanan).  Each row below is: Thai character, Windows PUA, Mac PUA.
_PUA_ROWS: tuple[tuple[int, int, int], ...] = (
    # SD: shifted down (tone marks with no upper vowel; lower vowels under a descender)
    (0x0E48, 0xF70A, 0xF88B),  # mai ek
    (0x0E49, 0xF70B, 0xF88E),  # mai tho
    (0x0E4A, 0xF70C, 0xF891),  # mai tri
    (0x0E4B, 0xF70D, 0xF894),  # mai chattawa
    (0x0E4C, 0xF70E, 0xF897),  # thanthakhat
    (0x0E38, 0xF718, 0xF89B),  # sara u
    (0x0E39, 0xF719, 0xF89C),  # sara uu
    (0x0E3A, 0xF71A, 0xF89D),  # phinthu
    # SDL: shifted down and left (tone marks on an ascender consonant: ป ฝ ฟ)
    (0x0E48, 0xF705, 0xF88C),
    (0x0E49, 0xF706, 0xF88F),
    (0x0E4A, 0xF707, 0xF892),
    (0x0E4B, 0xF708, 0xF895),
    (0x0E4C, 0xF709, 0xF898),
    # SL: shifted left (marks on an ascender consonant)
    (0x0E48, 0xF713, 0xF88A),
    (0x0E49, 0xF714, 0xF88D),
    (0x0E4A, 0xF715, 0xF890),
    (0x0E4B, 0xF716, 0xF893),
    (0x0E4C, 0xF717, 0xF896),
    (0x0E31, 0xF710, 0xF884),  # mai han-akat
    (0x0E34, 0xF701, 0xF885),  # sara i
    (0x0E35, 0xF702, 0xF886),  # sara ii
    (0x0E36, 0xF703, 0xF887),  # sara ue
    (0x0E37, 0xF704, 0xF888),  # sara uee
    (0x0E47, 0xF712, 0xF889),  # maitaikhu
    (0x0E4D, 0xF711, 0xF899),  # nikhahit
    # RD: consonant with its descender removed (before a lower vowel)
    (0x0E0D, 0xF70F, 0xF89A),  # yo ying
    (0x0E10, 0xF700, 0xF89E),  # tho than
)

# Invisible characters that only ever split a word for matching purposes: ZWSP, ZWNJ, ZWJ,
# word joiner, BOM / zero-width no-break space, soft hyphen.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


# --- compatibility folding, limited to width variants ------------------------------------------

# Fullwidth ASCII (ＩＳＯ ５０００１, ４．０) and the halfwidth/fullwidth forms of CJK keyboards
# are typed into records as variants of ordinary characters: they fold as NFKC folds them.  NFKC
# is applied only to this block (U+FF00-U+FFEF), never to the whole text: NFKC also decomposes
# sara am (U+0E33 -> nikhahit U+0E4D + sara aa U+0E32), the one Thai character it changes, and
# other compatibility mappings (superscripts, ligatures, circled numbers, the Lao am) change
# what a reader sees.  A mapping that would begin with a space (fullwidth macron -> space +
# combining macron) is left out.
WIDTH_BLOCK = range(0xFF00, 0xFFF0)


def _width_folds() -> dict[int, str]:
    folds = {}
    for code in WIDTH_BLOCK:
        folded = unicodedata.normalize("NFKC", chr(code))
        if folded != chr(code) and not folded[0].isspace():
            folds[code] = folded
    return folds


WIDTH_FOLDS: dict[int, str] = _width_folds()

_TRANSLATE: dict[int, int | str | None] = {
    **{win: thai for thai, win, _mac in _PUA_ROWS},
    **{mac: thai for thai, _win, mac in _PUA_ROWS},
    **{ord(ch): None for ch in _INVISIBLE},
    **{0x0E50 + d: ord("0") + d for d in range(10)},  # Thai digits ๐-๙
    **WIDTH_FOLDS,
}
# Any character _TRANSLATE maps (str.translate with a dict is slow; most text has none).
_TRANSLATED = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TRANSLATE)) + "]")


# --- normalisation -----------------------------------------------------------------------------


def _mark_order(mark: str) -> tuple[int, int]:
    """Sort key: vowel signs before tone marks/thanthakhat, then by combining class.

    Sorting by combining class inside each group keeps the result stable under NFC (which
    reorders adjacent marks of non-zero class, e.g. phinthu before sara u).
    """
    return (1 if mark in _AFTER_VOWEL else 0, unicodedata.combining(mark))


def _order_marks(marks: str) -> str:
    ordered = sorted(marks, key=_mark_order)  # stable: equal keys keep the typed order
    out: list[str] = []
    for mark in ordered:
        if not out or out[-1] != mark:  # a doubled mark is a typing slip, not a new letter
            out.append(mark)
    return "".join(out)


def _fix_mark_run(match: re.Match[str]) -> str:
    return _fix_run(match.group())


def _fix_run(run: str) -> str:
    split = len(run)
    for i, ch in enumerate(run):
        if ch in (SARA_AM, SARA_AA):
            split = i
            break
    marks, tail = run[:split], run[split:]
    if tail.startswith(SARA_AA) and NIKHAHIT not in marks:
        return _order_marks(marks) + tail  # a plain sara aa: not part of a sara am
    if not tail:
        return _order_marks(marks)
    # Sara am, typed as U+0E33 or as nikhahit (+ tone) + sara aa: the nikhahit belongs to the
    # sara am, and the tone marks typed before or after it go on the consonant.
    marks = marks.replace(NIKHAHIT, "") + tail[1:]
    return _order_marks(marks) + SARA_AM


@lru_cache(maxsize=4096)  # a text's mark runs come from a small set (vowel + tone, mostly)
def _canonical_run(run: str) -> bool:
    return _fix_run(run) == run


def normalise(text: str) -> str:
    """Return one canonical spelling of ``text`` for matching.

    Steps: legacy-font PUA code points to real Thai, invisible characters removed, Thai digits
    to ASCII, fullwidth and halfwidth forms folded as NFKC folds them (``WIDTH_FOLDS``: that
    block only, so that sara am and the rest of Thai keep their code points), NFC; in each
    Thai cluster the vowel signs go before the tone mark, a doubled mark is kept once, and
    sara am is one code point after the tone mark (น + ่ + ํ + า -> น่ำ);
    two sara e become sara ae; every run of whitespace (NBSP and other spaces included) becomes
    one ordinary space, and the ends are stripped.
    """
    if text.isascii():  # nothing below changes ASCII text but the spaces: the common case
        return " ".join(text.split())
    if _TRANSLATED.search(text) is not None:
        text = text.translate(_TRANSLATE)
    if unicodedata.is_normalized("NFC", text) and all(map(_canonical_run, _MARK_RUN.findall(text))):
        # Already NFC, and every run of marks in order: the loop below would change nothing.
        return " ".join(text.replace(SARA_E + SARA_E, SARA_AE).split())
    # Reordering Thai marks can put them next to a stray non-Thai mark that NFC would then
    # move; repeat until both agree (one round for all but such malformed input).
    for _ in range(4):
        fixed = _MARK_RUN.sub(_fix_mark_run, unicodedata.normalize("NFC", text))
        if fixed == text:
            break
        text = fixed
    text = text.replace(SARA_E + SARA_E, SARA_AE)
    return " ".join(text.split())


def has_thai(text: str) -> bool:
    """True if ``text`` contains any character of the Thai block."""
    return _THAI_ANY.search(text) is not None


# --- segmentation ------------------------------------------------------------------------------


def _is_word(token: str) -> bool:
    """Keep tokens with a letter or digit; spaces and punctuation-only tokens are not words."""
    return any(ch.isalnum() for ch in token)


_breakers = threading.local()  # a break iterator keeps state: one per thread, reused


def _icu_words(text: str) -> list[str]:
    assert _icu is not None
    breaker = getattr(_breakers, "word", None)
    if breaker is None:
        breaker = _breakers.word = _icu.BreakIterator.createWordInstance(_icu.Locale("th"))
    # Boundaries are UTF-16 offsets, so slice ICU's own string, not the Python str.
    ustr = _icu.UnicodeString(text)
    breaker.setText(ustr)
    words: list[str] = []
    start = breaker.first()
    for end in breaker:
        words.append(str(ustr[start:end]))
        start = end
    return words


def _pythainlp_words(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize  # slow import, needed only without ICU

    return list(word_tokenize(text, engine="newmm", keep_whitespace=False))


def segment(text: str) -> list[str]:
    """Split ``text`` into normalised, case-folded word tokens.

    Thai is split by dictionary (ICU's Thai word break iterator, or PyThaiNLP newmm when PyICU
    is not installed); other scripts split at spaces and punctuation.  The two segmenters do
    not always agree (newmm keeps ห้องสมุด whole, ICU splits ห้อง|สมุด), so an index and its
    queries must be built with the same one.
    """
    text = normalise(text)
    if not text:
        return []
    words = _icu_words(text) if _icu is not None else _pythainlp_words(text)
    return [normalise(word.casefold()) for word in words if _is_word(word)]


# --- character n-grams -------------------------------------------------------------------------


def _clusters(run: str) -> list[str]:
    """Split a Thai run into grapheme clusters: a base letter with its marks and sara am.

    This is the Unicode extended grapheme cluster rule as it applies to Thai (UAX #29: marks
    are Extend, U+0E33 is SpacingMark; leading vowels เ แ โ ใ ไ are not Prepend), written
    out so that the n-grams do not depend on ICU being installed.
    """
    return _CLUSTER.findall(run)


# A cluster: any character, then the marks (and sara am) that follow it.  Only Thai letters
# and marks reach _clusters (a _THAI_RUN), so the marks are those of the Thai block.
_CLUSTER_MARKS = "".join(
    ch
    for ch in map(chr, range(0x0E01, 0x0E5C))
    if ch == SARA_AM or unicodedata.category(ch) in ("Mn", "Mc", "Me")
)
_CLUSTER = re.compile(f"(?s:.)[{_CLUSTER_MARKS}]*")


def ngrams(text: str, n: int = 2) -> list[str]:
    """Character n-grams of the Thai runs in ``text``, counted in grapheme clusters.

    An n-gram never separates a tone mark or vowel sign from its consonant, so a query's
    n-grams are the same whatever word boundaries the segmenter chose.  A Thai run shorter
    than ``n`` clusters is returned whole.  Non-Thai text yields nothing: segment() covers it.
    Grams are returned in text order, duplicates included.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    grams: list[str] = []
    for run in _THAI_RUN.findall(normalise(text)):
        clusters = _clusters(run)
        if len(clusters) <= n:
            grams.append(run)
            continue
        grams.extend("".join(clusters[i : i + n]) for i in range(len(clusters) - n + 1))
    return grams


# --- safe places to cut text (snippets) --------------------------------------------------------


def cluster_breaks(text: str) -> list[int]:
    """Offsets in ``text`` (as given) where a grapheme cluster begins, and ``len(text)``.

    A combining mark (Thai vowel signs above and below, tone marks; Latin accents), sara am
    and a zero-width joiner belong to the character before them, so text is never cut
    between them and their base; a CR LF pair is not cut either.
    """
    breaks = [0] if text else []
    for i in range(1, len(text)):
        ch = text[i]
        if ch in (SARA_AM, "\u200d") or unicodedata.category(ch)[0] == "M":
            continue
        if ch == "\n" and text[i - 1] == "\r":
            continue
        breaks.append(i)
    breaks.append(len(text))
    return breaks


def word_breaks(text: str) -> list[int]:
    """Offsets in ``text`` (as given, not normalised) where a word begins or ends, with 0 and
    ``len(text)``: where a snippet may be cut without breaking a Thai word.

    Thai words come from the same segmenter as ``segment`` (ICU, else PyThaiNLP's newmm);
    every offset is also a grapheme cluster boundary (a segmenter's odd boundary inside a
    cluster is dropped).
    """
    if not text:
        return [0]
    pieces = _icu_words(text) if _icu is not None else _pythainlp_pieces(text)
    if "".join(pieces) != text:  # a segmenter that changed the text: clusters are still safe
        return cluster_breaks(text)
    clusters = set(cluster_breaks(text))
    breaks = [0]
    offset = 0
    for piece in pieces:
        offset += len(piece)
        if offset in clusters and offset != breaks[-1]:
            breaks.append(offset)
    if breaks[-1] != len(text):
        breaks.append(len(text))
    return breaks


def _pythainlp_pieces(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    return list(word_tokenize(text, engine="newmm", keep_whitespace=True))
