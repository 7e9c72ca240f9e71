"""``POST /iso18626``: the ISO 18626 endpoint (request, supplyingAgencyMessage and
requestingAgencyMessage; each answered with its confirmation).

Bad input is never a 5xx: a message that can be read far enough to know its kind is answered
with an ERROR confirmation (HTTP 200, as the standard's peers expect) echoing the header's
agency ids and request id; anything else is a 4xx (405 not POST, 415 not an XML content
type, 413 over 1 MB, 400 unreadable). The message goes to the handler named by the setting
``LIBCOOP_ISO18626_HANDLER`` (``handle(message) -> Confirmation``); a :class:`MessageError`
it raises is answered the same way. Any other exception is LibCoop's bug (a 500).
The answer is in the peer's version: 1.2 for 1.x, 2021-2 for 2021.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import Final, Literal, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from libcoop.interop.iso18626.build import to_xml
from libcoop.interop.iso18626.messages import (
    ERROR_TYPES,
    AgencyId,
    Confirmation,
    Header,
    Message,
    MessageError,
    Request,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
)
from libcoop.interop.iso18626.parse import MAX_BODY, parse_message, version_of

__all__ = ["CONTENT_TYPES", "DEFAULT_HANDLER", "error_confirmation", "iso18626_endpoint"]

log = logging.getLogger(__name__)

DEFAULT_HANDLER: Final = "libcoop.ill.protocol.handle"
CONTENT_TYPES: Final = frozenset({"text/xml", "application/xml", "application/iso18626+xml"})
_XML_CONTENT: Final = "application/xml; charset=utf-8"
_NOT_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Handler = Callable[[Message], Confirmation]
_KINDS: Final[dict[type, str]] = {
    Request: "request",
    SupplyingAgencyMessage: "supplyingAgencyMessage",
    RequestingAgencyMessage: "requestingAgencyMessage",
}


def _text(status: int, text: str) -> HttpResponse:
    return HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")


def error_confirmation(error: MessageError) -> Confirmation | None:
    """The ERROR confirmation answering *error*, echoing its header; None when the kind of
    message is not known (no confirmation fits)."""
    if error.kind not in ("request", "supplyingAgencyMessage", "requestingAgencyMessage"):
        return None
    kind = cast(Literal["request", "supplyingAgencyMessage", "requestingAgencyMessage"], error.kind)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    header = error.header or Header(AgencyId("", ""), AgencyId("", ""), now, "")
    error_type = error.error_type if error.error_type in ERROR_TYPES else "BadlyFormedMessage"
    value = _NOT_XML_CHARS.sub("?", str(error.value))[:500]
    return Confirmation(
        header=header, kind=kind, ok=False, error_type=error_type, error_value=value, received=now
    )


def _complete(error: MessageError, message: Message | None) -> MessageError:
    """A handler's error without kind or header gets them from the message it refused."""
    if message is None or (error.kind and error.header):
        return error
    kind = error.kind or _KINDS[type(message)]
    return MessageError(
        error.error_type, error.value, header=error.header or message.header, kind=kind
    )


def _handler() -> Handler:
    return cast(
        Handler, import_string(getattr(settings, "LIBCOOP_ISO18626_HANDLER", DEFAULT_HANDLER))
    )


@csrf_exempt
def iso18626_endpoint(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if (request.content_type or "").lower() not in CONTENT_TYPES:
        return _text(415, f"send ISO 18626 as one of {', '.join(sorted(CONTENT_TYPES))}")
    length = request.META.get("CONTENT_LENGTH") or ""
    if length.isdigit() and int(length) > MAX_BODY:
        return _text(413, f"an ISO 18626 message is at most {MAX_BODY} bytes")
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _text(413, f"an ISO 18626 message is at most {MAX_BODY} bytes")
    if not body.strip():
        return _text(400, "empty body: send an ISO18626Message")
    version = version_of(body)
    message: Message | None = None
    try:
        message = parse_message(body)
        confirmation = _handler()(message)
    except MessageError as error:
        answer = error_confirmation(_complete(error, message))
        if answer is None:
            return _text(400, f"not an ISO 18626 message ({error.error_type}: {error.value})")
        log.info("ISO 18626 message refused: %s: %s", error.error_type, error.value)
        confirmation = answer
    return HttpResponse(to_xml(confirmation, version), content_type=_XML_CONTENT)
