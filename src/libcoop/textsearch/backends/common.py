"""The part of a back end that does not depend on the database: search orchestration."""

from __future__ import annotations

from typing import Any

from libcoop.textsearch.backends.analysis import QueryTerm, analyse_query
from libcoop.textsearch.backends.base import (
    DEFAULT_CANDIDATE_CAP,
    IDENTIFIER_SCORE,
    Hit,
    check_field,
    hit_score,
    raw_connection,
    scope_of,
)


class SQLBackend:
    """What both back ends share: the bound connection and the search orchestration."""

    vendor = ""

    def __init__(self, connection: Any, *, candidate_cap: int = DEFAULT_CANDIDATE_CAP) -> None:
        """``connection``: a Django connection (resolved at each call, so reconnecting is
        fine), or a DB-API connection (``sqlite3`` or ``psycopg``)."""
        self.connection = connection
        self.candidate_cap = candidate_cap

    def _raw(self) -> Any:
        return raw_connection(self.connection)

    def _target(self, schema_editor_or_connection: Any) -> Any:
        """The raw connection for install(): the argument if given, else the bound one."""
        if schema_editor_or_connection is None:
            return self._raw()
        return raw_connection(schema_editor_or_connection)

    def search(self, query: str, *, field: str | None = None, limit: int = 1000) -> list[Hit]:
        """At most ``limit`` hits, best first (see the module docstring for the policy)."""
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
        cap = max(self.candidate_cap, limit + len(hits))
        rows = self._ranked_rows(terms, scope_of(field), limit + len(hits), cap)
        for doc_id, word_hit, points, title_len in rows:
            if doc_id not in found:
                hits.append(
                    Hit(
                        int(doc_id),
                        hit_score(bool(word_hit), int(points), title_len),
                        bool(word_hit),
                    )
                )
        return hits[:limit]

    def _identifier_ids(self, identifier: str, limit: int) -> list[int]:
        raise NotImplementedError

    def _ranked_rows(
        self, terms: tuple[QueryTerm, ...], scope: tuple[int, ...], limit: int, cap: int
    ) -> list[tuple[int, Any, int, int]]:
        """(doc_id, word_hit, points, title words) for the best ``limit`` matches, in order."""
        raise NotImplementedError
