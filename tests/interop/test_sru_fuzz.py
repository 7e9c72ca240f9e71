"""Hypothesis against /sru: whatever the parameters, a schema-valid SRU response (200), with
results or standard diagnostics, and never diagnostic 1 (the server's own failure)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.interop.conftest_sru import NS, SRU12, SRU20, Catalog, assert_valid, load_catalog

pytestmark = pytest.mark.django_db

NAMES = [
    "version",
    "operation",
    "query",
    "startRecord",
    "maximumRecords",
    "recordSchema",
    "recordPacking",
    "recordXMLEscaping",
    "queryType",
    "scanClause",
    "responsePosition",
    "maximumTerms",
    "sortKeys",
    "resultSetTTL",
    "x-extra",
    "unknownParam",
]
_QUERY_PIECES = [
    *'ab ()=<>/"\\*?^',
    " and ",
    " or ",
    " not ",
    " prox ",
    " sortBy ",
    "dc.title",
    "dc.creator",
    "bath.isbn",
    "rec.identifier",
    "cql.allRecords",
    "foo.bar",
    "ห้องสมุด",
    "สิ่งแวดล้อม",
    "green",
    " any ",
    " == ",
    "/sort.descending",
    "dc.date",
    "\x00",
    "\ud800",
    "9780306406157",
    "libcoop1",
]
VALUES = st.one_of(
    st.sampled_from(["1.1", "1.2", "2.0", "3", "", "explain", "searchRetrieve", "scan", "dc"]),
    st.sampled_from(["marcxml", "xml", "string", "packed", "cql", "0", "1", "-5", "99999999999"]),
    st.integers(min_value=-3, max_value=30).map(str),
    st.lists(st.sampled_from(_QUERY_PIECES), max_size=12).map("".join),
    st.text(max_size=20),
)
CQL = st.lists(st.sampled_from(_QUERY_PIECES), min_size=1, max_size=12).map("".join)
PARAMS = st.one_of(
    st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=6),
    st.fixed_dictionaries(  # searchRetrieve with a fuzzed query
        {"query": CQL},
        optional={
            "version": st.sampled_from(["1.2", "2.0"]),
            "startRecord": st.integers(min_value=1, max_value=9).map(str),
            "maximumRecords": st.integers(min_value=0, max_value=9).map(str),
            "recordSchema": st.sampled_from(["marcxml", "dc", "info:srw/schema/1/dc-v1.1"]),
            "recordPacking": st.sampled_from(["xml", "string"]),
        },
    ),
    st.fixed_dictionaries(  # scan with a fuzzed clause
        {"scanClause": CQL},
        optional={
            "version": st.sampled_from(["1.2", "2.0"]),
            "responsePosition": st.integers(min_value=0, max_value=12).map(str),
            "maximumTerms": st.integers(min_value=1, max_value=12).map(str),
        },
    ),
)


@pytest.fixture
def catalog(db: None, tmp_path: Path) -> Catalog:
    return load_catalog(tmp_path)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=PARAMS, post=st.booleans())
def test_any_parameters_give_a_valid_response(
    catalog: Catalog, params: dict[str, str], post: bool
) -> None:
    # Encoded by hand so that lone surrogates go out as the invalid UTF-8 a client could send.
    encoded = "&".join(
        f"{quote(k)}={quote_from_bytes(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in params.items()
    )
    client = Client()
    if post:
        form = "application/x-www-form-urlencoded"
        response = client.post("/sru", encoded, content_type=form)
    else:
        response = client.get(f"/sru?{encoded}")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    v2 = etree.QName(root).namespace != NS["zs"]
    assert etree.QName(root).localname in (
        "explainResponse",
        "searchRetrieveResponse",
        "scanResponse",
    )
    assert_valid(root, *(SRU20 if v2 else SRU12))
    uris = root.xpath("//*[local-name()='diagnostic']/*[local-name()='uri']/text()")
    assert "info:srw/diagnostic/1/1" not in uris, response.content
    assert all(u.startswith("info:srw/diagnostic/1/") for u in uris)
    event(f"{etree.QName(root).localname} {' '.join(u.rsplit('/', 1)[1] for u in uris) or 'ok'}")
