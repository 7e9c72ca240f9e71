"""Index terms and query terms, computed once in Python for every back end.

Both back ends store exactly what this module produces and never run a database tokenizer
over raw text, so they agree on every match:

- *word terms*: ``segment(text_key(field))`` - Thai split by dictionary (ICU), Latin split at
  spaces and punctuation, everything case-folded, Latin diacritics folded as in match keys;
  each word is then split at ASCII punctuation (what SQLite's ``ascii`` tokenizer would split
  at anyway).  A field's words are kept once each, in order: ranking needs only presence.
- *gram terms*: ``ngrams(run)`` - bigrams over grapheme clusters of each Thai run, in text
  order, one sequence per run, so that the bigrams of a query word can be looked up as a
  phrase (consecutive positions, same run): that is a substring match that does not depend on
  where the segmenter put the word boundaries.

*Trigrams* (over clusters) are derived alongside: gram k and gram k+1 kept (adjacent) means
trigram k is present.  PostgreSQL stores them (presence only) so that GIN can narrow a bigram
phrase to documents that have the query's trigrams before it checks positions; they never
change what matches, only how fast.

``layout`` assigns positions (the PostgreSQL ``tsvector`` needs them; SQLite rebuilds the same
sequences as space-separated strings) and truncates a document at the limits of a ``tsvector``
(positions up to 16,383, at most 256 positions per lexeme) so that both back ends index the
same terms even for very long notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from libcoop.textsearch.backends.base import FIELDS, SearchDocument
from libcoop.textsearch.keys import text_key
from libcoop.textsearch.thai import _THAI_RUN, ngrams, segment

MAX_POSITION = 16383  # PostgreSQL clamps larger tsvector positions to this value
MAX_OCCURRENCES = 256  # PostgreSQL keeps at most this many positions per lexeme
MAX_TERM_CHARS = 100  # longer "words" are noise (and a tsvector lexeme must stay < 2 KB)
MAX_QUERY_TERMS = 32  # further query words are ignored

# ASCII characters other than letters and digits: SQLite's ascii tokenizer splits at them.
_ASCII_SEPARATORS = re.compile(r"[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+")

Gram = str | None  # None: a gram dropped by the per-lexeme limit (still takes its position)


@dataclass(frozen=True)
class FieldTerms:
    words: tuple[str, ...] = ()
    grams: tuple[tuple[Gram, ...], ...] = ()  # bigrams, one tuple per Thai run
    trigrams: tuple[tuple[Gram, ...], ...] = ()  # per run: trigram k spans grams k and k+1


EMPTY = FieldTerms()


@dataclass(frozen=True)
class AnalysedDocument:
    doc_id: int
    fields: tuple[FieldTerms, ...]  # in FIELDS order
    identifiers: tuple[str, ...]

    @property
    def title_len(self) -> int:
        """Number of distinct title words: the brevity tie-break (shorter titles first)."""
        return len(self.fields[0].words)


@dataclass(frozen=True)
class QueryTerm:
    word: str
    grams: tuple[str, ...] | None  # bigram phrase for a Thai word; None for other words
    trigrams: tuple[str, ...] = ()  # its trigrams, if it has three clusters or more


def _split_ascii(token: str) -> list[str]:
    return [part for part in _ASCII_SEPARATORS.split(token) if 0 < len(part) <= MAX_TERM_CHARS]


def _words(key: str) -> list[str]:
    out: list[str] = []
    for token in segment(key):
        out.extend(_split_ascii(token))
    return out


# text_key of recently analysed text: an import computes a title's key for matching and
# again for its search document.
key_of = lru_cache(maxsize=4096)(text_key)

# Results of analyse_text computed in another process running this same code (an import's
# worker analyses its records' text while the importing process writes), by text.
_PRIMED: dict[str, FieldTerms] = {}
PRIMED_LIMIT = 5_000  # a batch's worth: they are used by the batch they come with


def prime(results: Iterable[tuple[str, FieldTerms]]) -> None:
    """Hand over ``analyse_text`` results computed elsewhere (same code, so same results)."""
    if len(_PRIMED) > PRIMED_LIMIT:
        _PRIMED.clear()
    _PRIMED.update(results)


def analyse_text(text: str) -> FieldTerms:
    """Word and gram terms of one field's text."""
    primed = _PRIMED.get(text)
    return primed if primed is not None else _analyse_text(text)


def analyse_once(text: str) -> FieldTerms:
    """``analyse_text`` for text that will not come again (a record's title, during an
    import): the same result, not kept in the cache."""
    primed = _PRIMED.get(text)
    return primed if primed is not None else _analyse_text.__wrapped__(text)


