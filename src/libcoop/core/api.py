"""What every JSON API router shares: the error schema, token auth, bounded input types and the
parser that refuses unusable input before any endpoint sees it.

The rule for input (``docs/security.md``): a request is refused with a 4xx and a message in the
user's language, never answered with a 5xx. Three layers keep it:

1. :class:`SafeParser` — every JSON body and form, whatever the endpoint: no NUL characters
   and no lone surrogates in any string or key, no integer outside 64 bits, no
   ``NaN``/``Infinity``/overflowing float (400).
2. The bounded types below (``Offset``, ``Limit``, ``PageNumber``, ``Year``, ``Count``,
   ``Amount``) in the endpoints' schemas (422 from pydantic, as for any other field).
3. :mod:`libcoop.core.errors` as a last resort for anything a schema missed (400, logged as a
   warning so that the missing bound is found and fixed; the property test fails on it).
"""

from __future__ import annotations

import datetime
import json
import math
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.parser import Parser
from ninja.security import HttpBearer

from libcoop.core.tokens import token_for_key

INT64_MAX = 2**63 - 1

# Bounds of the numbers the API takes. Offsets and pages past these can hold nothing anyway.
Offset = Annotated[int, Field(ge=0, le=1_000_000_000)]
PageNumber = Annotated[int, Field(ge=1, le=1_000_000)]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]
Year = Annotated[int, Field(ge=datetime.MINYEAR, le=datetime.MAXYEAR, description="Common Era")]
# A database id (what a 64-bit primary key can hold).
Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
# Measured quantities such as kWh or kilograms: what a DecimalField(max_digits=14,
# decimal_places=3) keeps.
Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=3)]


def page_size(default: int, maximum: int) -> Any:
    """A page size between 1 and *maximum*."""
    return Field(default, ge=1, le=maximum)


class FieldError(Schema):
    """One problem of a 422 answer: where (``["query", "year"]``, ``["body", "payload",
    "kind"]``), what (pydantic's message, in English) and its machine-readable type."""

    loc: list[str | int]
    msg: str
    type: str


class Error(Schema):
    """Every error answer of the API: ``{"detail": "..."}``, the reason in the user's
    language; a 422 also lists each problem of the input in ``errors``."""

    detail: str
    errors: list[FieldError] | None = None


class BadInput(ValueError):
    """Input that no endpoint can use; answered 400 with this message."""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer lc_…``; the request's user becomes the token's owner."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_for_key(token)  # live: not revoked, not expired, its user active
        if found is None:
            return None
        if found.scope == "read" and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise PermissionDenied(_("This token may only read."))
        request.user = found.user
        return found.user


def anyone(request: HttpRequest) -> bool:
    """Reads without a (valid) token: the request's own user, anonymous or logged in."""
    return True


token_auth = TokenAuth()
# Public reads that show more to a token's owner (or a signed-in user): token first.
READ_AUTH = [token_auth, anyone]


def text_problem(value: str) -> str | None:
    """Why *value* cannot be stored as text, or None. The same rule as Django's forms (NUL is
    refused there by ``ProhibitNullCharactersValidator``), plus lone surrogates, which a form
    can never carry but JSON's ``\\ud800`` escapes can."""
    if "\x00" in value:
        return _("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("Text may not contain unpaired surrogate characters (invalid Unicode).")
    return None


def _check_strings(value: Any) -> None:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise BadInput(problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def _parse_int(text: str) -> int:
    number = int(text)
    if abs(number) > INT64_MAX:
        raise BadInput(_("Numbers must lie between -2^63 and 2^63-1."))
    return number


def _parse_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise BadInput(_("Numbers must be finite."))
    return number


def _refuse_constant(name: str) -> Any:
    raise BadInput(_("Numbers must be finite."))


class SafeParser(Parser):
    """ninja's JSON parser with the input rule of this module applied to every request."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(
                request.body,
                parse_int=_parse_int,
                parse_float=_parse_float,
                parse_constant=_refuse_constant,
            )
        except BadInput:
            raise
        except (ValueError, RecursionError) as exc:
            message = _("The request body is not valid JSON: %(error)s") % {"error": exc}
            raise BadInput(message) from exc
        _check_strings(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> Any:
        # Form fields are stored like JSON strings; query strings only filter and search,
        # where a control character is dropped by the analyser (as on the pages).
        if data is not request.GET:
            for key, values in data.lists():
                _check_strings(key)
                _check_strings([v for v in values if isinstance(v, str)])
        return super().parse_querydict(data, list_fields, request)
