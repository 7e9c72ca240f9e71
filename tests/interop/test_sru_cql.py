"""The CQL 1.2 parser and the query compiler (no database): grammar, errors, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libcoop.interop.sru import cql
from libcoop.interop.sru.cql import (
    Boolean,
    CQLSyntaxError,
    Modifier,
    PrefixAssignment,
    Prefixed,
    Query,
    Relation,
    SearchClause,
    SortKey,
    parse,
)
from libcoop.interop.sru.diagnostics import SRUDiagnostic
from libcoop.interop.sru.plan import (
    DC_SET,
    Combine,
    Leaf,
    compile_query,
    sort_keys_parameter,
)


def term(t: str) -> SearchClause:
    return SearchClause(cql.SERVER_CHOICE, Relation("="), t)


def clause(index: str, relation: str, t: str, *mods: Modifier) -> SearchClause:
    return SearchClause(index, Relation(relation, mods), t)


# --- grammar ---------------------------------------------------------------------------------


def test_bare_term_is_server_choice() -> None:
    assert parse("fish").root == term("fish")
    assert parse("dc.title=ห้องสมุด").root == clause("dc.title", "=", "ห้องสมุด")


def test_booleans_share_one_precedence_left_to_right() -> None:
    a, b, c = term("a"), term("b"), term("c")
    assert parse("a or b and c").root == Boolean("and", Boolean("or", a, b), c)
    assert parse("a and b or c").root == Boolean("or", Boolean("and", a, b), c)
    assert parse("a NOT b Or c").root == Boolean("or", Boolean("not", a, b), c)


def test_parentheses_group() -> None:
    a, b, c = term("a"), term("b"), term("c")
    assert parse("a or (b and c)").root == Boolean("or", a, Boolean("and", b, c))
    assert parse("((a))").root == a


def test_relations_symbols_and_named() -> None:
    for symbol in ("=", "==", "<", ">", "<=", ">=", "<>"):
        assert parse(f"year {symbol} 2000").root == clause("year", symbol, "2000")
    assert parse("dc.title any fish").root == clause("dc.title", "any", "fish")
    assert parse("dc.title cql.all fish").root == clause("dc.title", "cql.all", "fish")
    assert parse("year<2000").root == clause("year", "<", "2000")


def test_modifiers_on_relations_and_booleans() -> None:
    q = parse("dc.title =/stem/locale=th ห้องสมุด prox/unit=word/distance>3 b")
    left = clause("dc.title", "=", "ห้องสมุด", Modifier("stem"), Modifier("locale", "=", "th"))
    mods = (Modifier("unit", "=", "word"), Modifier("distance", ">", "3"))
    assert q.root == Boolean("prox", left, term("b"), mods)


def test_prefix_assignments_scope_over_their_query() -> None:
    q = parse('> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title = x')
    assignment = PrefixAssignment("dc", "info:srw/cql-context-set/1/dc-v1.1")
    assert q.root == Prefixed((assignment,), clause("dc.title", "=", "x"))
    q = parse('a and (> "http://example.org/set" > x = y title = b)')
    inner = Prefixed(
        (PrefixAssignment(None, "http://example.org/set"), PrefixAssignment("x", "y")),
        clause("title", "=", "b"),
    )
    assert q.root == Boolean("and", term("a"), inner)


def test_quoted_terms_keep_escapes_until_unescaped() -> None:
    q = parse(r'dc.title = "say \"hello\" to \\ me"')
    assert isinstance(q.root, SearchClause)
    assert q.root.term == r"say \"hello\" to \\ me"
    assert cql.unescape(q.root.term) == 'say "hello" to \\ me'
    assert parse('"a b" and "()=<>/"').root == Boolean("and", term("a b"), term("()=<>/"))
    assert parse('""').root == term("")


def test_reserved_words_are_terms_where_the_grammar_wants_a_term() -> None:
    assert parse('"and"').root == term("and")
    assert parse("title = or").root == clause("title", "=", "or")
    assert parse("sortby").root == term("sortby")
    assert parse("a and and").root == Boolean("and", term("a"), term("and"))


def test_sort_by() -> None:
    q = parse("green sortBy dc.date/sort.descending dc.title")
    assert q == Query(
        term("green"),
        (SortKey("dc.date", (Modifier("sort.descending"),)), SortKey("dc.title")),
    )
    assert parse("a SORTBY b").sort_keys == (SortKey("b"),)


@pytest.mark.parametrize(
    ("query", "position", "code"),
    [
        ("a and", 5, 10),
        ("(a", 2, 13),
        ("a)", 1, 13),
        (")", 0, 13),
        ('"abc', 0, 14),
        ('dc.title = "abc\\"', 11, 14),
        ("dc.title =", 10, 10),
        ("a b", 3, 10),
        ("a sortBy", 8, 10),
        ("(a sortby b)", 3, 13),
        ("/ x", 0, 10),
        ("=", 0, 10),
        ("a =/", 4, 10),
        ("> dc =", 6, 10),
        ("", 0, 10),
    ],
)
def test_syntax_errors_carry_position_and_diagnostic(query: str, position: int, code: int) -> None:
    with pytest.raises(CQLSyntaxError) as error:
        parse(query)
    assert (error.value.position, error.value.code) == (position, code)
    assert f"at position {position}" in str(error.value)


def test_nesting_is_bounded() -> None:
    with pytest.raises(CQLSyntaxError) as error:
        parse("(" * 200 + "a" + ")" * 200)
    assert error.value.code == 13


def test_masking_and_unescape() -> None:
    assert cql.masking("gre*n?") == {"*", "?"}
    assert cql.masking(r"\*literal\?") == set()
    assert cql.masking("^start") == {"^"}
    assert cql.unescape(r"\*x\\") == "*x\\"


def test_to_cql_round_trips() -> None:
    text = '> dc = "info:x" (dc.title any "a b" or "and") not c=/x=1 "\\"" sortBy dc.date'
    q = parse(text)
    assert parse(q.to_cql()) == q


# --- fuzzing ---------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [*'ab ()=<>/"\\\t', "and", "OR", "not", "prox", "sortBy", "dc.title", "ห้อง", "สมุด", "==", "*"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_fuzz_parser_only_raises_syntax_errors_and_round_trips(text: str) -> None:
    try:
        q = parse(text)
    except CQLSyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert error.code in (10, 13, 14)
        return
    assert parse(q.to_cql()) == q


_WORDS = st.text(alphabet=st.sampled_from('ab ก"\\*/=()'), max_size=6).map(
    lambda s: s.replace("\\", "\\\\").replace('"', '\\"')
)
_NAMES = st.sampled_from(["dc.title", "title", "cql.serverChoice", "and", "x.y"])
_MODS = st.lists(
    st.builds(
        lambda n, v: Modifier(n, "=", v) if v else Modifier(n),
        st.sampled_from(["stem", "sort.descending", "unit"]),
        st.sampled_from(["", "word", "a b"]),
    ),
    max_size=2,
).map(tuple)
_LEAVES = st.builds(
    lambda i, r, m, t: SearchClause(i, Relation(r, m), t),
    _NAMES,
    st.sampled_from(["=", "==", "any", "all", "<>", "exact"]),
    _MODS,
    _WORDS,
)
_NODES = st.recursive(
    _LEAVES,
    lambda kids: st.one_of(
        st.builds(Boolean, st.sampled_from(["and", "or", "not", "prox"]), kids, kids, _MODS),
        st.builds(
            lambda p, n: Prefixed((PrefixAssignment(p, "info:x y"),), n),
            st.sampled_from([None, "dc", "x"]),
            kids,
        ),
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(_NODES, st.lists(st.builds(SortKey, _NAMES, _MODS), max_size=2).map(tuple))
def test_fuzz_generated_trees_survive_writing_and_parsing(root: cql.Node, keys: tuple) -> None:
    query = Query(root, keys)
    assert parse(query.to_cql()) == query


# --- compiling to a plan (index, relation and term diagnostics) -----------------------------------


def compiled(text: str) -> tuple[object, list[tuple[str, bool]]]:
    return compile_query(parse(text))


def diagnostic(text: str) -> tuple[int, str]:
    with pytest.raises(SRUDiagnostic) as error:
        compiled(text)
    return error.value.number, error.value.details


def test_indexes_resolve_through_prefixes_and_the_default_set() -> None:
    plan, sort = compiled("title = a and dc.creator any b or bath.isbn = 1")
    assert isinstance(plan, Combine) and plan.op == "or"
    assert isinstance(plan.left, Combine) and isinstance(plan.left.left, Leaf)
    assert plan.left.left.spec.name == "dc.title"
    assert plan.left.right == Leaf(plan.left.right.spec, "any", "b")  # type: ignore[union-attr]
    plan, _ = compiled(f'> d = "{DC_SET}" d.subject exact "ห้องสมุด"')
    assert isinstance(plan, Leaf) and (plan.spec.name, plan.relation) == ("dc.subject", "==")
    plan, _ = compiled('> x = "info:srw/cql-context-set/1/dc-v1.0" x.title = a')
    assert isinstance(plan, Leaf) and plan.spec.name == "dc.title"
    _, sort = compiled("a sortBy dc.date/sort.descending dc.title")
    assert sort == [("year", True), ("title_sort", False)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("foo.title = a", (15, "foo")),
        ('> "info:unknown" title = a', (15, "info:unknown")),
        ("dc.publisher = a", (16, "dc.publisher")),
        ("dc.date = 2019", (16, "dc.date")),
        ("dc.title < a", (19, "<")),
        ("dc.title adj a", (19, "adj")),
        ("cql.allRecords any 1", (19, "any")),
        ("dc.title =/stem a", (20, "stem")),
        ('dc.title = ""', (27, "")),
        ("dc.title = gree*", (28, "gree*")),
        ("dc.title = ^green", (31, "^green")),
        ("a prox b", (39, "prox")),
        ("a and/foo b", (46, "foo")),
        ("a sortBy dc.creator", (16, "dc.creator")),
        ("a sortBy dc.date/sort.ignoreCase", (91, "sort.ignoreCase")),
        ("a sortBy dc.date/sort.missingLow", (92, "sort.missingLow")),
        ("a sortBy dc.date/sort.locale=th", (82, "sort.locale")),
        ("a sortBy dc.date dc.title dc.date dc.title", (84, "3")),
        (" or ".join(["a"] * 40), (38, "31")),
    ],
)
def test_compile_diagnostics(query: str, expected: tuple[int, str]) -> None:
    assert diagnostic(query) == expected


def test_escaped_masking_characters_are_literal() -> None:
    plan, _ = compiled(r'dc.title = "100\%\* sure"')
    assert isinstance(plan, Leaf) and plan.value == "100%* sure"


def test_sort_keys_parameter() -> None:
    assert sort_keys_parameter("dc.date,,0 dc.title") == (
        SortKey("dc.date", (Modifier("sort.descending"),)),
        SortKey("dc.title", (Modifier("sort.ascending"),)),
    )
    with pytest.raises(SRUDiagnostic):
        sort_keys_parameter("dc.date,,maybe")
