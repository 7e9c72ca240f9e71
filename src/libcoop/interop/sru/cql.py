"""CQL 1.2 (Contextual Query Language): a lexer, a recursive-descent parser and the AST.

Grammar (the CQL specification at loc.gov/standards/sru/cql/spec.html, "BNF")::

    sortedQuery     ::= prefixAssignment sortedQuery | scopedClause ['sortby' sortSpec]
    sortSpec        ::= sortSpec singleSpec | singleSpec
    singleSpec      ::= index [modifierList]
    cqlQuery        ::= prefixAssignment cqlQuery | scopedClause
    prefixAssignment::= '>' prefix '=' uri | '>' uri
    scopedClause    ::= scopedClause booleanGroup searchClause | searchClause
    booleanGroup    ::= boolean [modifierList]
    boolean         ::= 'and' | 'or' | 'not' | 'prox'
    searchClause    ::= '(' cqlQuery ')' | index relation searchTerm | searchTerm
    relation        ::= comparitor [modifierList]
    comparitor      ::= comparitorSymbol | namedComparitor
    comparitorSymbol::= '=' | '>' | '<' | '>=' | '<=' | '<>' | '=='
    namedComparitor ::= identifier
    modifierList    ::= modifierList modifier | modifier
    modifier        ::= '/' modifierName [comparitorSymbol modifierValue]
    prefix, uri, modifierName, modifierValue, searchTerm, index ::= term
    term            ::= identifier | 'and' | 'or' | 'not' | 'prox' | 'sortby'
    identifier      ::= charString1 | charString2

``charString1`` is a run of characters other than whitespace and ``( ) = < > " /``; when it
is a reserved word (case-insensitive) it is that keyword instead.  ``charString2`` is a
double-quoted string in which a backslash escapes the next character; as the specification
says, the value keeps its backslashes (see :func:`unescape` and :func:`masking`).

All booleans have the same precedence and associate to the left (spec, "Boolean
Operators"): ``a or b and c`` is ``(a or b) and c``.  A search clause without an
index and relation means ``cql.serverChoice = term`` (spec, "Search Clause").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

type TokenKind = Literal["word", "string", "symbol", "(", ")", "/", "eof"]

BOOLEANS = ("and", "or", "not", "prox")
RESERVED = frozenset((*BOOLEANS, "sortby"))
SYMBOLS = ("==", "<>", "<=", ">=", "=", "<", ">")
_SPECIAL = frozenset('()=<>"/')
_PUNCTUATION: dict[str, TokenKind] = {"(": "(", ")": ")", "/": "/"}
MAX_DEPTH = 64


class CQLSyntaxError(ValueError):
    """A query that the grammar does not accept.

    ``position`` is the 0-based character offset of the offending token; ``code`` is the
    SRU diagnostic number: 10 (query syntax error), 13 (parentheses) or 14 (quotes).
    """

    def __init__(self, message: str, position: int, code: int = 10) -> None:
        super().__init__(f"{message} at position {position}")
        self.position = position
        self.code = code


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    position: int

    @property
    def keyword(self) -> str | None:
        """The reserved word this token is (only an unquoted word can be one)."""
        lowered = self.text.lower()
        return lowered if self.kind == "word" and lowered in RESERVED else None

    @property
    def is_term(self) -> bool:
        return self.kind in ("word", "string")


# --- AST ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Modifier:
    """``/name`` or ``/name <symbol> value`` after a relation, a boolean or a sort index."""

    name: str
    comparison: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    name: str
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchClause:
    index: str
    relation: Relation
    term: str  # quotes removed, backslash escapes kept (spec: "charString2")


@dataclass(frozen=True, slots=True)
class Boolean:
    op: str  # lower case: and | or | not | prox
    left: Node
    right: Node
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True, slots=True)
class PrefixAssignment:
    prefix: str | None  # None: ``> uri`` sets the default context set
    uri: str


@dataclass(frozen=True, slots=True)
class Prefixed:
    """Prefix assignments scoping over ``query`` (spec, "Prefix Assignment")."""

    assignments: tuple[PrefixAssignment, ...]
    query: Node


type Node = SearchClause | Boolean | Prefixed


@dataclass(frozen=True, slots=True)
class SortKey:
    index: str
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed ``sortedQuery``: the query and its ``sortBy`` keys (spec, "Sorting")."""

    root: Node
    sort_keys: tuple[SortKey, ...] = ()

    def to_cql(self) -> str:
        text = to_cql(self.root)
        if self.sort_keys:
            keys = " ".join(quote(k.index) + _modifiers_cql(k.modifiers) for k in self.sort_keys)
            text += f" sortBy {keys}"
        return text


