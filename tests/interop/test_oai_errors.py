"""The eight OAI-PMH error conditions (§3.6), the argument rules (§3.1.1, §3.3.1), and
fuzzing: whatever the arguments, never a server error, always a schema-valid response."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libcoop.catalog.models import Cluster
from libcoop.interop.oai import tokens
from tests.interop.conftest import (
    REPO,
    OaiCall,
    error_codes,
    first,
    oai_id,
    small_pages,
    token_of,
)

pytestmark = pytest.mark.django_db

Params = Mapping[str, str | Sequence[str]]
LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}


def assert_error(
    oai: OaiCall, params: Params, code: str, *, echoed: bool = True, method: str = "get"
) -> None:
    root = oai(params, method)
    assert error_codes(root) == [code], params
    request = first(root, "oai:request")
    # §3.2: after badVerb or badArgument the request element carries no attributes
    if echoed:
        assert dict(request.attrib) == {k: v for k, v in params.items() if isinstance(v, str)}
    else:
        assert dict(request.attrib) == {}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"verb": "Foo"},
        {"verb": "identify"},
        {"verb": ""},
        {"verb": ["Identify", "Identify"]},
        {"metadataPrefix": "oai_dc"},
    ],
)
def test_bad_verb(oai: OaiCall, db: None, params: Params) -> None:
    assert_error(oai, params, "badVerb", echoed=False)
    assert_error(oai, params, "badVerb", echoed=False, method="post")


@pytest.mark.parametrize(
    "params",
    [
        {"verb": "Identify", "set": "library"},
        {"verb": "ListRecords"},
        {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "marc21"]},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "foo": "bar"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
        {"verb": "GetRecord", "identifier": oai_id(1)},
        {"verb": "GetRecord", "identifier": "has space", "metadataPrefix": "oai_dc"},
        {"verb": "ListIdentifiers", "metadataPrefix": ""},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai dc"},
        {**LIST, "set": "library:"},
        {**LIST, "from": "2024-13-01"},
        {**LIST, "from": "2024-01-01T00:00:00"},
        {**LIST, "from": "2024-01-01T00:00:00+07:00"},
        {**LIST, "from": "2024-01-01T00:00Z"},
        {**LIST, "from": "๒๐๒๔-01-01"},
        {**LIST, "until": "0000-01-01"},
        {**LIST, "from": "2024-01-01", "until": "2024-01-02T00:00:00Z"},  # mixed granularity
        {**LIST, "from": "2024-01-02", "until": "2024-01-01"},  # from later than until
        {**LIST, "resumptionToken": "abc"},  # the token is exclusive
        {"verb": "ListRecords", "resumptionToken": ""},
        {"verb": "ListSets", "resumptionToken": "x", "set": "library"},
        {"verb": "ListMetadataFormats", "identifier": "x\x01y"},
        # URI characters but not a URI (a "scheme" must start with a letter): found by the
        # fuzz test below; echoed, it made the response invalid against OAI-PMH.xsd
        {"verb": "ListMetadataFormats", "identifier": "2024-01-01T00:00:00Z"},
        {"verb": "GetRecord", "identifier": "//:", "metadataPrefix": "oai_dc"},
    ],
)
def test_bad_argument(oai: OaiCall, small_catalog: dict[str, int], params: Params) -> None:
    assert_error(oai, params, "badArgument", echoed=False)


@pytest.mark.parametrize("token", ["nonsense", "a:b:c", "x" * 3000])
def test_bad_resumption_token(oai: OaiCall, small_catalog: dict[str, int], token: str) -> None:
    assert_error(oai, {"verb": "ListRecords", "resumptionToken": token}, "badResumptionToken")
    assert_error(oai, {"verb": "ListSets", "resumptionToken": token}, "badResumptionToken")


def test_tokens_cannot_be_forged_reused_for_another_verb_or_kept_forever(
    oai: OaiCall, small_catalog: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    small_pages(monkeypatch, records=2, identifiers=2)
    tok = token_of(oai(LIST))
    assert tok is not None and tok.text
    token = tok.text
    assert error_codes(oai({"verb": "ListRecords", "resumptionToken": token})) == []
    tampered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    for params in (
        {"verb": "ListRecords", "resumptionToken": tampered},
        {"verb": "ListIdentifiers", "resumptionToken": token},
    ):
        assert_error(oai, params, "badResumptionToken")
    monkeypatch.setattr(tokens, "MAX_AGE", dt.timedelta(seconds=-1))
    assert_error(oai, {"verb": "ListRecords", "resumptionToken": token}, "badResumptionToken")


@pytest.mark.parametrize(
    "params",
    [
        {"verb": "ListRecords", "metadataPrefix": "mods"},
        {"verb": "ListIdentifiers", "metadataPrefix": "MARC21"},
        {"verb": "GetRecord", "identifier": oai_id(10**9), "metadataPrefix": "dc"},
    ],
)
def test_cannot_disseminate_format(
    oai: OaiCall, small_catalog: dict[str, int], params: Params
) -> None:
    assert_error(oai, params, "cannotDisseminateFormat")


@pytest.mark.parametrize(
    "identifier",
    [
        oai_id(10**9),
        oai_id(10**30),
        "oai:other.example.org:cluster/1",
        f"oai:{REPO}:cluster/01",
        f"oai:{REPO}:record/1",
        f"oai:{REPO}:cluster/",
        "http://example.org/1",
    ],
)
def test_id_does_not_exist(oai: OaiCall, small_catalog: dict[str, int], identifier: str) -> None:
    assert_error(
        oai,
        {"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "oai_dc"},
        "idDoesNotExist",
    )
    assert_error(oai, {"verb": "ListMetadataFormats", "identifier": identifier}, "idDoesNotExist")


@pytest.mark.parametrize(
    "extra",
    [
        {"from": "2100-01-01"},
        {"until": "1990-01-01T00:00:00Z"},
        {"set": "library:NO-SUCH-LIB"},
        {"set": "network:NO-SUCH-NET"},
        {"set": "shelf"},
    ],
)
def test_no_records_match(oai: OaiCall, small_catalog: dict[str, int], extra: Params) -> None:
    assert_error(oai, {**LIST, **extra}, "noRecordsMatch")


def test_no_metadata_formats_for_an_item_without_metadata(
    oai: OaiCall, small_catalog: dict[str, int]
) -> None:
    """A cluster with no member record yet (as ``split_record`` creates before filling it)
    has nothing to disseminate: not in lists, and no formats."""
    empty = Cluster.objects.create()
    params = {"verb": "ListMetadataFormats", "identifier": oai_id(empty.pk)}
    assert_error(oai, params, "noMetadataFormats")
    params = {"verb": "GetRecord", "identifier": oai_id(empty.pk), "metadataPrefix": "oai_dc"}
    assert_error(oai, params, "cannotDisseminateFormat")
    root = oai({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    assert oai_id(empty.pk) not in [e.text for e in root.iter("{*}identifier")]


def test_no_set_hierarchy_before_any_library_or_network(oai: OaiCall, db: None) -> None:
    assert_error(oai, {"verb": "ListSets"}, "noSetHierarchy")
    assert_error(oai, {**LIST, "set": "library:AAA-LIB"}, "noSetHierarchy")
    assert_error(oai, LIST, "noRecordsMatch")


# ------------------------------------------------------------------ fuzzing

ARG_NAMES = ["verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"]
VERBS = [
    "Identify",
    "ListMetadataFormats",
    "ListSets",
    "GetRecord",
    "ListIdentifiers",
    "ListRecords",
]


def test_fuzzed_arguments_always_get_a_valid_response(
    oai: OaiCall, small_catalog: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    small_pages(monkeypatch, records=2, identifiers=2)
    real_tokens = [
        t.text
        for verb in ("ListRecords", "ListIdentifiers")
        if (t := token_of(oai({"verb": verb, "metadataPrefix": "marc21"}))) is not None and t.text
    ]
    good_values = [
        *VERBS,
        *real_tokens,
        "oai_dc",
        "marc21",
        "2024-01-01",
        "2024-01-01T00:00:00Z",
        "9999-12-31",
        "0001-01-01T00:00:00Z",
        "library",
        "library:AAA-LIB",
        "network:PULINET",
        *(oai_id(c) for c in small_catalog.values()),
    ]
    mutated = st.sampled_from(real_tokens).flatmap(
        lambda t: st.tuples(st.integers(0, len(t) - 1), st.characters(codec="utf-8")).map(
            lambda p: t[: p[0]] + p[1] + t[p[0] + 1 :]
        )
    )
    values = st.one_of(st.sampled_from(good_values), st.text(max_size=40), mutated)
    names = st.one_of(st.sampled_from(ARG_NAMES), st.text(min_size=1, max_size=10))
    pairs = st.lists(st.tuples(names, values), max_size=6)

    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        verb=st.sampled_from([*VERBS, None]), pairs=pairs, method=st.sampled_from(["get", "post"])
    )
    def fuzz(verb: str | None, pairs: list[tuple[str, str]], method: str) -> None:
        params: dict[str, list[str]] = {}
        if verb is not None:
            params["verb"] = [verb]
        for name, value in pairs:
            params.setdefault(name, []).append(value)
        oai(params, method)  # asserts HTTP 200 and validity against the official schemas

    fuzz()
