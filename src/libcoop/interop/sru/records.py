"""The records an SRU response carries: a cluster's merged MARC record as MARCXML or DC.

Record schemas (SRU 1.2 "Record schemas" list; the same identifiers in SRU 2.0):

* ``info:srw/schema/1/marcxml-v1.1`` (short name ``marcxml``): MARC 21 slim, namespace
  ``http://www.loc.gov/MARC21/slim``, valid against ``MARC21slim.xsd``;
* ``info:srw/schema/1/dc-v1.1`` (short name ``dc``): SRU Dublin Core, a ``srw_dc:dc``
  container (namespace ``info:srw/schema/1/dc-schema``) of DCMI simple elements, mapped
  from MARC after the Library of Congress "MARC to Dublin Core Crosswalk".

The merged record is the one ``catalog.export.merged_marc`` builds for the export: the
cluster's fullest member record, 001 ``libcoop<id>``, an 035 per member record and an 852
per holding.
"""

from __future__ import annotations

from dataclasses import dataclass

import pymarc
from lxml import etree
from pymarc import Field, Indicators

from libcoop.catalog.identifiers import normalise_isbn, normalise_issn
from libcoop.catalog.models import Cluster
from libcoop.interop.sru.xml import add, clean
from libcoop.textsearch.keys import strip_isbd

MARC_NS = "http://www.loc.gov/MARC21/slim"
SRW_DC_NS = "info:srw/schema/1/dc-schema"
DC_NS = "http://purl.org/dc/elements/1.1/"


@dataclass(frozen=True)
class Schema:
    identifier: str
    name: str
    title: str
    namespace: str
    aliases: tuple[str, ...] = ()


MARCXML = Schema(
    "info:srw/schema/1/marcxml-v1.1",
    "marcxml",
    "MARC 21 slim (MARCXML)",
    MARC_NS,
    ("marcxml", "marc21", "marc", "info:srw/schema/1/marcxml-v1.1-light", MARC_NS),
)
DC = Schema(
    "info:srw/schema/1/dc-v1.1",
    "dc",
    "Dublin Core (SRU)",
    SRW_DC_NS,
    ("dc", "info:srw/schema/1/dc-schema", "http://purl.org/dc/elements/1.1/"),
)
SCHEMAS = (MARCXML, DC)


def schema_named(name: str) -> Schema | None:
    """A supported schema by identifier, short name or common alias (case-insensitive)."""
    wanted = name.strip().lower()
    for schema in SCHEMAS:
        if wanted == schema.identifier.lower() or wanted in (a.lower() for a in schema.aliases):
            return schema
    return None


# --- MARCXML ------------------------------------------------------------------------------


def _indicator(value: str) -> str:
    value = (value or " ")[:1]
    return value if value.isascii() and (value.isdigit() or value.islower()) else " "


def marcxml(record: pymarc.Record) -> etree._Element:
    """``<marc:record>`` built element by element (MARC21slim.xsd ``recordType``)."""
    root = etree.Element(f"{{{MARC_NS}}}record", nsmap={"marc": MARC_NS})
    root.set("type", "Bibliographic")
    leader = str(record.leader).ljust(24)[:24]
    add(root, f"{{{MARC_NS}}}leader", leader[:9] + "a" + leader[10:])
    for f in record.fields:
        if f.is_control_field():
            add(root, f"{{{MARC_NS}}}controlfield", f.data or "", tag=f.tag)
            continue
        ind1, ind2 = (f.indicators or Indicators(" ", " "))[:2]
        datafield = add(
            root, f"{{{MARC_NS}}}datafield", tag=f.tag, ind1=_indicator(ind1), ind2=_indicator(ind2)
        )
        for sub in f.subfields:
            add(datafield, f"{{{MARC_NS}}}subfield", sub.value, code=sub.code)
    return root


# --- Dublin Core ----------------------------------------------------------------------------

_TYPES = {"a": "Text", "c": "Text", "d": "Text", "t": "Text", "e": "Image", "f": "Image"}
_TYPES |= {"g": "MovingImage", "k": "StillImage", "i": "Sound", "j": "Sound", "m": "Software"}
_TYPES |= {"o": "Collection", "p": "Collection", "r": "PhysicalObject"}


def _joined(f: Field, codes: str, sep: str = " ") -> str:
    return strip_isbd(sep.join(strip_isbd(s.value) for s in f.subfields if s.code in codes))


def dublin_core(record: pymarc.Record, cluster: Cluster, url: str) -> etree._Element:
    """``<srw_dc:dc>`` after the LoC MARC to Dublin Core crosswalk (unqualified)."""
    root = etree.Element(f"{{{SRW_DC_NS}}}dc", nsmap={"srw_dc": SRW_DC_NS, "dc": DC_NS})
    values: list[tuple[str, str]] = []
    for f in record.get_fields("245"):
        values.append(("title", _joined(f, "abfgknps")))
    for tags, element in (
        (("100", "110", "111"), "creator"),
        (("700", "710", "711"), "contributor"),
    ):
        values += [(element, _joined(f, "abcdq")) for f in record.get_fields(*tags)]
    subject_tags = ("600", "610", "611", "630", "650", "651", "653")
    values += [
        ("subject", _joined(f, "abcdqtvxyz", " -- ")) for f in record.get_fields(*subject_tags)
    ]
    values += [("description", _joined(f, "a")) for f in record.get_fields("500", "520")]
    for f in record.get_fields("260", "264"):
        if f.tag == "260" or f.indicator2 == "1":
            values += [("publisher", _joined(f, "b")), ("date", _joined(f, "c"))]
    if not any(name == "date" and v for name, v in values) and cluster.year:
        values.append(("date", str(cluster.year)))
    values.append(("type", _TYPES.get(str(record.leader)[6:7], "Text")))
    for f in record.get_fields("020"):
        isbn = normalise_isbn(" ".join(f.get_subfields("a")))
        values += [("identifier", f"URN:ISBN:{isbn}")] if isbn else []
    for f in record.get_fields("022"):
        issn = normalise_issn(" ".join(f.get_subfields("a")))
        values += [("identifier", f"URN:ISSN:{issn}")] if issn else []
    values.append(("identifier", url))
    if cluster.language:
        values.append(("language", cluster.language))
    seen: set[tuple[str, str]] = set()
    for name, value in values:
        value = clean(value).strip()
        if value and (name, value) not in seen:
            seen.add((name, value))
            add(root, f"{{{DC_NS}}}{name}", value)
    return root


__all__ = ["DC", "MARCXML", "SCHEMAS", "Schema", "dublin_core", "marcxml"]
