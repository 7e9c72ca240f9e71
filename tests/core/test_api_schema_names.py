"""Every schema class of the API has a name of its own.

The OpenAPI document keeps one component per class name: when two apps both define a
``FileOut``, the later one replaces the earlier under ``#/components/schemas/FileOut`` and every
operation of the first app then points at the wrong schema (the knowledge base's article said
its files had the digital collection's ``label``, ``pages`` and ``text_status``, and the
contract test found the answers did not match).
"""

from __future__ import annotations

from typing import Any

from ninja import Schema

from libcoop.api import api


def _schema_classes() -> set[type[Any]]:
    found: set[type[Any]] = set()
    todo: list[type[Any]] = [Schema]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return {c for c in found if c.__module__.startswith("libcoop.")}


def test_no_two_api_schemas_share_a_name() -> None:
    api.get_openapi_schema()  # every router imported, every schema class made
    by_name: dict[str, list[str]] = {}
    for cls in _schema_classes():
        by_name.setdefault(cls.__name__, []).append(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not shared, shared


def test_the_knowledge_file_schema_is_the_knowledge_one() -> None:
    schema = api.get_openapi_schema()
    files = schema["components"]["schemas"]["ArticleDetailOut"]["properties"]["files"]
    name = files["items"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][name]["properties"]
    assert set(properties) == {"id", "name", "kind", "size", "url"}
    item = schema["components"]["schemas"]["ItemDetailOut"]["properties"]["files"]
    assert item["items"]["$ref"].endswith("/ItemFileOut")
