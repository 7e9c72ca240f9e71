"""Serialising provider outcomes as OAI-PMH 2.0 XML (§3.2 response format), with lxml,
element by element. Metadata: ``oai_dc`` (§3.4, ``oai_dc.xsd``) and ``marc21``
(MARCXML, ``MARC21slim.xsd``). Text is stripped of characters XML 1.0 cannot carry, and
MARC values the MARCXML schema would reject (tags, indicators, codes, leader) are mended
or left out, so every response validates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pymarc
from lxml import etree

from libcoop.interop import repository_records
from libcoop.interop.oai import dc, provider, sets

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
MARC = "http://www.loc.gov/MARC21/slim"
IDENT = "http://www.openarchives.org/OAI/2.0/oai-identifier"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{{{XSI}}}schemaLocation"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LEADER = re.compile(
    r"[\d ]{5}[\dA-Za-z ][\dA-Za-z][\dA-Za-z ]{3}[2 ][2 ][\d ]{5}[\dA-Za-z ]{3}(4500|    )",
    re.ASCII,
)
_REPOSITORY_ID = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")  # oai-identifier
_CONTROL_TAG = re.compile(r"00[1-9A-Za-z]")
_DATA_TAG = re.compile(
    r"0[1-9A-Z][0-9A-Z]|0[1-9a-z][0-9a-z]|[1-9A-Z][0-9A-Z]{2}|[1-9a-z][0-9a-z]{2}"
)
_INDICATOR = re.compile(r"[0-9a-z ]")
_CODE = re.compile(r"[0-9A-Za-z!\"#$%&'()*+,\-./:;<=>?{}_^`~\[\]\\]")


@dataclass(frozen=True)
class Context:
    """What only the HTTP request knows: the base URL and how to link to a cluster's page, to
    a collection item's page and to one of its files."""

    base_url: str
    cluster_url: Callable[[int], str]
    item_url: Callable[[int], str] | None = None
    file_url: Callable[[int, int], str] | None = None

    def collection_urls(self, item_id: int, file_ids: list[int]) -> tuple[str, dict[int, str]]:
        root = self.base_url.rsplit("/oai", 1)[0]
        page = self.item_url(item_id) if self.item_url else f"{root}/repository/{item_id}/"
        files = {
            f: self.file_url(item_id, f)
            if self.file_url
            else f"{root}/repository/{item_id}/files/{f}/"
            for f in file_ids
        }
        return page, files


