"""The search back-end interface, the ranking policy both back ends share, and connections.

Matching (both back ends)
    A query is cut into words exactly as documents are (``analysis.analyse_query``).  Every
    query word must match (AND), in any searched field: all four text fields for a keyword
    search, one field for a field search.  A word matches a field *as a word* if the field
    has that word; a Thai word also matches *by n-grams* if its grapheme bigrams occur in the
    field consecutively and in order (a phrase over the bigram sequence, inside one Thai run):
    i.e. the word occurs in the field's text even where the segmenter cut it differently.
    So, per document, a Thai query word falls back to its n-grams when it is not one of the
    document's words.  Latin words and numbers match as words only.  Identifiers match only
    exactly (``field="identifier"``, or a keyword query equal to one identifier: those hits
    come first).

Ranking (both back ends, computed by the database, identical by construction)
    1. ``word_hit`` first: every query word matched as a word somewhere in the searched
       fields.  A document that matches only through n-grams for some word comes after every
       document that matches all of them as words.
    2. then ``points``, summed over query words: the best field the word matched in, worth
       field weight x match kind, weights title 8, author 4, subject 2, text 1, kind word 2,
       n-gram 1 (title word 16, title n-gram 8 = author word 8, ...).
    3. then shorter titles (fewer title words) first;
    4. then ``doc_id`` ascending.
    ``Hit.score`` = 1,000,000 x word_hit + points + 1 / (2 + title words), so it sorts the
    same way (higher is better); exact identifier hits score 2,000,000.

    There is no BM25 / ts_rank term: FTS5's bm25 needs corpus statistics PostgreSQL does not
    keep, and ts_rank is a different function, so using them would make the two back ends
    disagree.  With every query word required (AND), inverse document frequency would add
    little; field, match kind and title length carry the ranking.

Large result sets
    Ranking runs on a capped candidate set so that very common words (การ, thailand) cost
    about as much as rare ones: up to ``candidate_cap`` documents that have every query word
    *as a word in the title* (or in the searched field), plus up to ``candidate_cap`` that
    match at all.  Below the cap the result is exact, and the same on both back ends.  Above
    it, the best title matches are still considered first, and the candidates of a stage are
    its first ``cap`` matches in ``doc_id`` order on both back ends (FTS5's rowid order; in
    PostgreSQL the walk in doc_id order or the GIN matches sorted by doc_id), never the
    rows' physical order: the same documents on a fresh or an updated table.  One
    difference is left: when PostgreSQL walks the title stage (its words are common) and the
    walk's window holds fewer than ``cap`` title matches, the stage keeps those, where FTS5
    would go on to the end of the table (see ``postgres._candidates``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

FIELDS = ("title", "author", "subject", "text")
FIELD_WEIGHTS = (8, 4, 2, 1)  # in FIELDS order
WORD_MATCH = 2
GRAM_MATCH = 1
WORD_HIT_SCORE = 1_000_000.0
IDENTIFIER_SCORE = 2_000_000.0
SEARCH_FIELDS = (*FIELDS, "identifier")
DEFAULT_CANDIDATE_CAP = 2000
BATCH_SIZE = 1000
# An index is a set of tables named after it: ``textsearch`` (the catalog's: textsearch_document,
# ...) unless a caller names another one, e.g. the digital collection's ``repository_search``.
DEFAULT_INDEX = "textsearch"
_INDEX_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def check_index_name(name: str) -> str:
    """``name`` if it can name an index's tables (lower-case letters, digits, underscores)."""
    if not _INDEX_NAME.fullmatch(name):
        raise ValueError(f"not a search index name: {name!r} (use [a-z][a-z0-9_]*, 40 at most)")
    return name


@dataclass(frozen=True)
class SearchDocument:
    doc_id: int
    title: str = ""
    author: str = ""
    subject: str = ""
    text: str = ""  # everything else worth finding (publisher, series, notes)
    identifiers: tuple[str, ...] = ()  # normalised ISBN-13s, ISSNs, OCLC numbers, local ids


@dataclass(frozen=True)
class Hit:
    doc_id: int
    score: float  # higher is better
    word_hit: bool  # True if matched on whole words, False if only via n-grams


@runtime_checkable
class SearchBackend(Protocol):
    def install(self, schema_editor_or_connection: Any = None) -> None: ...

    def uninstall(self, schema_editor_or_connection: Any = None) -> None: ...

    def index(self, docs: Iterable[SearchDocument]) -> None: ...

    def delete(self, doc_ids: Iterable[int]) -> None: ...

    def delete_range(self, first: int, end: int) -> None: ...

    def search(self, query: str, *, field: str | None = None, limit: int = 1000) -> list[Hit]: ...

    def clear(self) -> None: ...


def score_levels(scope: tuple[int, ...]) -> list[tuple[int, int, bool]]:
    """(points, field index, is_gram) for the searched fields, best first."""
    levels = [
        (FIELD_WEIGHTS[f] * (GRAM_MATCH if gram else WORD_MATCH), f, gram)
        for f in scope
        for gram in (False, True)
    ]
    return sorted(levels, key=lambda level: (-level[0], level[1], level[2]))


def hit_score(word_hit: bool, points: int, title_len: int) -> float:
    return (WORD_HIT_SCORE if word_hit else 0.0) + points + 1.0 / (2 + title_len)


def scope_of(field: str | None) -> tuple[int, ...]:
    return tuple(range(len(FIELDS))) if field is None else (FIELDS.index(field),)


def check_field(field: str | None) -> None:
    if field is not None and field not in SEARCH_FIELDS:
        raise ValueError(f"unknown search field {field!r}; use None or one of {SEARCH_FIELDS}")


# --- connections -------------------------------------------------------------------------------


def _is_schema_editor(obj: Any) -> bool:
    return hasattr(obj, "deferred_sql") and hasattr(obj, "connection")


def _is_django_connection(obj: Any) -> bool:
    return hasattr(obj, "ensure_connection") and hasattr(obj, "vendor")


def raw_connection(obj: Any) -> Any:
    """The DB-API connection behind a Django schema editor or connection (or ``obj`` itself).

    Statements run on it belong to the caller's transaction: it is the same connection.
    """
    if _is_schema_editor(obj):
        obj = obj.connection
    if _is_django_connection(obj):
        obj.ensure_connection()
        return obj.connection
    return obj


def vendor_of(obj: Any) -> str:
    """'sqlite' or 'postgresql' for a Django schema editor, Django connection or DB-API one."""
    if _is_schema_editor(obj):
        obj = obj.connection
    if _is_django_connection(obj):
        return str(obj.vendor)
    if isinstance(obj, sqlite3.Connection):
        return "sqlite"
    if type(obj).__module__.split(".")[0] == "psycopg":
        return "postgresql"
    raise TypeError(f"not a SQLite or PostgreSQL connection: {type(obj).__name__}")
