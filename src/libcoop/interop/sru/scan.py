"""The scan operation: browsing an index's terms around a start term (SRU 1.2 "Scan").

``responsePosition`` is where the start term falls in the returned list: 1 (default) puts it
first, 0 starts the list just after it, ``maximumTerms + 1`` ends the list just before it;
anything else is diagnostic 120.  Terms are compared in code point order on both databases
(``COLLATE "C"`` on PostgreSQL, ``BINARY`` on SQLite), so both return the same list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Min
from django.db.models.functions import Collate, Lower

from libcoop.catalog.models import Cluster
from libcoop.interop.sru import cql
from libcoop.interop.sru.diagnostics import SRUDiagnostic
from libcoop.interop.sru.plan import Leaf, compile_query


@dataclass(frozen=True)
class Term:
    value: str
    count: int


def _terms(column: str, condition: dict[str, str], order: str, limit: int) -> list[Term]:
    """Up to ``limit`` distinct keys of ``column`` meeting ``condition`` (on the key ``k``)."""
    if limit <= 0:
        return []
    collation = "C" if connection.vendor == "postgresql" else "BINARY"
    key = F("title_sort") if column == "title" else Lower("author")
    rows = (
        Cluster.objects.filter(active=True)
        .exclude(**{column: ""})
        .annotate(k=Collate(key, collation))
        .filter(**condition)
        .values("k")
        .annotate(n=Count("id"), shown=Min(column))
        .order_by(order)[:limit]
    )
    return [Term(str(r["shown"]), int(r["n"])) for r in rows]


def scan(clause_text: str, response_position: int, maximum_terms: int) -> list[Term]:
    """The terms around the start term of ``clause_text`` (``index relation term``)."""
    query = cql.parse(clause_text)
    if query.sort_keys:
        raise SRUDiagnostic(10, "sortBy", "sortBy is not allowed in a scan clause")
    plan, _ = compile_query(query)
    if not isinstance(plan, Leaf):
        raise SRUDiagnostic(10, "scanClause", "a scan clause is a single index relation term")
    if plan.spec.scan is None:
        raise SRUDiagnostic(16, plan.spec.name, "this index cannot be scanned")
    if plan.relation not in ("=", "=="):
        raise SRUDiagnostic(19, plan.relation)
    if not 0 <= response_position <= maximum_terms + 1:
        raise SRUDiagnostic(120, str(response_position))
    start = plan.value.casefold() if plan.spec.scan == "title" else plan.value.lower()
    column = plan.spec.scan
    before = max(response_position - 1, 0)
    after = {"k__gte" if response_position >= 1 else "k__gt": start}
    earlier = _terms(column, {"k__lt": start}, "-k", before)[::-1]
    return earlier + _terms(column, after, "k", maximum_terms - before)


__all__ = ["Term", "scan"]
