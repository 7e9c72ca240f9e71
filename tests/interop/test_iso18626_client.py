"""``client.send`` against a small HTTP server on 127.0.0.1: the confirmation of a real
exchange (the server hands the body to ``/iso18626`` through Django's test client, fake
handler), and the retryable / not retryable failures."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from libcoop.interop.iso18626.build import to_xml
from libcoop.interop.iso18626.client import SendError, send
from libcoop.interop.iso18626.messages import Confirmation, Message
from tests.interop.test_iso18626_build import samples
from tests.interop.test_iso18626_views import HANDLER


def message(name: str = "requestingAgencyMessage") -> Message:
    item = samples()[name]
    assert not isinstance(item, Confirmation)
    return item


class Peer(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def answer(self, status: int, body: bytes, content_type: str = "application/xml") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status in (301, 302):
            self.send_header("Location", "/elsewhere")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        path = self.path
        if path == "/iso18626":  # the real endpoint, through Django's test client
            response = Client().post(
                "/iso18626", data=body, content_type=self.headers["Content-Type"]
            )
            self.answer(response.status_code, response.content, response["Content-Type"])
        elif path.startswith("/status/"):
            self.answer(int(path.rsplit("/", 1)[1]), b"oops", "text/plain")
        elif path == "/garbage":
            self.answer(200, b"<html>hello</html>", "text/html")
        elif path == "/wrong-kind":
            self.answer(200, to_xml(samples()["requestConfirmation"], "1.2"))
        elif path == "/big":
            self.answer(200, b"<a>" + b"x" * (2 * 1024 * 1024) + b"</a>")
        elif path == "/slow":
            time.sleep(2)
            self.answer(200, b"")


@pytest.fixture
def peer(settings: Any) -> Iterator[str]:
    settings.LIBCOOP_ISO18626_HANDLER = HANDLER
    server = ThreadingHTTPServer(("127.0.0.1", 0), Peer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("version", ["1.2", "2021-2"])
@pytest.mark.parametrize("name", ["request", "supplyingAgencyMessage", "requestingAgencyMessage"])
def test_send_returns_the_peers_confirmation(peer: str, name: str, version: str) -> None:
    sent = message(name)
    confirmation = send(f"{peer}/iso18626", sent, version, timeout=10)
    assert confirmation.ok and confirmation.kind == name
    assert confirmation.header.requesting_request_id == sent.header.requesting_request_id


def test_an_error_confirmation_is_an_answer_not_an_exception(peer: str) -> None:
    sent = message()
    header = sent.header.__class__(
        sent.header.supplying, sent.header.requesting, sent.header.timestamp, "unknown-9"
    )
    confirmation = send(f"{peer}/iso18626", sent.__class__(header, "Received"), "1.2")
    assert not confirmation.ok
    assert confirmation.error_type == "UnrecognisedDataValue"


@pytest.mark.parametrize(
    ("path", "retryable", "status"),
    [
        ("/status/500", True, 500),
        ("/status/503", True, 503),
        ("/status/429", True, 429),
        ("/status/404", False, 404),
        ("/status/400", False, 400),
        ("/status/302", False, 302),
        ("/garbage", False, 200),
        ("/wrong-kind", False, 200),
        ("/big", False, 200),
    ],
)
def test_failures(peer: str, path: str, retryable: bool, status: int) -> None:
    with pytest.raises(SendError) as caught:
        send(peer + path, message(), "1.2", timeout=10)
    assert caught.value.retryable is retryable
    assert caught.value.status == status


def test_a_time_out_is_retryable(peer: str) -> None:
    with pytest.raises(SendError) as caught:
        send(f"{peer}/slow", message(), "1.2", timeout=0.3)
    assert caught.value.retryable and caught.value.status is None


def test_a_refused_connection_is_retryable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SendError) as caught:
        send(f"http://127.0.0.1:{port}/iso18626", message(), "1.2", timeout=2)
    assert caught.value.retryable


def test_a_bad_url_is_not_retryable() -> None:
    with pytest.raises(SendError) as caught:
        send("not a url", message(), "1.2")
    assert not caught.value.retryable
