"""Checking an OAI-PMH request's arguments: §3.1.1 (verbs and their arguments, no repeats,
resumptionToken exclusive), §3.3.1 (from/until: YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, one
granularity, from not after until) and the argument types of OAI-PMH.xsd, so that every
echoed argument is valid in the response's request element (§3.2)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from lxml import etree


class OAIError(Exception):
    """An OAI-PMH error condition (§3.6): one of the eight codes and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_LIST_ARGS = (("metadataPrefix",), ("from", "until", "set", "resumptionToken"))
ARGUMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # required, optional
    "Identify": ((), ()),
    "ListMetadataFormats": ((), ("identifier",)),
    "ListSets": ((), ("resumptionToken",)),
    "GetRecord": (("identifier", "metadataPrefix"), ()),
    "ListIdentifiers": _LIST_ARGS,
    "ListRecords": _LIST_ARGS,
}
_XML_CHARS = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
_SYNTAX = {  # the request attribute types in OAI-PMH.xsd
    "metadataPrefix": re.compile(r"[A-Za-z0-9\-_.!~*'()]+"),
    "set": re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*"),
    "identifier": re.compile(r"[A-Za-z0-9\-_.!~*'();/?:@&=+$,%#\[\]]+"),  # URI characters
    "resumptionToken": re.compile(r".+", re.DOTALL),
}
# xs:anyURI as the schema validator (libxml2) checks it: an identifier we would echo in the
# request element must be valid there, or the response itself would be invalid (§3.2).
_ANY_URI = etree.XMLSchema(
    etree.XML(
        b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="u">'
        b'<xs:complexType><xs:attribute name="v" type="xs:anyURI"/></xs:complexType>'
        b"</xs:element></xs:schema>"
    )
)


def _is_any_uri(value: str) -> bool:
    element = etree.Element("u")
    element.set("v", value)
    return bool(_ANY_URI.validate(element))


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def bad(message: str) -> OAIError:
    return OAIError("badArgument", message)


def parse(arguments: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
    """The verb and its single-valued arguments, or badVerb / badArgument (§3.6)."""
    verbs = arguments.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in ARGUMENTS:
        raise OAIError("badVerb", "The verb argument is missing, repeated or not a legal verb.")
    verb = verbs[0]
    required, optional = ARGUMENTS[verb]
    params: dict[str, str] = {}
    for key, values in arguments.items():
        if key == "verb":
            continue
        if key not in required and key not in optional:
            raise bad(f"{verb} does not take this argument.")
        if len(values) != 1:
            raise bad(f"The {key} argument is repeated.")
        value = values[0]
        syntax = _SYNTAX.get(key)  # from and until: checked by dates below
        if not _XML_CHARS.fullmatch(value) or (syntax and not syntax.fullmatch(value)):
            raise bad(f"The {key} argument has an illegal syntax.")
        if key == "identifier" and not _is_any_uri(value):
            raise bad("The identifier argument is not a URI.")
        params[key] = value
    if "resumptionToken" in params:
        if len(params) > 1:
            raise bad("The resumptionToken argument is exclusive.")
        return verb, params
    missing = [k for k in required if k not in params]
    if missing:
        raise bad(f"{verb} needs the {', '.join(missing)} argument.")
    dates(params)  # syntax only; checked again when the list is made
    return verb, params


def _bound(value: str, *, upper: bool) -> tuple[dt.datetime, str]:
    """An inclusive bound at microsecond precision, and its granularity (§3.3.1)."""
    try:
        if _DAY.fullmatch(value):
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time.max if upper else dt.time.min, dt.UTC), "day"
        if _SECOND.fullmatch(value):
            moment = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            return moment.replace(microsecond=999999 if upper else 0), "second"
    except ValueError:
        pass
    raise bad("Dates are YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC).")


def dates(params: Mapping[str, str]) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = _bound(params["from"], upper=False) if "from" in params else None
    until = _bound(params["until"], upper=True) if "until" in params else None
    if start and until:
        if start[1] != until[1]:
            raise bad("The from and until arguments have different granularities.")
        if start[0] > until[0]:
            raise bad("The from argument is later than the until argument.")
    return (start[0] if start else None), (until[0] if until else None)
