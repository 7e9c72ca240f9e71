"""The JSON API (django-ninja): one NinjaAPI, one router per app, OpenAPI at /api/openapi.json.

What the routers share (error schema, token auth, bounded types, the input parser) lives in
``libcoop.core.api``; the answers to errors are made here, once, for every endpoint.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputInvalid
from ninja.openapi.docs import Swagger

from libcoop import __version__
from libcoop.catalog.api import router as catalog_router
from libcoop.core.api import BadInput, SafeParser
from libcoop.core.openapi import ContractAPI
from libcoop.events.api import router as events_router
from libcoop.greenlib.api import router as greenlib_router
from libcoop.knowledge.api import router as knowledge_router
from libcoop.network.api import router as network_router
from libcoop.outreach.api import router as outreach_router
from libcoop.repository.api import router as repository_router

api = ContractAPI(
    title="LibCoop API",
    version=__version__,
    description="Registry of the library network. Reads are public; writes need a bearer token.",
    urls_namespace="api",
    parser=SafeParser(),
    # The docs page from the files bundled with django-ninja (the "ninja" app), and no call to
    # Swagger's online validator: /api/docs works without internet.
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Permission denied.")}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("A valid bearer token is required for this request.")}, status=401
    )


@api.exception_handler(BadInput)
def _bad_input(request: HttpRequest, exc: BadInput) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(InputInvalid)
def _unprocessable(request: HttpRequest, exc: InputInvalid) -> HttpResponse:
    errors = [
        {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors
    ]
    problems = "; ".join(
        f"{'.'.join(str(part) for part in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
        for e in errors
        if e["loc"]
    )
    detail = _("The input is not valid: %(problems)s") % {"problems": problems}
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps whatever the parser raised in "Cannot parse request body"; say why instead.
    cause = exc.__cause__
    detail = str(cause) if isinstance(cause, BadInput) else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


api.add_router("/", network_router)
api.add_router("/", catalog_router)
api.add_router("/", knowledge_router)
api.add_router("/", events_router)
api.add_router("/", outreach_router)
api.add_router("/", greenlib_router)
api.add_router("/", repository_router)
