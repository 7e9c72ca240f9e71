"""PostgreSQL full-text back end: one ``tsvector`` per document, one GIN index.

Tables (of the catalog's index, ``textsearch``; another index ``name`` has the same tables
named ``{name}_document`` and ``{name}_identifier``):

- ``textsearch_document`` (doc_id bigint primary key, terms tsvector, title_len integer) with
  a GIN index on ``terms``;
- ``textsearch_identifier`` (identifier, doc_id): exact identifiers (B-tree).

``terms`` holds the words and, prefixed with ``~`` (a character no word contains), the Thai
bigrams of all four fields, with weights A title, B author, C subject, D text and the
positions of ``analysis.layout``; and, prefixed with ``^`` and without positions, the Thai
trigrams.  The ``tsvector`` is written as a literal built in Python, not by
``to_tsvector``: PostgreSQL's parser never sees the text, so it cannot split Thai, fold
differently from SQLite, or drop terms (it is equivalent to config ``simple`` on the
pre-segmented text, with the positions under our control).  Queries are ``tsquery`` literals
built the same way: a Thai word is ``'word' | ('~g1' <-> '~g2' <-> ...)`` (``<->`` is a phrase:
adjacent positions), a field search adds a weight (``'word':A``).  GIN cannot check positions,
so a phrase of common bigrams (การา: กา, าร, รา) would send every document holding all three
to a recheck; the candidate queries therefore also require the word's trigrams (``'^การ' &
'^ารา'``), which are rarer and which GIN does check - the same documents match, fewer are
rechecked.  ``pg_trgm`` is not needed.

Speed at 1,000,000 documents.  Candidates (see ``common``) come from one of two plans:

- *walk*: ``SELECT … FROM (… ORDER BY doc_id LIMIT 20 x cap) WHERE terms @@ q LIMIT cap`` -
  for words common enough (by the lexeme frequencies ANALYZE keeps in ``pg_stats``) that the
  first documents hold ``cap`` matches.  GIN would first read the word's whole posting list
  (~60 ms for การ in 60 % of a million documents); the walk reads a few thousand rows.
- *GIN*: ``SELECT … FROM (… WHERE terms @@ (SELECT q) OFFSET 0) ORDER BY doc_id LIMIT cap``
  - the sub-select hides the query from the planner, whose estimates for Thai are wrong both
  ways (a rare word made of common bigrams looks common, so it walks the whole table; a
  common bigram phrase can look rare); the bitmap heap scan reads every match and the first
  ``cap`` by doc_id are kept (a top-N sort). It used to stop after ``cap`` rows in heap
  order, so which documents became candidates of a very broad query depended on the rows'
  physical order (a table updated or reloaded gave other results, and other results than
  SQLite); now both plans and FTS5 take the first ``cap`` matches by doc_id.

Only the candidates are ranked.  Without statistics (a table never analysed) every stage
takes the GIN plan, which is always correct, just slower for very common words.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from libcoop.textsearch.backends.analysis import (
    AnalysedDocument,
    QueryTerm,
    analyse_document,
    layout,
)
from libcoop.textsearch.backends.base import (
    BATCH_SIZE,
    DEFAULT_CANDIDATE_CAP,
    DEFAULT_INDEX,
    SearchDocument,
    score_levels,
)
from libcoop.textsearch.backends.common import ScoreRow, SQLBackend, Stage

WEIGHTS = "ABCD"  # title, author, subject, text
GRAM_PREFIX = "~"
TRIGRAM_PREFIX = "^"  # trigram lexemes (no positions): GIN prefilter for bigram phrases
WALK_FACTOR = 20  # a walk reads at most 20 x cap documents (40,000 for a cap of 2,000)
FIRST_FIELD_WALK_FACTOR = 5
WALK_MARGIN = 1.2  # walk if the walk should find 1.2 x cap matches: a share of 6 % or more
PROBE_ROWS = 2000  # documents counted to measure that share
FREQUENCY_TTL = 300.0  # seconds to trust the lexeme frequencies read from pg_stats

# (host, port, dbname, table) -> (monotonic time read, lexeme -> share of documents)
_FREQUENCIES: dict[tuple[str, int, str, str], tuple[float, dict[str, float]]] = {}


def statements(name: str) -> dict[str, Any]:
    """The SQL of index ``name``: tables ``{name}_document`` and ``{name}_identifier``
    (``textsearch`` for the catalog's)."""
    doc, ident = f"{name}_document", f"{name}_identifier"
    install = (
        # toast_tuple_target: keep tsvectors (typically 1-3 KB) in the row, uncompressed - a
        # walk or the ranking reads them several times per row; measured 3x faster than
        # compressed.
        f"""CREATE TABLE IF NOT EXISTS {doc} (
        doc_id bigint PRIMARY KEY,
        terms tsvector NOT NULL,
        title_len integer NOT NULL DEFAULT 0
    ) WITH (toast_tuple_target = 8160)""",
        f"CREATE INDEX IF NOT EXISTS {doc}_terms ON {doc} USING gin (terms)",
        f"""CREATE TABLE IF NOT EXISTS {ident} (
        identifier text NOT NULL,
        doc_id bigint NOT NULL,
        PRIMARY KEY (identifier, doc_id)
    )""",
        f"CREATE INDEX IF NOT EXISTS {ident}_doc ON {ident} (doc_id)",
    )
    uninstall = (f"DROP TABLE IF EXISTS {ident}", f"DROP TABLE IF EXISTS {doc}")
    # One statement per batch: the rows arrive as three arrays.
    upsert = f"""
    INSERT INTO {doc} (doc_id, terms, title_len)
    SELECT v.doc_id, v.terms::tsvector, v.title_len
    FROM unnest(%s::bigint[], %s::text[], %s::integer[]) AS v(doc_id, terms, title_len)
    ON CONFLICT (doc_id) DO UPDATE SET terms = EXCLUDED.terms, title_len = EXCLUDED.title_len
    WHERE {doc}.terms IS DISTINCT FROM EXCLUDED.terms
       OR {doc}.title_len IS DISTINCT FROM EXCLUDED.title_len
"""  # noqa: S608 - constant names only
    insert_identifiers = f"""
    INSERT INTO {ident} (identifier, doc_id)
    SELECT * FROM unnest(%s::text[], %s::bigint[]) ON CONFLICT DO NOTHING
"""  # noqa: S608 - constant names only
    return {
        "install": install,
        "uninstall": uninstall,
        "upsert": upsert,
        "insert_identifiers": insert_identifiers,
    }


_DEFAULT = statements(DEFAULT_INDEX)
_INSTALL: tuple[str, ...] = _DEFAULT["install"]
_UNINSTALL: tuple[str, ...] = _DEFAULT["uninstall"]


def _batches(items: Iterable[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def lexeme(term: str) -> str:
    """A quoted tsvector/tsquery lexeme (quotes and backslashes doubled)."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(doc: AnalysedDocument) -> str:
    positions: dict[str, list[str]] = {}
    for field, is_gram, term, pos in layout(doc):
        key = GRAM_PREFIX + term if is_gram else term
        positions.setdefault(key, []).append(f"{pos}{WEIGHTS[field]}")
    entries = [f"{lexeme(key)}:{','.join(ps)}" for key, ps in positions.items()]
    trigrams = {
        TRIGRAM_PREFIX + tri
        for terms in doc.fields
        for run in terms.trigrams
        for tri in run
        if tri is not None
    }
    entries.extend(lexeme(key) for key in sorted(trigrams))  # presence only: no positions
    return " ".join(entries)


def _word_query(term: QueryTerm, fields: tuple[int, ...] | None) -> str:
    weight = ":" + "".join(WEIGHTS[f] for f in fields) if fields else ""
    return lexeme(term.word) + weight


def _gram_query(term: QueryTerm, fields: tuple[int, ...] | None, *, prefilter: bool = False) -> str:
    """The bigram phrase; with ``prefilter``, AND its trigrams, which GIN can check."""
    weight = ":" + "".join(WEIGHTS[f] for f in fields) if fields else ""
    phrase = " <-> ".join(lexeme(GRAM_PREFIX + g) + weight for g in term.grams or ())
    if prefilter and term.trigrams:
        trigrams = " & ".join(lexeme(TRIGRAM_PREFIX + t) for t in term.trigrams)
        return f"({trigrams} & ({phrase}))"
    return f"({phrase})"


class PostgresBackend(SQLBackend):
    vendor = "postgresql"
    _dense_memo: tuple[tuple[str, int] | None, bool] = (None, False)

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
        self._doc = f"{self.name}_document"
        self._ident = f"{self.name}_identifier"

    def index(self, docs: Iterable[SearchDocument]) -> None:
        self.index_analysed(analyse_document(doc) for doc in docs)

    def index_analysed(self, docs: Iterable[AnalysedDocument]) -> None:
        """``index`` for documents ``analysis`` has analysed already."""
        with self._cursor() as cursor:
            for batch in _batches(docs):
                # A document given twice in one batch: the later one wins, as row by row.
                analysed = list({doc.doc_id: doc for doc in batch}.values())
                cursor.execute(
                    self._sql["upsert"],
                    (
                        [a.doc_id for a in analysed],
                        [tsvector_literal(a) for a in analysed],
                        [a.title_len for a in analysed],
                    ),
                    prepare=False,
                )
                cursor.execute(
                    f"DELETE FROM {self._ident} WHERE doc_id = ANY(%s)",  # noqa: S608
                    ([a.doc_id for a in analysed],),
                )
                idents = [(ident, a.doc_id) for a in analysed for ident in a.identifiers]
                if idents:
                    cursor.execute(
                        self._sql["insert_identifiers"],
                        ([i for i, _ in idents], [d for _, d in idents]),
                        prepare=False,
                    )

    def delete(self, doc_ids: Iterable[int]) -> None:
        with self._cursor() as cursor:
            for batch in _batches(doc_ids):
                ids = [int(doc_id) for doc_id in batch]
                for table in (self._doc, self._ident):
                    cursor.execute(f"DELETE FROM {table} WHERE doc_id = ANY(%s)", (ids,))  # noqa: S608

    def delete_range(self, first: int, end: int) -> None:
        """Remove the documents with ``first <= doc_id < end``."""
        with self._cursor() as cursor:
            for table in (self._doc, self._ident):
                cursor.execute(
                    f"DELETE FROM {table} WHERE doc_id >= %s AND doc_id < %s",  # noqa: S608
                    (first, end),
                )

    def clear(self) -> None:
        """Empty the index (DELETE, not TRUNCATE: searches keep running until commit)."""
        with self._cursor() as cursor:
            cursor.execute(f"DELETE FROM {self._doc}")  # noqa: S608 - constant names only
            cursor.execute(f"DELETE FROM {self._ident}")  # noqa: S608

    def _identifier_ids(self, identifier: str, limit: int) -> list[int]:
        with self._cursor() as cursor:
            cursor.execute(
                f"SELECT doc_id FROM {self._ident} WHERE identifier = %s"  # noqa: S608
                " ORDER BY doc_id LIMIT %s",
                (identifier, limit),
            )
            return [int(row[0]) for row in cursor.fetchall()]

    # --- searching ----------------------------------------------------------------------------

    def _stage_query(
        self, stage: Stage, terms: tuple[QueryTerm, ...], scope: tuple[int, ...]
    ) -> str:
        if stage == "first_field":
            return " & ".join(_word_query(t, scope[:1]) for t in terms)
        fields = None if len(scope) > 1 else scope  # keyword search: no weight restriction
        return " & ".join(
            f"({_word_query(t, fields)} | {_gram_query(t, fields, prefilter=True)})"
            if t.grams and stage == "words_or_grams"
            else _word_query(t, fields)
            for t in terms
        )

    def _candidates(
        self, stage: Stage, terms: tuple[QueryTerm, ...], scope: tuple[int, ...], cap: int
    ) -> list[int]:
        """Walk the first documents in doc_id order when the words are common, else use GIN.

        GIN reads a word's whole posting list before the first row comes back: ~60 ms for a
        word in 600,000 of 1,000,000 documents.  When the first ``WALK_FACTOR x cap``
        documents should hold ``cap`` matches, reading them is far cheaper.  If the walk falls
        short, the word stage falls back to GIN; the first-field stage keeps what it found -
        it only adds candidates to a word stage that is then capped as well.
        """
        query = self._stage_query(stage, terms, scope)
        paths = self.last_candidate_paths
        with self._cursor() as cursor:
            if stage != "words_or_grams" and self._words_are_dense(cursor, terms, scope, cap):
                factor = FIRST_FIELD_WALK_FACTOR if stage == "first_field" else WALK_FACTOR
                cursor.execute(
                    "SELECT doc_id, title_len FROM (SELECT doc_id, terms, title_len"  # noqa: S608
                    f" FROM {self._doc} ORDER BY doc_id LIMIT %s) AS head"
                    " WHERE terms @@ %s::tsquery LIMIT %s",
                    (factor * cap, query, cap),
                    prepare=False,
                )
                ids = self._keep_lengths(cursor.fetchall())
                if stage == "first_field" or len(ids) >= cap:
                    paths.append((stage, "walk"))
                    return ids
            # The sub-select hides the tsquery from the planner: its estimates for Thai are
            # wrong both ways (see the module docstring), and the GIN bitmap scan is right.
            # OFFSET 0 keeps the bitmap scan inside (no walk of the primary key looking for
            # rare matches); the first ``cap`` matches by doc_id are taken from all of them,
            # as FTS5 and the walk take them, whatever the rows' physical order.
            cursor.execute(
                "SELECT doc_id, title_len FROM (SELECT doc_id, title_len"  # noqa: S608
                f" FROM {self._doc} WHERE terms @@ (SELECT %s::tsquery) OFFSET 0)"
                " AS matches ORDER BY doc_id LIMIT %s",
                (query, cap),
                prepare=False,
            )
            paths.append((stage, "gin"))
            return self._keep_lengths(cursor.fetchall())

    def _keep_lengths(self, rows: list[tuple[Any, Any]]) -> list[int]:
        """The candidates' doc_ids; their title lengths are kept for ``_shortest`` (the
        candidate query reads the rows anyway, a second look-up would read them again)."""
        self._lengths.update((int(d), int(n)) for d, n in rows)
        return [int(d) for d, _ in rows]

    def _words_are_dense(
        self, cursor: Any, terms: tuple[QueryTerm, ...], scope: tuple[int, ...], cap: int
    ) -> bool:
        """Whether the first ``WALK_FACTOR x cap`` documents should hold ``cap`` word matches.

        Every word must be present, so the rarest word's frequency (from ANALYZE) bounds the
        share of matches from above; only if that bound allows it, count the matches among
        the first ``PROBE_ROWS`` documents - which also sees words that go together (ห้อง and
        สมุด), where multiplying frequencies would not.  One answer per query and cap.
        """
        query = self._stage_query("words", terms, scope)
        if self._dense_memo[0] == (query, cap):
            return self._dense_memo[1]
        freqs = self._lexeme_frequencies(cursor)
        bound = min(freqs.get(t.word, 0.0) for t in terms)
        dense = False
        if bound * WALK_FACTOR >= WALK_MARGIN:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE terms @@ %s::tsquery), count(*) FROM"  # noqa: S608
                f" (SELECT terms FROM {self._doc} ORDER BY doc_id LIMIT %s) AS head",
                (query, PROBE_ROWS),
                prepare=False,
            )
            matches, rows = cursor.fetchone()
            dense = rows < PROBE_ROWS or matches / rows * WALK_FACTOR >= WALK_MARGIN
        self._dense_memo = ((query, cap), dense)
        return dense

    def _lexeme_frequencies(self, cursor: Any) -> dict[str, float]:
        """Share of documents containing each common lexeme, from ANALYZE (cached)."""
        info = getattr(self._raw(), "info", None)
        key = (
            getattr(info, "host", ""),
            getattr(info, "port", 0),
            getattr(info, "dbname", ""),
            self._doc,
        )
        now = time.monotonic()
        cached = _FREQUENCIES.get(key)
        if cached is not None and now - cached[0] < FREQUENCY_TTL:
            return cached[1]
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename = %s AND attname = 'terms'",
            (self._doc,),
        )
        row = cursor.fetchone()
        freqs: dict[str, float] = {}
        if row is not None and row[0] is not None:
            freqs = dict(zip(row[0], row[1], strict=False))  # freqs has min/max appended
        _FREQUENCIES[key] = (now, freqs)
        return freqs

    def _shortest(self, doc_ids: Sequence[int], limit: int) -> list[tuple[int, int]]:
        lengths = self._lengths
        if all(d in lengths for d in doc_ids):
            return sorted(((d, lengths[d]) for d in doc_ids), key=lambda x: (x[1], x[0]))[:limit]
        with self._cursor() as cursor:
            cursor.execute(
                f"SELECT doc_id, title_len FROM {self._doc} WHERE doc_id = ANY(%s)"  # noqa: S608
                " ORDER BY title_len, doc_id LIMIT %s",
                (list(doc_ids), limit),
                prepare=False,
            )
            return [(int(r[0]), int(r[1])) for r in cursor.fetchall()]

    def _score(
        self,
        terms: tuple[QueryTerm, ...],
        scope: tuple[int, ...],
        doc_ids: Sequence[int],
        limit: int,
    ) -> list[ScoreRow]:
        fields = None if len(scope) > 1 else scope
        params: list[Any] = []
        word_hit: list[str] = []
        for t in terms:
            word_hit.append("d.terms @@ %s::tsquery")
            params.append(_word_query(t, fields))
        points: list[str] = []
        for t in terms:
            whens: list[str] = []
            for value, f, gram in score_levels(scope):
                if gram and not t.grams:
                    continue
                whens.append(f"WHEN d.terms @@ %s::tsquery THEN {value}")
                params.append(_gram_query(t, (f,)) if gram else _word_query(t, (f,)))
            points.append(f"(CASE {' '.join(whens)} ELSE 0 END)")
        params.extend([list(doc_ids), limit])
        sql = f"""
            SELECT d.doc_id, ({" AND ".join(word_hit)}) AS word_hit,
                   ({" + ".join(points)}) AS points, d.title_len
            FROM {self._doc} AS d
            WHERE d.doc_id = ANY(%s)
            ORDER BY word_hit DESC, points DESC, d.title_len ASC, d.doc_id ASC
            LIMIT %s
        """  # noqa: S608 - only constants are formatted in; values are bound
        with self._cursor() as cursor:
            cursor.execute(sql, params, prepare=False)
            return [(int(r[0]), r[1], int(r[2]), int(r[3])) for r in cursor.fetchall()]
