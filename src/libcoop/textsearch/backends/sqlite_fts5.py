"""SQLite FTS5 back end (the embedded default).

Tables (of the catalog's index, ``textsearch``; another index ``name`` has the same tables
named ``{name}_document``, ``{name}_fts``, ``{name}_identifier``):

- ``textsearch_document`` (doc_id INTEGER PRIMARY KEY, the analysed fields, title_len): the
  *external content* of the FTS5 table - the text FTS5 indexes, as ``analysis`` produced it:
  ``title author subject text`` hold words and ``title_g author_g subject_g text_g`` hold grams,
  space-separated, each string padded with a space at both ends (so ``instr(col, ' w ')``
  tests for a whole term when ranking);
- ``textsearch_fts``: FTS5 over those eight columns, rowid = doc_id, kept in step by triggers;
- ``textsearch_identifier`` (identifier, doc_id): exact identifiers.

The tokenizer is ``ascii``: every non-ASCII character is part of a token, so Thai vowel signs
and tone marks are never separators (the ``unicode61`` trap), and it splits only at ASCII
spaces and punctuation, which the analysed text contains only between terms.  FTS5 therefore
stores exactly the terms ``analysis`` made; no n-gram tokenizer is involved, so two-letter Thai
words have no length limit (the ``trigram`` trap).  A Thai query word is matched as
``{word columns} : "word" OR {gram columns} : "g1 g2 g3"`` - the second part is an FTS5 phrase
over the bigram columns.

Searching: each candidate stage (see ``common``) is one ``MATCH … ORDER BY rowid LIMIT cap``,
which FTS5 answers in rowid order without ranking; the candidates are then ranked by the
shared policy (``base``) with ``instr`` on the content table.  ``bm25()`` is not used: the
PostgreSQL back end could not reproduce it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from libcoop.textsearch.backends.analysis import (
    AnalysedDocument,
    QueryTerm,
    analyse_document,
    gram_string,
    word_string,
)
from libcoop.textsearch.backends.base import (
    BATCH_SIZE,
    DEFAULT_CANDIDATE_CAP,
    DEFAULT_INDEX,
    FIELDS,
    SearchDocument,
    score_levels,
)
from libcoop.textsearch.backends.common import ScoreRow, SQLBackend, Stage

FILLER = "0"  # stands between Thai runs in a gram column; grams are Thai, so never a query gram
GRAM_COLUMNS = tuple(f"{f}_g" for f in FIELDS)
COLUMNS = (*FIELDS, *GRAM_COLUMNS)
_COLS = ", ".join(COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in COLUMNS)


def statements(name: str) -> dict[str, Any]:
    """The SQL of index ``name``: its tables are ``{name}_document``, ``{name}_fts`` and
    ``{name}_identifier`` (``textsearch`` for the catalog's)."""
    doc, fts, ident = f"{name}_document", f"{name}_fts", f"{name}_identifier"
    delete_trigger = f"""CREATE TRIGGER IF NOT EXISTS {doc}_ad AFTER DELETE ON {doc}
    BEGIN
        INSERT INTO {fts} ({fts}, rowid, {_COLS})
        VALUES ('delete', old.doc_id, {_OLD});
    END"""  # noqa: S608 - constant names only
    install = (
        f"""CREATE TABLE IF NOT EXISTS {doc} (
        doc_id INTEGER PRIMARY KEY,
        {", ".join(f"{c} TEXT NOT NULL DEFAULT ''" for c in COLUMNS)},
        title_len INTEGER NOT NULL DEFAULT 0
    )""",
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(
        {_COLS}, content='{doc}', content_rowid='doc_id', tokenize='ascii'
    )""",
        f"""CREATE TABLE IF NOT EXISTS {ident} (
        identifier TEXT NOT NULL,
        doc_id INTEGER NOT NULL,
        PRIMARY KEY (identifier, doc_id)
    ) WITHOUT ROWID""",
        f"CREATE INDEX IF NOT EXISTS {ident}_doc ON {ident} (doc_id)",
        # Covering: ordering a full title stage by title length reads this index, not the rows.
        f"CREATE INDEX IF NOT EXISTS {doc}_len ON {doc} (doc_id, title_len)",
        f"""CREATE TRIGGER IF NOT EXISTS {doc}_ai AFTER INSERT ON {doc}
    BEGIN
        INSERT INTO {fts} (rowid, {_COLS}) VALUES (new.doc_id, {_NEW});
    END""",  # noqa: S608 - constant names only
        delete_trigger,
        f"""CREATE TRIGGER IF NOT EXISTS {doc}_au AFTER UPDATE ON {doc}
    BEGIN
        INSERT INTO {fts} ({fts}, rowid, {_COLS})
        VALUES ('delete', old.doc_id, {_OLD});
        INSERT INTO {fts} (rowid, {_COLS}) VALUES (new.doc_id, {_NEW});
    END""",  # noqa: S608 - constant names only
    )
    uninstall = (
        f"DROP TRIGGER IF EXISTS {doc}_ai",
        f"DROP TRIGGER IF EXISTS {doc}_ad",
        f"DROP TRIGGER IF EXISTS {doc}_au",
        f"DROP TABLE IF EXISTS {fts}",
        f"DROP TABLE IF EXISTS {doc}",
        f"DROP TABLE IF EXISTS {ident}",
    )
    upsert = f"""
    INSERT INTO {doc} (doc_id, {_COLS}, title_len)
    VALUES (?, {", ".join("?" for _ in COLUMNS)}, ?)
    ON CONFLICT (doc_id) DO UPDATE SET
        {", ".join(f"{c} = excluded.{c}" for c in COLUMNS)}, title_len = excluded.title_len
    WHERE {" OR ".join(f"{c} IS NOT excluded.{c}" for c in COLUMNS)}
"""  # noqa: S608 - constant names only
    return {
        "install": install,
        "uninstall": uninstall,
        "upsert": upsert,
        "delete_trigger": delete_trigger,
    }


_DEFAULT = statements(DEFAULT_INDEX)
_INSTALL: tuple[str, ...] = _DEFAULT["install"]
_UNINSTALL: tuple[str, ...] = _DEFAULT["uninstall"]
_UPSERT: str = _DEFAULT["upsert"]
_DELETE_TRIGGER: str = _DEFAULT["delete_trigger"]


def _batches(items: Iterable[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _quote(text: str) -> str:
    """An FTS5 string: the tokenizer splits it into terms (a phrase if more than one)."""
    return '"' + text.replace('"', '""') + '"'


class SQLiteFTS5Backend(SQLBackend):
    vendor = "sqlite"

    def __init__(
        self,
        connection: Any,
        *,
        candidate_cap: int = DEFAULT_CANDIDATE_CAP,
        name: str = DEFAULT_INDEX,
    ) -> None:
        super().__init__(connection, candidate_cap=candidate_cap, name=name)
        self._sql = statements(self.name)
        self.install_statements = self._sql["install"]
        self.uninstall_statements = self._sql["uninstall"]

    def index(self, docs: Iterable[SearchDocument]) -> None:
        self.index_analysed(analyse_document(doc) for doc in docs)

    def index_analysed(self, docs: Iterable[AnalysedDocument]) -> None:
        """``index`` for documents ``analysis`` has analysed already."""
        with self._cursor() as cursor:
            for batch in _batches(docs):
                analysed = batch
                rows = [
                    (
                        a.doc_id,
                        *(word_string(terms.words) for terms in a.fields),
                        *(gram_string(terms.grams, FILLER) for terms in a.fields),
                        a.title_len,
                    )
                    for a in analysed
                ]
                cursor.executemany(self._sql["upsert"], rows)
                cursor.executemany(
                    f"DELETE FROM {self.name}_identifier WHERE doc_id = ?",  # noqa: S608
                    [(a.doc_id,) for a in analysed],
                )
                cursor.executemany(
                    f"INSERT OR IGNORE INTO {self.name}_identifier (identifier, doc_id)"  # noqa: S608
                    " VALUES (?, ?)",
                    [(ident, a.doc_id) for a in analysed for ident in a.identifiers],
                )

    def delete(self, doc_ids: Iterable[int]) -> None:
        with self._cursor() as cursor:
            for batch in _batches(doc_ids):
                params = [(int(doc_id),) for doc_id in batch]
                for table in (f"{self.name}_document", f"{self.name}_identifier"):
                    cursor.executemany(f"DELETE FROM {table} WHERE doc_id = ?", params)  # noqa: S608

    def delete_range(self, first: int, end: int) -> None:
        """Remove the documents with ``first <= doc_id < end``."""
        with self._cursor() as cursor:
            for table in (f"{self.name}_document", f"{self.name}_identifier"):
                cursor.execute(
                    f"DELETE FROM {table} WHERE doc_id >= ? AND doc_id < ?",  # noqa: S608
                    (first, end),
                )

    def clear(self) -> None:
        """Empty the index; FTS5's 'delete-all' instead of one trigger call per row."""
        with self._cursor() as cursor:
            doc, fts = f"{self.name}_document", f"{self.name}_fts"
            cursor.execute(f"DROP TRIGGER IF EXISTS {doc}_ad")
            cursor.execute(f"DELETE FROM {doc}")  # noqa: S608 - constant names only
            cursor.execute(f"INSERT INTO {fts} ({fts}) VALUES ('delete-all')")  # noqa: S608
            cursor.execute(f"DELETE FROM {self.name}_identifier")  # noqa: S608
            cursor.execute(self._sql["delete_trigger"])  # the delete trigger again

    def _identifier_ids(self, identifier: str, limit: int) -> list[int]:
        with self._cursor() as cursor:
            cursor.execute(
                f"SELECT doc_id FROM {self.name}_identifier WHERE identifier = ?"  # noqa: S608
                " ORDER BY doc_id LIMIT ?",
                (identifier, limit),
            )
            return [int(row[0]) for row in cursor.fetchall()]

    def _candidates(
        self, stage: Stage, terms: tuple[QueryTerm, ...], scope: tuple[int, ...], cap: int
    ) -> list[int]:
        if stage == "first_field":
            match = f"{{{FIELDS[scope[0]]}}} : (" + " AND ".join(_quote(t.word) for t in terms)
            match += ")"
        else:
            word_cols = "{" + " ".join(FIELDS[f] for f in scope) + "}"
            gram_cols = "{" + " ".join(GRAM_COLUMNS[f] for f in scope) + "}"
            parts = []
            for t in terms:
                part = f"{word_cols} : {_quote(t.word)}"
                if t.grams and stage == "words_or_grams":
                    part = f"({part} OR {gram_cols} : {_quote(' '.join(t.grams))})"
                parts.append(part)
            match = " AND ".join(parts)
        with self._cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {self.name}_fts WHERE {self.name}_fts MATCH ?"  # noqa: S608
                " ORDER BY rowid LIMIT ?",
                (match, cap),
            )
            self.last_candidate_paths.append((stage, "fts5"))
            return [int(row[0]) for row in cursor.fetchall()]

    def _shortest(self, doc_ids: Sequence[int], limit: int) -> list[tuple[int, int]]:
        with self._cursor() as cursor:
            cursor.execute(
                f"SELECT doc_id, title_len FROM {self.name}_document"  # noqa: S608
                " WHERE doc_id IN (SELECT value FROM json_each(?))"
                " ORDER BY title_len, doc_id LIMIT ?",
                (json.dumps(list(doc_ids)), limit),
            )
            return [(int(r[0]), int(r[1])) for r in cursor.fetchall()]

    def _score(
        self,
        terms: tuple[QueryTerm, ...],
        scope: tuple[int, ...],
        doc_ids: Sequence[int],
        limit: int,
    ) -> list[ScoreRow]:
        # instr(column, ' term ') finds a whole word, and instr(gram column, ' g1 g2 ') a run
        # of consecutive grams: the columns hold space-separated terms with a space at each end.
        params: list[Any] = []
        word_hit: list[str] = []
        for t in terms:
            word_hit.append("(" + " OR ".join(f"instr(d.{FIELDS[f]}, ?) > 0" for f in scope) + ")")
            params.extend(f" {t.word} " for _ in scope)
        points: list[str] = []
        for t in terms:
            whens: list[str] = []
            for value, f, gram in score_levels(scope):
                if gram and t.grams:
                    whens.append(f"WHEN instr(d.{GRAM_COLUMNS[f]}, ?) > 0 THEN {value}")
                    params.append(f" {' '.join(t.grams)} ")
                elif not gram:
                    whens.append(f"WHEN instr(d.{FIELDS[f]}, ?) > 0 THEN {value}")
                    params.append(f" {t.word} ")
            points.append(f"(CASE {' '.join(whens)} ELSE 0 END)")
        params.extend([json.dumps(list(doc_ids)), limit])
        sql = f"""
            SELECT d.doc_id, {" AND ".join(word_hit)} AS word_hit,
                   {" + ".join(points)} AS points, d.title_len
            FROM {self.name}_document AS d
            WHERE d.doc_id IN (SELECT value FROM json_each(?))
            ORDER BY word_hit DESC, points DESC, d.title_len ASC, d.doc_id ASC
            LIMIT ?
        """  # noqa: S608 - only column names and constants are formatted in; values are bound
        with self._cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(r[0]), r[1], int(r[2]), int(r[3])) for r in cursor.fetchall()]
