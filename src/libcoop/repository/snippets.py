"""Search snippets: a short piece of text around the first hit, with the query's words marked.

The caller passes only text the reader may read (``search`` gives the abstracts to everyone
and a file's text only where ``access.can_read_files`` allows it); this module never reads
the database.

* Finding: the query is cut into words as the index cuts it (``analysis.analyse_query``:
  Thai by dictionary, everything case-folded, Latin accents folded), and each word is looked
  for in the text folded the same way. A Thai word matches anywhere it starts and ends on a
  grapheme cluster boundary (as the index's n-gram match does: the word inside a longer
  word); a Latin word or a number matches as a whole word. The text with the most of the
  query's words wins (the first such text, in the order given), and its first hit anchors
  the snippet.
* Cutting: the window around the hit is widened to the nearest word boundaries
  (``thai.word_breaks``: the segmenter's Thai words, never inside a grapheme cluster), so a
  Thai word, a tone mark or a vowel sign is never cut; an ellipsis marks a cut.
* Marking: every hit inside the window is wrapped in ``<mark>``; everything else is
  HTML-escaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from libcoop.textsearch import normalise
from libcoop.textsearch.backends.analysis import analyse_query
from libcoop.textsearch.thai import cluster_breaks, word_breaks

WIDTH = 240  # characters around the hit, before widening to word boundaries
LEAD = 80  # of which before the hit
MAX_WIDEN = 40  # widen to a word boundary at most this far; else to a cluster boundary
ELLIPSIS = "…"

_THAI = re.compile("[\u0e00-\u0e7f]")
_EDGE_PUNCTUATION = "\"'()[]{}<>.,;:!?"
_PLAIN = re.compile(r"[^\x00-\x7f\u0e00-\u0e7f]")  # text outside ASCII and Thai needs care


@dataclass(frozen=True)
class Snippet:
    text: str  # plain text of the snippet (ellipses included)
    html: SafeString  # the same, escaped, hits in <mark>
    marks: tuple[tuple[int, int], ...]  # the hits' spans in ``text``
    source: int  # index of the text it came from (in the order given)
    words: frozenset[str] = frozenset()  # the query words found in that text


def _fold_char(ch: str) -> str:
    folded = ch.casefold()
    if not folded.isascii() and not _THAI.match(folded):
        decomposed = unicodedata.normalize("NFKD", folded)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        if stripped and "LATIN" in unicodedata.name(ch, ""):
            return stripped
    return folded


def fold(text: str) -> tuple[str, list[int] | None]:
    """``text`` case- (and Latin accent-) folded, and for each folded character the offset in
    ``text`` it came from (None: the same offsets)."""
    if not _PLAIN.search(text):
        return text.lower(), None  # ASCII lower = casefold; Thai has no case
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        offsets.extend([i] * len(folded))
    return "".join(out), offsets


def query_words(query: str) -> tuple[str, ...]:
    return tuple(term.word for term in analyse_query(query))


def query_phrases(query: str, words: Sequence[str]) -> tuple[str, ...]:
    """The query's space-separated parts that the segmenter cut into several words (น้ำผึ้ง
    → น้ำ, ผึ้ง): a place where the whole part occurs is the better anchor."""
    phrases = []
    for part in normalise(query).split():
        folded = fold(part.strip(_EDGE_PUNCTUATION))[0]
        if folded and folded not in words and any(w in folded for w in words):
            phrases.append(folded)
    return tuple(dict.fromkeys(phrases))


def find_hits(text: str, words: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, word) of every occurrence of ``words`` in ``text`` (offsets in ``text``),
    sorted; see the module docstring for what counts as an occurrence."""
    folded, offsets = fold(text)
    hits: list[tuple[int, int, str]] = []
    for word in words:
        if not word:
            continue
        thai = bool(_THAI.match(word))
        start = folded.find(word)
        while start >= 0:
            end = start + len(word)
            raw_start = offsets[start] if offsets is not None else start
            raw_end = (offsets[end - 1] + 1) if offsets is not None else end
            if thai:
                ok = _cluster_starts_at(text, raw_start) and _cluster_starts_at(text, raw_end)
            else:
                before = text[raw_start - 1] if raw_start > 0 else " "
                after = text[raw_end] if raw_end < len(text) else " "
                ok = not before.isalnum() and not (after.isalnum() or _is_mark(after))
            if ok:
                hits.append((raw_start, raw_end, word))
            start = folded.find(word, start + 1)
    hits.sort()
    return hits


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "M"