@lru_cache(maxsize=65536)  # authors, publishers, series and subjects repeat across a catalog
def _analyse_text(text: str) -> FieldTerms:
    if not text or not text.strip():
        return EMPTY
    key = key_of(text)
    words = tuple(dict.fromkeys(_words(key)))
    runs = _THAI_RUN.findall(key)
    grams = tuple(tuple(ngrams(run)) for run in runs)
    trigrams = tuple(
        tuple(ngrams(run, 3)) if len(g) > 1 else () for run, g in zip(runs, grams, strict=True)
    )
    return FieldTerms(words, grams, trigrams)


def _truncate(fields: list[FieldTerms]) -> tuple[FieldTerms, ...]:
    """Cut the fields where ``layout`` would pass MAX_POSITION; blank grams past 256 uses.

    A trigram is kept only where both of its grams are kept.
    """
    # Positions used, an upper bound (see layout): when it is within both limits, no gram
    # can occur more than MAX_OCCURRENCES times and nothing is cut - the usual case.
    used = sum(len(t.words) + sum(len(run) + 1 for run in t.grams) + 2 for t in fields)
    if used <= min(MAX_POSITION, MAX_OCCURRENCES):
        return tuple(fields)
    out: list[FieldTerms] = []
    pos = 1
    seen: dict[str, int] = {}
    for terms in fields:
        room = MAX_POSITION - pos + 1
        words = terms.words[: max(room, 0)]
        pos += len(words) + 1
        runs: list[tuple[Gram, ...]] = []
        tri_runs: list[tuple[Gram, ...]] = []
        for run, tris in zip(terms.grams, terms.trigrams, strict=True):
            room = MAX_POSITION - pos + 1
            if room <= 0:
                break
            kept: list[Gram] = []
            for gram in run[:room]:
                if gram is not None:
                    seen[gram] = seen.get(gram, 0) + 1
                kept.append(gram if gram is not None and seen[gram] <= MAX_OCCURRENCES else None)
            runs.append(tuple(kept))
            tri_runs.append(
                tuple(
                    tri if kept[k] is not None and kept[k + 1] is not None else None
                    for k, tri in enumerate(tris[: len(kept) - 1])
                )
            )
            pos += len(kept) + 1
        pos += 1
        out.append(FieldTerms(words, tuple(runs), tuple(tri_runs)))
    return tuple(out)


def analyse_document(doc: SearchDocument) -> AnalysedDocument:
    fields = [analyse_text(getattr(doc, name)) for name in FIELDS]
    identifiers = tuple(dict.fromkeys(i.strip() for i in doc.identifiers if i and i.strip()))
    return AnalysedDocument(doc.doc_id, _truncate(fields), identifiers)


def layout(doc: AnalysedDocument) -> Iterator[tuple[int, bool, str, int]]:
    """(field index, is_gram, term, position) for every term of ``doc``.

    Positions: each field's words, a gap, each Thai run's grams followed by a gap, and one
    more gap between fields - so a gram phrase never spans two runs or two fields.
    """
    pos = 1
    for index, terms in enumerate(doc.fields):
        for word in terms.words:
            yield index, False, word, pos
            pos += 1
        pos += 1
        for run in terms.grams:
            for gram in run:
                if gram is not None:
                    yield index, True, gram, pos
                pos += 1
            pos += 1
        pos += 1


def analyse_query(query: str) -> tuple[QueryTerm, ...]:
    """The query's words, each with the bigram phrase that may stand in for it (Thai only)."""
    terms: dict[str, QueryTerm] = {}
    for word in _words(text_key(query)):
        if word in terms:
            continue
        grams = tuple(ngrams(word)) if _THAI_RUN.fullmatch(word) else ()
        trigrams = tuple(ngrams(word, 3)) if len(grams) > 1 else ()
        terms[word] = QueryTerm(word, grams or None, trigrams)
        if len(terms) == MAX_QUERY_TERMS:
            break
    return tuple(terms.values())


def gram_string(runs: tuple[tuple[Gram, ...], ...], filler: str) -> str:
    """Grams joined by spaces, runs separated by ``filler`` (a token no query gram can be)."""
    if not runs:
        return ""
    body = f" {filler} ".join(" ".join(g if g is not None else filler for g in run) for run in runs)
    return f" {body} "


def word_string(words: tuple[str, ...]) -> str:
    """Words joined by spaces, with a space at each end so that ' w ' finds a whole word."""
    return f" {' '.join(words)} " if words else ""
