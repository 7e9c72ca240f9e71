"""The published OpenAPI document says every answer an operation can give.

Two answers come from the framework rather than from an endpoint, so no endpoint declares
them: 422 (the input does not match the operation's parameters or body, checked by pydantic)
and 400 (:class:`libcoop.core.api.SafeParser` refused a body or form it cannot use). They are
added here to every operation that takes input, with the one shared error schema
(``libcoop.core.api.Error``), so that a client generated from ``/api/openapi.json`` knows
them and ``tests/core/test_api_contract.py`` (schemathesis against the live server) holds
the server to them. A new endpoint is covered without any change here.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

ERROR_REF = "#/components/schemas/Error"

DESCRIPTIONS = {
    "400": "The request body or form cannot be used (not JSON, NUL or unpaired surrogate "
    "characters, numbers outside 64 bits or not finite).",
    "422": "The input does not match the operation's parameters or body; "
    "``errors`` lists each problem.",
}


def _error_response(status: str) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }


def complete_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare 422 on every operation with parameters or a body, and 400 on every operation
    with a body (in place; returns *schema*)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if operation.get("requestBody"):
                responses.setdefault("400", _error_response("400"))
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("422", _error_response("422"))
    return schema


class ContractAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document also declares the framework's own answers."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        complete_responses(schema)
        return schema