SERVER_CHOICE = "cql.serverChoice"


# --- lexer --------------------------------------------------------------------------------


def tokens(text: str) -> Iterator[Token]:
    """Split ``text`` into tokens; an unterminated quoted string raises (diagnostic 14)."""
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            yield Token("eof", "", n)
            return
        ch = text[i]
        if ch in "()/":
            yield Token(_PUNCTUATION[ch], ch, i)
            i += 1
        elif ch in "=<>":
            two = text[i : i + 2]
            symbol = two if two in SYMBOLS else ch
            yield Token("symbol", symbol, i)
            i += len(symbol)
        elif ch == '"':
            start, i = i, i + 1
            chars: list[str] = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    chars.append(text[i])
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= n:
                raise CQLSyntaxError("unterminated quoted string", start, code=14)
            yield Token("string", "".join(chars), start)
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            yield Token("word", text[start:i], start)


# --- parser -------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = list(tokens(text))
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tok
        if tok.kind != "eof":
            self.i += 1
        return tok

    def fail(self, expected: str, code: int = 10) -> CQLSyntaxError:
        found = "end of query" if self.tok.kind == "eof" else repr(self.tok.text)
        return CQLSyntaxError(f"expected {expected}, found {found}", self.tok.position, code)

    def term(self, what: str) -> str:
        if not self.tok.is_term:
            raise self.fail(what)
        return self.advance().text

    def sorted_query(self) -> Query:
        assignments = self.prefix_assignments()
        root = self.scoped_clause()
        if assignments:
            root = Prefixed(assignments, root)
        keys: list[SortKey] = []
        if self.tok.keyword == "sortby":
            self.advance()
            while self.tok.is_term:
                index = self.advance().text
                keys.append(SortKey(index, self.modifiers()))
            if not keys:
                raise self.fail("a sort index after sortBy")
        if self.tok.kind != "eof":
            code = 13 if self.tok.kind == ")" else 10
            raise self.fail("a boolean operator, sortBy or the end of the query", code)
        return Query(root, tuple(keys))

    def prefix_assignments(self) -> tuple[PrefixAssignment, ...]:
        found: list[PrefixAssignment] = []
        while self.tok.kind == "symbol" and self.tok.text == ">":
            self.advance()
            first = self.term("a prefix or context set URI after '>'")
            if self.tok.kind == "symbol" and self.tok.text == "=":
                self.advance()
                found.append(PrefixAssignment(first, self.term("a context set URI")))
            else:
                found.append(PrefixAssignment(None, first))
        return tuple(found)

    def cql_query(self) -> Node:
        assignments = self.prefix_assignments()
        node = self.scoped_clause()
        return Prefixed(assignments, node) if assignments else node

    def scoped_clause(self) -> Node:
        left = self.search_clause()
        while self.tok.keyword in BOOLEANS:
            op = self.advance().text.lower()
            modifiers = self.modifiers()
            left = Boolean(op, left, self.search_clause(), modifiers)
        return left

    def search_clause(self) -> Node:
        if self.tok.kind == "(":
            opening = self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise CQLSyntaxError("parentheses nested too deeply", opening.position, 13)
            node = self.cql_query()
            if self.tok.kind != ")":
                raise self.fail(f"')' closing the '(' at position {opening.position}", 13)
            self.advance()
            self.depth -= 1
            return node
        if not self.tok.is_term:
            raise self.fail("a search term, an index or '('", 13 if self.tok.kind == ")" else 10)
        first = self.advance()
        relation_follows = self.tok.kind == "symbol" or (
            self.tok.is_term and self.tok.keyword is None
        )
        if not relation_follows:
            return SearchClause(SERVER_CHOICE, Relation("="), first.text)
        name = self.advance().text
        relation = Relation(name, self.modifiers())
        return SearchClause(first.text, relation, self.term("a search term after the relation"))

    def modifiers(self) -> tuple[Modifier, ...]:
        found: list[Modifier] = []
        while self.tok.kind == "/":
            self.advance()
            name = self.term("a modifier name after '/'")
            if self.tok.kind == "symbol":
                symbol = self.advance().text
                found.append(Modifier(name, symbol, self.term("a modifier value")))
            else:
                found.append(Modifier(name))
        return tuple(found)


