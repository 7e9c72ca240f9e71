"""From a CQL AST to an executable plan: index, relation and term checks (no database).

Every diagnostic about the query itself is raised here, before the catalog is asked.
Supported (declared in the explain record too, see ``explain.py``):

=======================  ========================================  =====================
index                    meaning                                   relations
=======================  ========================================  =====================
cql.serverChoice         keyword search over every field           = == exact all any
dc.title / creator /     title / author / subject search           = == exact all any
subject
bath.isbn, bath.issn     the identifier, normalised                = == exact all any
rec.identifier           the cluster (``libcoop123`` or ``123``)   = == exact all any
cql.allRecords           every active cluster (term ignored)       =
=======================  ========================================  =====================

Context sets (CQL spec, "Index Name" and "Prefix Assignment"): ``cql``, ``dc``, ``bath``,
``rec`` by their standard URIs; an index without a prefix is in ``dc`` unless a ``> uri``
assignment says otherwise; the first dot separates the prefix from the base name.
Sorting: ``sortBy dc.date`` / ``dc.title`` with ``sort.ascending`` or ``sort.descending``
(CQL spec, "Sorting", and the sort context set); relevance order otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from libcoop.interop.sru import cql
from libcoop.interop.sru.diagnostics import SRUDiagnostic
from libcoop.interop.sru.xml import clean

CQL_SET = "info:srw/cql-context-set/1/cql-v1.2"
DC_SET = "info:srw/cql-context-set/1/dc-v1.1"
BATH_SET = "http://zing.z3950.org/cql/bath/2.0/"
REC_SET = "info:srw/cql-context-set/2/rec-1.1"
CONTEXT_SETS = {"cql": CQL_SET, "dc": DC_SET, "bath": BATH_SET, "rec": REC_SET}
_SET_ALIASES = {
    "info:srw/cql-context-set/1/cql-v1.1": CQL_SET,
    "info:srw/cql-context-set/1/dc-v1.0": DC_SET,
    "http://purl.org/dc/elements/1.1/": DC_SET,
}
DEFAULT_SET = DC_SET  # for an index without a prefix (declared in explain)
MAX_CLAUSES = 32

Kind = Literal["text", "isbn", "issn", "cluster", "all"]
TEXT_RELATIONS = frozenset({"=", "==", "exact", "all", "any"})


@dataclass(frozen=True)
class IndexSpec:
    name: str  # canonical prefix.name
    title: str
    kind: Kind
    field: str | None = None  # catalog.search field
    scan: str | None = None  # Cluster column browsed by scan
    sort: str | None = None  # Cluster column sorted by sortBy


INDEXES: dict[tuple[str, str], IndexSpec] = {
    (CQL_SET, "serverchoice"): IndexSpec("cql.serverChoice", "Any field", "text"),
    (CQL_SET, "allrecords"): IndexSpec("cql.allRecords", "All records", "all"),
    (DC_SET, "title"): IndexSpec("dc.title", "Title", "text", "title", "title", "title_sort"),
    (DC_SET, "creator"): IndexSpec("dc.creator", "Author", "text", "author", "author"),
    (DC_SET, "subject"): IndexSpec("dc.subject", "Subject", "text", "subject"),
    (DC_SET, "date"): IndexSpec("dc.date", "Year of publication", "text", sort="year"),
    (BATH_SET, "isbn"): IndexSpec("bath.isbn", "ISBN", "isbn"),
    (BATH_SET, "issn"): IndexSpec("bath.issn", "ISSN", "issn"),
    (REC_SET, "identifier"): IndexSpec("rec.identifier", "Cluster identifier", "cluster"),
}
SEARCHABLE = tuple(s for s in INDEXES.values() if s.name != "dc.date")


@dataclass(frozen=True)
class Leaf:
    spec: IndexSpec
    relation: str  # normalised: = == all any (exact is folded into ==)
    value: str


@dataclass(frozen=True)
class Combine:
    op: str  # and | or | not
    left: Plan
    right: Plan


type Plan = Leaf | Combine


# --- compiling: every diagnostic is raised here, before the database is asked -------------


type Scope = dict[str | None, str]


def _scope(parent: Scope, assignments: Iterable[cql.PrefixAssignment]) -> Scope:
    scope = dict(parent)
    for a in assignments:
        uri = _SET_ALIASES.get(a.uri, a.uri)
        scope[a.prefix.lower() if a.prefix is not None else None] = uri
    return scope


def root_scope() -> Scope:
    scope: Scope = {None: DEFAULT_SET}
    scope.update(CONTEXT_SETS)
    return scope


def resolve(index: str, scope: Scope) -> IndexSpec:
    """The supported index ``index`` names in ``scope`` (diagnostics 15 and 16)."""
    prefix, dot, name = index.partition(".")
    if not dot:
        prefix, name = "", index
    uri = scope.get(prefix.lower() if dot else None)
    if uri is None:
        raise SRUDiagnostic(15, prefix)
    spec = INDEXES.get((uri, name.lower()))
    if spec is None:
        if uri not in CONTEXT_SETS.values():
            raise SRUDiagnostic(15, uri)
        raise SRUDiagnostic(16, index)
    return spec


def _relation(clause: cql.SearchClause, spec: IndexSpec) -> str:
    name = clause.relation.name.lower().removeprefix("cql.")
    name = "==" if name == "exact" else name
    if name not in TEXT_RELATIONS or (spec.kind == "all" and name != "="):
        raise SRUDiagnostic(19, clause.relation.name)
    for modifier in clause.relation.modifiers:
        if modifier.name.lower().removeprefix("cql.") != "relevant" or modifier.value:
            raise SRUDiagnostic(20, modifier.name)
    return name


def _value(clause: cql.SearchClause, spec: IndexSpec) -> str:
    if spec.kind == "all":
        return ""
    marks = cql.masking(clause.term)
    if marks & {"*", "?"}:
        raise SRUDiagnostic(28, clause.term)
    if marks:
        raise SRUDiagnostic(31, clause.term)
    # Control characters (NUL above all: PostgreSQL text cannot hold it) carry no meaning.
    value = clean(cql.unescape(clause.term)).strip()
    if not value:
        raise SRUDiagnostic(27)
    return value


def count_clauses(node: cql.Node) -> int:
    """Search clauses in ``node``, counted without recursion (queries can be long chains)."""
    count, stack = 0, [node]
    while stack:
        item = stack.pop()
        if isinstance(item, cql.SearchClause):
            count += 1
        elif isinstance(item, cql.Boolean):
            stack += [item.left, item.right]
        else:
            stack.append(item.query)
    return count


def compile_node(node: cql.Node, scope: Scope) -> Plan:
    if isinstance(node, cql.Prefixed):
        return compile_node(node.query, _scope(scope, node.assignments))
    if isinstance(node, cql.Boolean):
        if node.op == "prox":
            raise SRUDiagnostic(39, "prox")
        if node.modifiers:
            raise SRUDiagnostic(46, node.modifiers[0].name)
        return Combine(node.op, compile_node(node.left, scope), compile_node(node.right, scope))
    spec = resolve(node.index, scope)
    if spec not in SEARCHABLE:
        raise SRUDiagnostic(16, node.index)
    return Leaf(spec, _relation(node, spec), _value(node, spec))


def compile_query(query: cql.Query) -> tuple[Plan, list[tuple[str, bool]]]:
    """The executable plan and the sort (Cluster column, descending) of a parsed query."""
    if count_clauses(query.root) > MAX_CLAUSES:
        raise SRUDiagnostic(38, str(MAX_CLAUSES - 1))
    scope = root_scope()
    node: cql.Node = query.root
    while isinstance(node, cql.Prefixed):  # top-level prefixes also name the sort indexes
        scope, node = _scope(scope, node.assignments), node.query
    return compile_node(node, scope), compile_sort(query.sort_keys, scope)


def compile_sort(keys: Iterable[cql.SortKey], scope: Scope) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for key in keys:
        spec = resolve(key.index, scope)
        if spec.sort is None:
            raise SRUDiagnostic(16, key.index)
        descending = False
        for m in key.modifiers:
            name = m.name.lower().removeprefix("sort.")
            if name in ("ascending", "descending") and m.value is None:
                descending = name == "descending"
            elif name.endswith("case") or name.endswith("accents"):
                raise SRUDiagnostic(91, m.name)
            elif name.startswith("missing"):
                raise SRUDiagnostic(92, m.name)
            else:
                raise SRUDiagnostic(82, m.name)
        out.append((spec.sort, descending))
    if len(out) > 3:
        raise SRUDiagnostic(84, "3")
    return out


def sort_keys_parameter(text: str) -> tuple[cql.SortKey, ...]:
    """The SRU 1.1 / 2.0 ``sortKeys`` parameter: ``path,schema,ascending,...`` per key."""
    keys: list[cql.SortKey] = []
    for spec in text.split():
        path, _, rest = spec.partition(",")
        parts = rest.split(",")
        ascending = parts[1] if len(parts) > 1 else "1"
        if ascending not in ("", "0", "1") or any(parts[3:4]):
            raise SRUDiagnostic(6, "sortKeys")
        direction = "sort.descending" if ascending == "0" else "sort.ascending"
        keys.append(cql.SortKey(path, (cql.Modifier(direction),)))
    return tuple(keys)


__all__ = [
    "CONTEXT_SETS",
    "INDEXES",
    "SEARCHABLE",
    "Combine",
    "IndexSpec",
    "Leaf",
    "Plan",
    "compile_query",
    "compile_sort",
    "resolve",
    "root_scope",
    "sort_keys_parameter",
]
