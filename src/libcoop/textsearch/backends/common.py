"""What both back ends share: the bound connection and the search orchestration.

A back end supplies candidate look-ups (``_candidates``) and the ranking query (``_score``);
the order of the stages, and so which documents get ranked, is decided here once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from libcoop.textsearch.backends.analysis import QueryTerm, analyse_query
from libcoop.textsearch.backends.base import (
    DEFAULT_CANDIDATE_CAP,
    DEFAULT_INDEX,
    IDENTIFIER_SCORE,
    Hit,
    check_field,
    check_index_name,
    hit_score,
    raw_connection,
    scope_of,
    score_levels,
)

# Candidate stages: every query word as a word in the first searched field (the title, for a
# keyword search); as a word in any searched field; as a word or by n-grams.
Stage = Literal["first_field", "words", "words_or_grams"]
ScoreRow = tuple[int, Any, int, int]  # doc_id, word_hit, points, title words


class SQLBackend:
    vendor = ""
    # Order a full first stage by title length alone (see _ranked_rows); False ranks every
    # candidate instead (the same result, for tests to compare against).
    rank_shortcut = True
    install_statements: tuple[str, ...] = ()  # the back end's tables, indexes and triggers
    uninstall_statements: tuple[str, ...] = ()

    def __init__(
        self,
        connection: Any,
        *,
        candidate_cap: int = DEFAULT_CANDIDATE_CAP,
        name: str = DEFAULT_INDEX,
    ) -> None:
        """``connection``: a Django connection (resolved at each call, so reconnecting is
        fine), a migration's schema editor, or a DB-API connection (``sqlite3``, ``psycopg``).
        ``name``: the index, i.e. which tables (``{name}_document``, ...): the catalog's
        ``textsearch`` by default; indexes of different names live side by side.
        """
        self.connection = connection
        self.name = check_index_name(name)
        self.candidate_cap = candidate_cap
        self.last_candidate_paths: list[tuple[str, str]] = []  # (stage, plan) of last search
        self._lengths: dict[int, int] = {}  # title lengths a back end read with candidates

    def _raw(self) -> Any:
        return raw_connection(self.connection)

    def _target(self, schema_editor_or_connection: Any) -> Any:
        """The raw connection for install(): the argument if given, else the bound one."""
        if schema_editor_or_connection is None:
            return self._raw()
        return raw_connection(schema_editor_or_connection)

    @contextlib.contextmanager
    def _cursor(self, conn: Any = None) -> Iterator[Any]:
        cursor = (conn if conn is not None else self._raw()).cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def install(self, schema_editor_or_connection: Any = None) -> None:
        """Create the back end's tables and indexes (idempotent)."""
        with self._cursor(self._target(schema_editor_or_connection)) as cursor:
            for statement in self.install_statements:
                cursor.execute(statement)

    def uninstall(self, schema_editor_or_connection: Any = None) -> None:
        with self._cursor(self._target(schema_editor_or_connection)) as cursor:
            for statement in self.uninstall_statements:
                cursor.execute(statement)

    def search(self, query: str, *, field: str | None = None, limit: int = 1000) -> list[Hit]:
        """At most ``limit`` hits, best first (see ``base`` for matching and ranking)."""
        check_field(field)
        if limit <= 0:
            return []
        if field == "identifier":
            ident = query.strip()
            return [Hit(d, IDENTIFIER_SCORE, True) for d in self._identifier_ids(ident, limit)]
        hits: list[Hit] = []
        if field is None and query.strip():
            ids = self._identifier_ids(query.strip(), limit)
            hits = [Hit(d, IDENTIFIER_SCORE, True) for d in ids]
        terms = analyse_query(query)
        if not terms or len(hits) >= limit:
            return hits
        found = {hit.doc_id for hit in hits}
        wanted = limit + len(hits)
        for doc_id, word_hit, points, title_len in self._ranked_rows(terms, field, wanted):
            if doc_id not in found:
                score = hit_score(bool(word_hit), int(points), int(title_len))
                hits.append(Hit(int(doc_id), score, bool(word_hit)))
        return hits[:limit]

    def _ranked_rows(
        self, terms: tuple[QueryTerm, ...], field: str | None, limit: int
    ) -> list[ScoreRow]:
        """Gather candidates stage by stage, then rank them all in the database.

        Every stage stops at ``cap`` documents.  The n-gram stage is needed only when fewer
        than ``cap`` documents have every word as a word: otherwise those word hits fill the
        first ``limit`` places (``cap >= limit``) and n-gram-only hits rank below them.

        The first stage (every word as a word in the first searched field: the title for a
        keyword search, the field itself for a field search) finds only documents of the
        best rank there is - word hit, and every word worth the most points.  When it alone
        fills ``cap``, they take the first ``limit`` places: the later stages could add
        only documents that rank below them (a document of that rank found by a later stage
        comes, in the stages' common document order, before the first stage's last one, so
        the first stage has it already).  Then they are ordered by title length and doc_id
        alone - the same order and scores as ranking every candidate, without reading them.
        """
        scope = scope_of(field)
        cap = max(self.candidate_cap, limit)
        self.last_candidate_paths = []
        self._lengths = {}
        first_stage: Stage = "first_field" if len(scope) > 1 else "words"
        first = self._candidates(first_stage, terms, scope, cap)
        if len(first) >= cap and self.rank_shortcut:
            best = len(terms) * score_levels(scope)[0][0]
            return [(doc_id, True, best, n) for doc_id, n in self._shortest(first, limit)]
        candidates = set(first)
        words = first
        if len(scope) > 1:
            words = self._candidates("words", terms, scope, cap)
            candidates.update(words)
        if len(words) < cap and any(t.grams for t in terms):
            candidates.update(self._candidates("words_or_grams", terms, scope, cap))
        if not candidates:
            return []
        return self._score(terms, scope, sorted(candidates), limit)

    # --- what each back end provides ---------------------------------------------------------

    def _identifier_ids(self, identifier: str, limit: int) -> list[int]:
        raise NotImplementedError

    def _candidates(
        self, stage: Stage, terms: tuple[QueryTerm, ...], scope: tuple[int, ...], cap: int
    ) -> list[int]:
        """Up to ``cap`` doc_ids matching ``stage``."""
        raise NotImplementedError

    def _shortest(self, doc_ids: Sequence[int], limit: int) -> list[tuple[int, int]]:
        """(doc_id, title words) of the first ``limit`` of ``doc_ids`` by title length, then
        doc_id."""
        raise NotImplementedError

    def _score(
        self,
        terms: tuple[QueryTerm, ...],
        scope: tuple[int, ...],
        doc_ids: Sequence[int],
        limit: int,
    ) -> list[ScoreRow]:
        """The best ``limit`` of ``doc_ids`` in rank order (the policy in ``base``)."""
        raise NotImplementedError