def clean(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def utc(value: dt.datetime) -> str:
    """A datestamp at the repository's granularity, YYYY-MM-DDThh:mm:ssZ (§3.3)."""
    v = value.astimezone(dt.UTC)
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"


def _sub(
    parent: etree._Element, name: str, text: object = None, /, **attrib: str
) -> etree._Element:
    element = etree.SubElement(parent, name, attrib)
    if text is not None:
        element.text = clean(text)
    return element


def _o(name: str) -> str:
    return f"{{{OAI}}}{name}"


# ------------------------------------------------------------------ metadata


def oai_dc(record: pymarc.Record, cluster_url: str) -> etree._Element:
    return dc_element(dc.dublin_core(record, cluster_url))


def dc_element(pairs: list[tuple[str, str]]) -> etree._Element:
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(SCHEMA_LOCATION, f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    for name, value in pairs:
        _sub(root, f"{{{DC}}}{name}", value)
    return root


def _leader(value: str) -> str:
    """The leader, with positions the schema constrains set to neutral values if broken."""
    value = (value + " " * 24)[:24]
    if _LEADER.fullmatch(value):
        return value
    keep = "".join(c if c.isascii() and c.isalnum() else " " for c in value)
    status = keep[5] if keep[5] != " " else "n"
    kind = keep[6] if keep[6] != " " else "a"
    return f"00000{status}{kind}{keep[7:9]}a2200000{keep[17:20]}4500"


def marcxml(record: pymarc.Record) -> etree._Element:
    m = f"{{{MARC}}}"
    root = etree.Element(m + "record", nsmap={"marc": MARC, "xsi": XSI})
    root.set(SCHEMA_LOCATION, f"{MARC} {provider.FORMATS['marc21'].schema}")
    root.set("type", "Bibliographic")
    _sub(root, m + "leader", _leader(clean(record.leader)))
    for field in record.fields:  # the schema wants every controlfield before any datafield
        if field.is_control_field() and _CONTROL_TAG.fullmatch(field.tag):
            _sub(root, m + "controlfield", field.data or "", tag=field.tag)
    for field in record.fields:
        if field.is_control_field() or not _DATA_TAG.fullmatch(field.tag):
            continue
        subfields = [s for s in field.subfields if _CODE.fullmatch(s.code)]
        if not subfields:
            continue
        ind1, ind2 = (
            i if _INDICATOR.fullmatch(i or "") else " "
            for i in (field.indicator1, field.indicator2)
        )
        datafield = _sub(root, m + "datafield", tag=field.tag, ind1=ind1, ind2=ind2)
        for s in subfields:
            _sub(datafield, m + "subfield", s.value, code=s.code)
    return root


# ------------------------------------------------------------------ verbs


def _header(parent: etree._Element, header: provider.Header) -> None:
    element = _sub(parent, _o("header"), **({"status": "deleted"} if header.deleted else {}))
    _sub(element, _o("identifier"), header.identifier)
    _sub(element, _o("datestamp"), utc(header.datestamp))
    for spec in header.set_specs:
        _sub(element, _o("setSpec"), spec)


def _record(parent: etree._Element, item: provider.Item, prefix: str, ctx: Context) -> None:
    element = _sub(parent, _o("record"))
    _header(element, item.header)
    if item.header.deleted:
        return
    public = item.collection_item
    if public is not None:
        page, files = ctx.collection_urls(public.id, [f.id for f in public.files])
        metadata = _sub(element, _o("metadata"))
        if prefix == "marc21":
            metadata.append(marcxml(repository_records.marc(public, page, files)))
        else:
            metadata.append(dc_element(repository_records.dublin_core(public, page, files)))
        return
    if item.marc is None:
        return
    metadata = _sub(element, _o("metadata"))
    if prefix == "marc21":
        metadata.append(marcxml(item.marc))
    else:
        metadata.append(oai_dc(item.marc, ctx.cluster_url(item.cluster_id)))


def _identify(parent: etree._Element, identity: provider.Identity, ctx: Context) -> None:
    _sub(parent, _o("repositoryName"), identity.name)
    _sub(parent, _o("baseURL"), ctx.base_url)
    _sub(parent, _o("protocolVersion"), "2.0")
    for email in identity.admin_emails:
        _sub(parent, _o("adminEmail"), email)
    _sub(parent, _o("earliestDatestamp"), utc(identity.earliest))
    _sub(parent, _o("deletedRecord"), "persistent")
    _sub(parent, _o("granularity"), "YYYY-MM-DDThh:mm:ssZ")
    if not _REPOSITORY_ID.fullmatch(identity.repository_identifier):
        return  # not a domain name: the identifiers do not follow the oai-identifier scheme
    description = _sub(parent, _o("description"))
    scheme = etree.SubElement(description, f"{{{IDENT}}}oai-identifier", nsmap={None: IDENT})
    scheme.set(SCHEMA_LOCATION, f"{IDENT} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd")
    for name, value in (
        ("scheme", "oai"),
        ("repositoryIdentifier", identity.repository_identifier),
        ("delimiter", ":"),
        ("sampleIdentifier", provider.oai_identifier(1)),
    ):
        _sub(scheme, f"{{{IDENT}}}{name}", value)


def _page(parent: etree._Element, page: provider.Page, ctx: Context) -> None:
    for item in page.items:
        if parent.tag == _o("ListRecords"):
            _record(parent, item, page.prefix, ctx)
        else:
            _header(parent, item.header)
    if page.split:
        attrib = {"completeListSize": str(page.complete_list_size), "cursor": str(page.cursor)}
        if page.expires is not None:
            attrib["expirationDate"] = utc(page.expires)
        _sub(parent, _o("resumptionToken"), page.token or "", **attrib)


def _result(root: etree._Element, outcome: provider.Outcome, ctx: Context) -> None:
    assert outcome.verb is not None
    body = _sub(root, _o(outcome.verb))
    result = outcome.result
    if isinstance(result, provider.Identity):
        _identify(body, result, ctx)
    elif isinstance(result, provider.Item):
        _record(body, result, outcome.request["metadataPrefix"], ctx)
    elif isinstance(result, provider.Page):
        _page(body, result, ctx)
    elif isinstance(result, list):
        for entry in result:
            if isinstance(entry, provider.MetadataFormat):
                element = _sub(body, _o("metadataFormat"))
                _sub(element, _o("metadataPrefix"), entry.prefix)
                _sub(element, _o("schema"), entry.schema)
                _sub(element, _o("metadataNamespace"), entry.namespace)
            elif isinstance(entry, sets.SetInfo):
                element = _sub(body, _o("set"))
                _sub(element, _o("setSpec"), entry.spec)
                _sub(element, _o("setName"), entry.name)


def response(outcome: provider.Outcome, ctx: Context, now: dt.datetime) -> bytes:
    """The whole OAI-PMH document for *outcome*, as UTF-8 bytes."""
    root = etree.Element(_o("OAI-PMH"), nsmap={None: OAI, "xsi": XSI})
    root.set(SCHEMA_LOCATION, f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    _sub(root, _o("responseDate"), utc(now))
    _sub(root, _o("request"), ctx.base_url, **outcome.request)
    for error in outcome.errors:
        _sub(root, _o("error"), error.message, code=error.code)
    if not outcome.errors:
        _result(root, outcome, ctx)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