def parse(text: str) -> Query:
    """Parse a CQL 1.2 ``sortedQuery``; raises :class:`CQLSyntaxError` with a position."""
    return _Parser(text).sorted_query()


# --- writing CQL back (for echoing, logging and round-trip tests) ---------------------------


def quote(term: str) -> str:
    """``term`` as CQL: bare when it lexes back as one plain word, else double-quoted."""
    bare = (
        term
        and term.lower() not in RESERVED
        and not any(c.isspace() or c in _SPECIAL for c in term)
    )
    return term if bare else f'"{term}"'


def _modifiers_cql(modifiers: tuple[Modifier, ...]) -> str:
    out = ""
    for m in modifiers:
        out += "/" + quote(m.name)
        if m.comparison is not None and m.value is not None:
            out += f" {m.comparison} {quote(m.value)}"
    return out


def to_cql(node: Node) -> str:
    """Canonical CQL for ``node``: fully parenthesised booleans, quoted where needed."""
    if isinstance(node, SearchClause):
        name = node.relation.name
        relation = (name if name in SYMBOLS else quote(name)) + _modifiers_cql(
            node.relation.modifiers
        )
        return f"{quote(node.index)} {relation} {quote(node.term)}"
    if isinstance(node, Boolean):
        return (
            f"({to_cql(node.left)} {node.op}{_modifiers_cql(node.modifiers)} {to_cql(node.right)})"
        )
    prefixes = " ".join(
        f"> {quote(a.prefix)} = {quote(a.uri)}" if a.prefix is not None else f"> {quote(a.uri)}"
        for a in node.assignments
    )
    return f"({prefixes} {to_cql(node.query)})"


# --- term values ----------------------------------------------------------------------------


def unescape(term: str) -> str:
    """The characters a term stands for: each ``\\x`` becomes ``x``.

    Backslash escapes are defined with masking in the cql context set ("Masking").
    """
    out: list[str] = []
    chars = iter(term)
    for ch in chars:
        out.append(next(chars, "\\") if ch == "\\" else ch)
    return "".join(out)


def masking(term: str) -> set[str]:
    """The unescaped masking (``*``, ``?``) and anchoring (``^``) characters in ``term``."""
    found: set[str] = set()
    chars = iter(term)
    for ch in chars:
        if ch == "\\":
            next(chars, None)
        elif ch in "*?^":
            found.add(ch)
    return found


__all__ = [
    "SERVER_CHOICE",
    "Boolean",
    "CQLSyntaxError",
    "Modifier",
    "Node",
    "PrefixAssignment",
    "Prefixed",
    "Query",
    "Relation",
    "SearchClause",
    "SortKey",
    "masking",
    "parse",
    "quote",
    "to_cql",
    "unescape",
]
