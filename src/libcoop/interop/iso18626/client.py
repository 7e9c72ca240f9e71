"""Sending one ISO 18626 message to a peer and reading its confirmation.

``send`` raises :class:`SendError`; ``retryable`` tells the caller (the ILL outbox, with its
own retries and back-off) whether trying again later can help: connection errors, time-outs,
408, 429 and 5xx can; any other 4xx, a redirect, an answer that is not a confirmation of the
message sent, or one larger than 1 MB cannot. An ERROR confirmation is an answer, not an
exception: it is returned with ``ok=False``.
"""

from __future__ import annotations

from typing import Final

import requests

from libcoop.interop.iso18626.build import to_xml
from libcoop.interop.iso18626.messages import (
    Confirmation,
    Message,
    MessageError,
    Request,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
)
from libcoop.interop.iso18626.parse import MAX_BODY, parse_confirmation

__all__ = ["SendError", "send"]

CONTENT_TYPE: Final = "application/xml; charset=utf-8"
_RETRYABLE_STATUS: Final = frozenset({408, 425, 429})
_KINDS: Final[dict[type, str]] = {
    Request: "request",
    SupplyingAgencyMessage: "supplyingAgencyMessage",
    RequestingAgencyMessage: "requestingAgencyMessage",
}


class SendError(Exception):
    """The message was not confirmed. ``retryable``: sending it again later may succeed;
    ``status``: the HTTP status when there was an answer."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


def send(url: str, message: Message, version: str, *, timeout: float = 30) -> Confirmation:
    """POST *message* as ISO 18626 *version* to *url*; the peer's confirmation."""
    body = to_xml(message, version)  # invalid = our bug: raises before anything is sent
    try:
        response = requests.post(
            url,
            data=body,
            headers={"Content-Type": CONTENT_TYPE, "Accept": "application/xml, text/xml"},
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        )
    except requests.Timeout as exc:
        raise SendError(f"{url}: no answer within {timeout} s", retryable=True) from exc
    except requests.ConnectionError as exc:
        raise SendError(
            f"{url}: cannot connect ({exc.__class__.__name__})", retryable=True
        ) from exc
    except requests.RequestException as exc:  # a bad URL, too many redirects …
        raise SendError(f"{url}: {exc}", retryable=False) from exc
    with response:
        status = response.status_code
        try:
            answer = _read(response)
        except requests.RequestException as exc:
            raise SendError(f"{url}: answer cut off", retryable=True, status=status) from exc
    if status >= 500 or status in _RETRYABLE_STATUS:
        raise SendError(f"{url}: HTTP {status}", retryable=True, status=status)
    if status != 200:
        raise SendError(f"{url}: HTTP {status}: {_snippet(answer)}", retryable=False, status=status)
    if answer is None:
        raise SendError(
            f"{url}: answer larger than {MAX_BODY} bytes", retryable=False, status=status
        )
    try:
        confirmation = parse_confirmation(answer)
    except MessageError as exc:
        raise SendError(
            f"{url}: the answer is not an ISO 18626 confirmation ({exc.value})",
            retryable=False,
            status=status,
        ) from exc
    if confirmation.kind != _KINDS[type(message)]:
        raise SendError(
            f"{url}: a {confirmation.kind} confirmation answers a {_KINDS[type(message)]}",
            retryable=False,
            status=status,
        )
    return confirmation


def _read(response: requests.Response) -> bytes | None:
    """The body, or None when it is larger than ``MAX_BODY``."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _snippet(answer: bytes | None) -> str:
    return (answer or b"")[:200].decode("utf-8", "replace").strip()
