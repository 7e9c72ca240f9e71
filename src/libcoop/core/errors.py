"""One place that turns unusable input into a 4xx, for pages and the API alike.

- :class:`InputGuardMiddleware` refuses a path with a NUL character, and a form whose body is
  declared in another charset than UTF-8 before the CSRF check reads it (Django would raise
  ``BadRequest`` there, and again in its own 400 view, which checks CSRF too); it turns the
  exceptions that only bad input causes — a number too large for the database, a decimal that
  cannot be represented, text that is not valid Unicode — into a 400 with a message in the
  user's language. Reaching that means a schema or form lacks a bound: it logs a warning
  naming the path.
- :func:`bad_request`, :func:`page_not_found`, :func:`server_error` are the site's error
  pages (``handler400/404/500``), in Thai and English, without CSRF checks of their own.
"""

from __future__ import annotations

import decimal
import logging
from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("libcoop.input")

# Exceptions that only input the code did not bound can cause.
BAD_INPUT_ERRORS: tuple[type[Exception], ...] = (
    OverflowError,
    decimal.InvalidOperation,
    UnicodeEncodeError,
    DataError,
)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Header set on a refusal made here, so tests can tell it from a schema's own refusal.
FALLBACK_HEADER = "X-LibCoop-Input-Fallback"


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def refuse(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    """A refusal of the request's input: JSON ``{"detail": …}`` on the API, a page elsewhere."""
    if wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "400.html", {"message": message}, status=status)


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:  # no page, code or id has one (PostgreSQL refuses it)
            return refuse(request, _("Text may not contain NUL characters."))
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORM_TYPES:
            charset = (request.content_params or {}).get("charset", "utf-8")
            if charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
                return refuse(
                    request,
                    _("Forms must be sent in UTF-8; this one says %(charset)s.")
                    % {"charset": charset[:40]},
                )
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, BAD_INPUT_ERRORS):
            return None
        logger.warning(
            "unbounded input reached %s %s: %s: %s",
            request.method,
            request.path,
            type(exc).__name__,
            str(exc)[:200],
        )
        response = refuse(request, _("A value in the request is out of range or not valid text."))
        response[FALLBACK_HEADER] = type(exc).__name__
        return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "400.html",
        {"message": _("The request could not be understood.")},
        status=400,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors and no database: whatever failed may fail again.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
