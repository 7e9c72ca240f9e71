"""Property: no input makes the API answer 5xx, and none reaches the last-resort handler.

Every operation of the published OpenAPI schema (every write and every list filter, found by
reading the schema, so a new endpoint is covered without editing this file) is driven by
hypothesis with values built from the operation's own parameter and body schemas, mixed with
hostile ones: integers beyond 64 bits, numbers beyond any column (``1e100000``, 33 digits,
``NaN``), dates of 25 digits, lone surrogates, NUL characters, very long text, wrong types.
The caller holds a superuser's token, so authorisation never stops a request before its input
is read. The answer must be below 500 and must not carry the mark of
``libcoop.core.errors`` (a refusal there means an input had no bound where it is read).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libcoop.api import api
from libcoop.core.errors import FALLBACK_HEADER
from libcoop.core.tokens import issue_token
from libcoop.network.abilities import SYSTEM
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCHEMA = api.get_openapi_schema()
OPERATIONS = [
    (method.upper(), path)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method != "get" or operation.get("parameters")
]


class Raw:
    """A JSON literal written as is (numbers JSON can spell but Python cannot hold)."""

    def __init__(self, text: str) -> None:
        self.text = text


HOSTILE_INTS = [2**63, -(2**63) - 1, 10**25, -1, 0, 2**31, 2**63 - 1]
HOSTILE_NUMBERS = [Raw("1e100000"), Raw("-1e100000"), Raw("1" * 33), Raw("NaN"), Raw("1e-400")]
HOSTILE_TEXT = [
    "\ud800",
    "a\x00b",
    "\x00",
    "9" * 25,
    "1234567890123456789012345",
    "2019-02-30",
    "0000",
    "-1",
    "1e100000",
    "ก" * 5000,
    "x" * 100_000,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "\u200b\ufeff",
    "",
]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = SCHEMA["components"]["schemas"][name]
    return schema


def _hostile() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(HOSTILE_INTS),
        st.sampled_from(HOSTILE_NUMBERS),
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=30),
        st.none(),
        st.booleans(),
        st.just([]),
        st.just({}),
    )


def _valid(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    schema = _resolve(schema)
    if "anyOf" in schema:
        return st.one_of([_valid(s, depth) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        low, high = schema.get("minimum", -(2**40)), schema.get("maximum", 2**40)
        return st.integers(low, high)
    if kind == "number":
        return st.one_of(st.integers(0, 10**6), st.decimals(0, 10**6, places=2).map(str))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(_field(schema.get("items", {}), depth + 1), max_size=3)
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return st.just({})
        props = schema.get("properties", {})
        return st.fixed_dictionaries(
            {},
            optional={name: _field(sub, depth + 1) for name, sub in props.items()},
        )
    if schema.get("format") == "date":
        return st.dates().map(str)
    if schema.get("format") == "time":
        return st.times().map(str)
    return st.one_of(
        st.sampled_from(["MFU-LIB", "GLN", "2019", "2019-05", "2019-05-01", "7.1", "meeting"]),
        st.text(max_size=20),
    )


def _field(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    return st.one_of(_valid(schema, depth), _hostile())


def _dump(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    return json.dumps(value)  # escapes a lone surrogate as \ud800, as a client would


def _query_text(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


@pytest.fixture
def world(demo_registry: None, tmp_path: Path, settings: Any) -> dict[str, Any]:
    from libcoop.catalog.ingest import import_file
    from libcoop.catalog.models import BibRecord, Cluster, ImportJob
    from libcoop.events.demo import load_demo as events_demo
    from libcoop.events.models import Event
    from libcoop.greenlib.demo import load_demo as greenlib_demo
    from libcoop.greenlib.models import Assessment
    from libcoop.knowledge.demo import load_demo as knowledge_demo
    from libcoop.knowledge.models import KnowledgeArticle
    from libcoop.network.models import Institution, Membership, WorkingGroup
    from libcoop.outreach.demo import load_demo as outreach_demo
    from libcoop.outreach.models import Activity
    from tests.catalog.marcdata import book, write
    from tests.repository.deposit_world import deposit

    for load in (outreach_demo, knowledge_demo, events_demo, greenlib_demo):
        load()
    for code in ("MFU-LIB", "CMU-LIB"):
        path = write(tmp_path / f"{code}.mrc", book(f"{code}-1", "Green library", year=2019))
        import_file(path, Institution.objects.get(code=code), acting_user=SYSTEM)
    # the digital collection: a draft with one file, its files kept under tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "repository": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "repository-store")},
        },
    }
    item = deposit(Institution.objects.get(code="MFU-LIB"), files=1)
    admin = UserFactory(is_superuser=True, is_staff=True)
    admin.save()

    def first(model: Any) -> int:
        row = model.objects.order_by("pk").first()
        assert row is not None, model
        return int(row.pk)

    return {
        "token": issue_token(admin, "fuzz", acting_user=SYSTEM),
        "ids": {
            "memberships": first(Membership),
            "catalog/clusters": first(Cluster),
            "catalog/imports": first(ImportJob),
            "catalog/records": first(BibRecord),
            "knowledge/articles": first(KnowledgeArticle),
            "events": first(Event),
            "outreach/activities": first(Activity),
            "greenlib/assessments": first(Assessment),
            "repository/items": item.pk,
        },
        "repository_file": item.files.get().pk,
        "working_group": WorkingGroup.objects.order_by("pk").values_list("code", flat=True)[0],
    }


def _path_value(path: str, name: str, world: dict[str, Any]) -> str:
    if name == "pk":
        return str(next(v for k, v in world["ids"].items() if f"/{k}/" in path))
    if name == "code":
        if "/networks/" in path:
            return "GLN"
        if "/working-groups/" in path:
            return str(world["working_group"])
        if "/standards/" in path:
            return "TLA-2558"
        return "MFU-LIB"
    if name == "year":
        return "2019"
    if name == "file_pk":
        return str(world["repository_file"])
    if name == "action":
        return "submit"
    raise AssertionError(f"no value for path parameter {name} of {path}")


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_input_makes_a_server_error(method: str, path: str, world: dict[str, Any]) -> None:
    operation = SCHEMA["paths"][path][method.lower()]
    params = operation.get("parameters", [])
    in_path = [p for p in params if p["in"] == "path"]
    in_query = [p for p in params if p["in"] == "query"]
    content = operation.get("requestBody", {}).get("content", {})
    headers = {"Authorization": f"Bearer {world['token']}"}
    client = Client()

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        url = path
        for p in in_path:
            value = _path_value(path, p["name"], world)
            if data.draw(st.integers(0, 4), label=f"hostile {p['name']}?") == 0:
                value = data.draw(st.sampled_from(["9" * 25, "0", "-1", "%00", "x"]))
            url = url.replace("{" + p["name"] + "}", value)
        query = []
        for p in in_query:
            if data.draw(st.booleans(), label=f"send {p['name']}?"):
                value = data.draw(_field(p.get("schema", {})), label=p["name"])
                query.append(f"{p['name']}={_query_text(value)}")
        if query:
            url += "?" + "&".join(query)
        if "application/json" in content:
            body_schema = content["application/json"]["schema"]
            body = data.draw(st.one_of(_valid(body_schema), _hostile()), label="body")
            response = client.generic(
                method, url, _dump(body), content_type="application/json", headers=headers
            )
        elif "multipart/form-data" in content:
            fields = data.draw(
                st.fixed_dictionaries(
                    {
                        "library": st.one_of(st.just("MFU-LIB"), st.sampled_from(HOSTILE_TEXT)),
                        "kind": st.one_of(st.just("records"), st.sampled_from(HOSTILE_TEXT)),
                    }
                ),
                label="form",
            )
            payload = data.draw(st.binary(max_size=200), label="file")
            from django.core.files.uploadedfile import SimpleUploadedFile

            form = {
                k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                for k, v in fields.items()
            }
            response = client.post(
                url, {**form, "file": SimpleUploadedFile("f.mrc", payload)}, headers=headers
            )
        else:
            response = client.generic(method, url, headers=headers)
        assert response.status_code < 500, (url, response.content[:300])
        assert FALLBACK_HEADER not in response, (url, response[FALLBACK_HEADER])

    check()


def test_the_fuzz_covers_every_write_and_list_filter() -> None:
    """The list above is read from the schema; this keeps it from being empty or partial."""
    writes = {(m, p) for m, p in OPERATIONS if m != "GET"}
    assert len(writes) >= 15
    assert ("GET", "/api/knowledge/articles") in OPERATIONS
    assert ("POST", "/api/catalog/records/{pk}/merge") in OPERATIONS
    assert ("POST", "/api/repository/items/{pk}/files") in OPERATIONS
