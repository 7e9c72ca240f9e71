"""The HTTP side of harvesting: one OAI-PMH 2.0 request at a time, with standard library
``urllib.request`` and lxml.

* §3.1.1 / §3.1.2: GET requests; ``503 Service Unavailable`` with ``Retry-After`` (seconds or
  an HTTP date, RFC 9110 §10.2.3) is flow control (§3.1.2.2 note), so we wait as asked, capped
  at ``max_wait``; other transient failures (connection errors, 5xx, 429, a truncated body)
  are retried with exponential backoff and jitter, at most ``max_retries`` times in a row.
* §3.2: responses are parsed with entity resolution, DTD loading and network access off; a
  response with a DOCTYPE (or an entity declaration) is refused outright.
* §3.5: list responses are followed through ``resumptionToken``; an empty token ends the list.
* §3.6: error responses raise :class:`OAIError`; ``noRecordsMatch`` is reported as an empty
  page by :meth:`Client.list_records`, not as an error.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI}
MAX_RESPONSE_BYTES = 200 * 1024 * 1024
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})

Opener = Callable[..., Any]  # urllib.request.urlopen(request, timeout=...) or alike


class HarvestError(Exception):
    """A failure the harvest cannot get past by retrying now."""


class HostileXML(HarvestError):
    """A response with a DOCTYPE or entity declarations (§3.2 responses never need one)."""


class OAIError(HarvestError):
    """An OAI-PMH error response (§3.6)."""

    def __init__(
        self, errors: list[tuple[str, str]], response_date: dt.datetime | None = None
    ) -> None:
        self.errors = errors
        self.response_date = response_date
        self.codes = [code for code, _ in errors]
        super().__init__("; ".join(f"{c}: {m}" if m else c for c, m in errors))


@dataclass
class Page:
    """One ListRecords response (§4.5) with its flow control (§3.5)."""

    response_date: dt.datetime | None
    records: list[etree._Element]
    token: str | None  # None or "" when the list is complete
    complete_list_size: int | None = None


@dataclass
class Client:
    base_url: str
    opener: Opener | None = None
    sleep: Callable[[float], None] = time.sleep
    max_retries: int = 5
    backoff: float = 2.0
    max_wait: float = 600.0
    timeout: float = 120.0
    retries: int = 0  # retries made so far, over all requests
    log: list[str] = field(default_factory=list)
    user_agent: str = "LibCoop-harvester/1.0 (OAI-PMH 2.0)"

    # ------------------------------------------------------------------ HTTP

    def request(self, params: Mapping[str, str]) -> etree._Element:
        """GET one OAI-PMH request; the parsed root, or ``OAIError`` for an error response."""
        url = f"{self.base_url}?{urllib.parse.urlencode(params)}"
        attempt = 0
        while True:
            try:
                body = self._fetch(url)
                root = parse_response(body)
            except _Retryable as exc:
                attempt += 1
                if attempt > self.max_retries:
                    raise HarvestError(f"gave up after {self.max_retries} retries: {exc}") from exc
                wait = exc.retry_after if exc.retry_after is not None else self._backoff(attempt)
                self.retries += 1
                self.log.append(f"retry {attempt} in {wait:.1f}s: {exc}")
                self.sleep(min(wait, self.max_wait))
                continue
            errors = [
                (e.get("code", ""), (e.text or "").strip()) for e in root.iterfind("oai:error", NS)
            ]
            if errors:
                date = parse_datestamp(root.findtext("oai:responseDate", namespaces=NS))
                raise OAIError(errors, date)
            return root

    def _backoff(self, attempt: int) -> float:
        base = self.backoff * 2 ** (attempt - 1)
        return min(self.max_wait, base + random.uniform(0, self.backoff))

    def _fetch(self, url: str) -> bytes:
        req = urllib.request.Request(url, headers={"User-Agent": self.user_agent})  # noqa: S310
        open_ = self.opener or urllib.request.urlopen
        try:
            with open_(req, timeout=self.timeout) as response:
                body: bytes = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code in RETRYABLE_STATUS:
                after = retry_after(exc.headers.get("Retry-After")) if exc.code == 503 else None
                raise _Retryable(f"HTTP {exc.code}", after) from exc
            raise HarvestError(f"HTTP {exc.code} {exc.reason} from {url}") from exc
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        if len(body) > MAX_RESPONSE_BYTES:
            raise HarvestError(f"response larger than {MAX_RESPONSE_BYTES} bytes")
        return body

    # ------------------------------------------------------------------ verbs

    def identify(self) -> etree._Element:
        """§4.2 Identify."""
        return self.request({"verb": "Identify"})

    def list_records(
        self,
        metadata_prefix: str,
        *,
        set_spec: str = "",
        from_: str | None = None,
        until: str | None = None,
        token: str | None = None,
    ) -> Iterator[Page]:
        """§4.5 ListRecords, page by page; starting from *token* when resuming (§3.5: a
        token is the request's only argument besides the verb)."""
        if token:
            params = {"verb": "ListRecords", "resumptionToken": token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
            if set_spec:
                params["set"] = set_spec
            if from_:
                params["from"] = from_
            if until:
                params["until"] = until
        while True:
            try:
                root = self.request(params)
            except OAIError as exc:
                if exc.codes == ["noRecordsMatch"]:
                    yield Page(exc.response_date, [], None)
                    return
                raise
            page = page_of(root)
            yield page
            if not page.token:
                return
            params = {"verb": "ListRecords", "resumptionToken": page.token}


@dataclass
class _Retryable(Exception):
    reason: str
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.reason


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
)


def parse_response(body: bytes) -> etree._Element:
    """Parse a response (§3.2), refusing DOCTYPEs and entities; malformed XML is retryable
    (often a truncated transfer)."""
    head = body[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in body:
        raise HostileXML("response has a DOCTYPE or entity declarations; refused")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _Retryable(f"not well-formed XML: {exc}") from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise HostileXML("response has a DOCTYPE; refused")
    if root.tag != f"{{{OAI}}}OAI-PMH":
        raise HarvestError(f"not an OAI-PMH response (root element {root.tag!r})")
    return root


def parse_datestamp(text: str | None) -> dt.datetime | None:
    """A UTC datestamp (§3.3): ``YYYY-MM-DDThh:mm:ssZ`` or ``YYYY-MM-DD``."""
    if not text:
        return None
    text = text.strip()
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None


def page_of(root: etree._Element) -> Page:
    token_el = root.find("oai:ListRecords/oai:resumptionToken", NS)
    size = token_el.get("completeListSize") if token_el is not None else None
    return Page(
        response_date=parse_datestamp(root.findtext("oai:responseDate", namespaces=NS)),
        records=list(root.iterfind("oai:ListRecords/oai:record", NS)),
        token=(token_el.text or "").strip() if token_el is not None else None,
        complete_list_size=int(size) if size and size.isdigit() else None,
    )