def _cluster_starts_at(text: str, i: int) -> bool:
    """Whether offset ``i`` of ``text`` is a grapheme cluster boundary (as
    ``thai.cluster_breaks`` has it, without walking the whole text)."""
    if i <= 0 or i >= len(text):
        return True
    return not _joins(text[i]) and not (text[i] == "\n" and text[i - 1] == "\r")


def _joins(ch: str) -> bool:
    """Whether ``ch`` belongs to the character before it (see ``thai.cluster_breaks``)."""
    return ch in ("\u0e33", "\u200d") or _is_mark(ch)


def _cut_points(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Widen [lo, hi) to word boundaries (or, past MAX_WIDEN, cluster boundaries)."""
    region_start = max(0, lo - MAX_WIDEN)
    region_end = min(len(text), hi + MAX_WIDEN)
    while region_start > 0 and _joins(text[region_start]):
        region_start -= 1  # the region itself starts and ends between clusters
    while region_end < len(text) and _joins(text[region_end]):
        region_end += 1
    region = text[region_start:region_end]
    words = [region_start + b for b in word_breaks(region)]
    clusters = [region_start + b for b in cluster_breaks(region)]
    # the region's own ends are real boundaries only at the text's ends
    inner = [b for b in words if region_start < b < region_end or b in (0, len(text))]
    start = max((b for b in inner if b <= lo), default=None)
    if start is None:
        start = max(b for b in clusters if b <= lo)
    end = min((b for b in inner if b >= hi), default=None)
    if end is None:
        end = min(b for b in clusters if b >= hi)
    return start, end


def make_snippet(texts: Iterable[str], query: str, *, width: int = WIDTH) -> Snippet | None:
    """The snippet of the best of ``texts`` for ``query``; None if no text has a hit."""
    words = query_words(query)
    if not words:
        return None
    phrases = query_phrases(query, words)
    best: tuple[tuple[int, int], int, str, list[tuple[int, int, str]]] | None = None
    for index, raw in enumerate(texts):
        text = normalise(raw)
        if not text:
            continue
        hits = find_hits(text, words)
        if not hits:
            continue
        whole = find_hits(text, phrases) if phrases else []
        rank = (len({w for _, _, w in hits}), len({p for _, _, p in whole}))
        if best is None or rank > best[0]:
            best = (rank, index, text, whole + hits)
            if rank == (len(words), len(phrases)):
                break
    if best is None:
        return None
    _rank, index, text, found = best
    whole_hits = [h for h in found if h[2] in phrases]
    hits = sorted(found)
    anchor_start, anchor_end = (whole_hits or hits)[0][:2]
    lo = max(0, anchor_start - LEAD)
    hi = min(len(text), max(anchor_end, lo + width))
    start, end = _cut_points(text, lo, hi)
    inside = [(s, e) for s, e, _ in hits if s >= start and e <= end]
    snippet = _render(text, start, end, _merge(inside), index)
    found_words = frozenset(w for _s, _e, w in hits if w in words)
    return Snippet(snippet.text, snippet.html, snippet.marks, snippet.source, found_words)


def leading_snippet(texts: Iterable[str], *, width: int = WIDTH) -> Snippet | None:
    """The start of the first non-empty text, cut at a word boundary (no hits marked)."""
    for index, raw in enumerate(texts):
        text = normalise(raw)
        if text:
            _start, end = _cut_points(text, 0, min(len(text), width))
            return _render(text, 0, end, [], index)
    return None


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]], index: int) -> Snippet:
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    plain: list[str] = [prefix]
    html: list[str] = [prefix]
    marks: list[tuple[int, int]] = []
    pos = start
    length = len(prefix)
    for s, e in spans:
        plain.append(text[pos:s])
        html.append(escape(text[pos:s]))
        length += s - pos
        plain.append(text[s:e])
        html.append(f"<mark>{escape(text[s:e])}</mark>")
        marks.append((length, length + e - s))
        length += e - s
        pos = e
    plain.append(text[pos:end] + suffix)
    html.append(escape(text[pos:end]) + suffix)
    return Snippet("".join(plain), mark_safe("".join(html)), tuple(marks), index)  # noqa: S308
