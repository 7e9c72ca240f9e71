"""MARC 21 → simple Dublin Core for the ``oai_dc`` format (OAI-PMH 2.0 §3.4 requires it).

Follows the Library of Congress "MARC to Dublin Core Crosswalk" (unqualified), with the
choices noted where it leaves room:

=========== =========================================================================
title       245 $a $b $f $g $k $n $p $s; 246 $a $b
creator     100, 110, 111, 700, 710, 711 (name parts, without relator $e/$4); 720 unless
            $e names another role (then contributor)
subject     600, 610, 611, 630, 648, 650, 653, 654, 656–658, 69X (subdivisions joined
            with " -- "); class numbers 050, 060, 080, 082
description 500–599 except 506, 530, 540, 546
publisher   260 $b; 264 $b with second indicator 1 (publication)
date        260 $c; 264 $c (publication, else copyright); else 008/07–10
type        Leader/06 (DCMI Type: Text, Image, Sound, Software, PhysicalObject,
            Collection), Leader/07 c or s → Collection; 655 $a
format      300 $a $b $c (extent); 340 $a; 856 $q
identifier  020 $a as ``urn:isbn:…``; 022 $a as ``urn:issn:…``; 024 $a; 856 $u; the
            cluster's page in LibCoop
language    008/35–37; 041 $a $b $d (three-letter MARC codes)
relation    530; 760–787 $t $o
coverage    651, 662, 751, 752
rights      506, 540
=========== =========================================================================
"""

from __future__ import annotations

import re

import pymarc

ORDER = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "language",
    "relation",
    "coverage",
    "rights",
)
_CONTROL_SUBFIELDS = set("0123456789")
_SUBDIVISIONS = set("vxyz")
_TYPES = {
    **dict.fromkeys("acdt", "Text"),
    **dict.fromkeys("efgk", "Image"),
    **dict.fromkeys("ij", "Sound"),
    "m": "Software",
    "o": "Collection",
    "p": "Collection",
    "r": "PhysicalObject",
}
_SUBJECT_TAGS = {"600", "610", "611", "630", "648", "650", "653", "654", "656", "657", "658"}
_CLASS_TAGS = ("050", "060", "080", "082")


def tidy(value: str) -> str:
    """Whitespace collapsed, ISBD punctuation at the end removed."""
    value = " ".join(value.split())
    return re.sub(r"[\s/:;,=.]+$", "", value)


def _text(field: pymarc.Field, codes: str | None = None, *, skip: str = "") -> str:
    parts = [
        s.value
        for s in field.subfields
        if (codes is None or s.code in codes)
        and s.code not in _CONTROL_SUBFIELDS
        and s.code not in skip
    ]
    return tidy(" ".join(p for p in parts if p))


def _heading(field: pymarc.Field) -> str:
    out = ""
    for s in field.subfields:
        if s.code in _CONTROL_SUBFIELDS or s.code in "e4":
            continue
        value = tidy(s.value)
        if value:
            out += (" -- " if out and s.code in _SUBDIVISIONS else " " if out else "") + value
    return out


def _fixed(record: pymarc.Record, start: int, end: int) -> str:
    field = record.get("008")
    data = field.data if field is not None and field.data else ""
    return data[start:end] if len(data) >= end else ""


def _creators(record: pymarc.Record, out: dict[str, list[str]]) -> None:
    for field in record.get_fields("100", "110", "111", "700", "710", "711", "720"):
        role = tidy(" ".join(field.get_subfields("e"))).casefold()
        element = "contributor" if field.tag == "720" and role not in ("", "author") else "creator"
        out[element].append(_text(field, skip="e4"))


def _dates_and_publishers(record: pymarc.Record, out: dict[str, list[str]]) -> None:
    published = [f for f in record.get_fields("264") if f.indicator2 == "1"]
    copyright_ = [f for f in record.get_fields("264") if f.indicator2 == "4"]
    for field in record.get_fields("260") + published:
        out["publisher"] += [tidy(v) for v in field.get_subfields("b")]
    for field in record.get_fields("260") + (published or copyright_):
        out["date"] += [tidy(v).strip("[]") for v in field.get_subfields("c")]
    year = _fixed(record, 7, 11)
    if not any(out["date"]) and year.isdigit():
        out["date"].append(year)


def _types(record: pymarc.Record, out: dict[str, list[str]]) -> None:
    leader = str(record.leader)
    if len(leader) > 7:
        if leader[6] in _TYPES:
            out["type"].append(_TYPES[leader[6]])
        if leader[7] in "cs":
            out["type"].append("Collection")
    for field in record.get_fields("655"):
        out["type"].append(_text(field, "a"))


def _identifiers(record: pymarc.Record, cluster_url: str, out: dict[str, list[str]]) -> None:
    for field in record.get_fields("020"):
        for value in field.get_subfields("a"):
            isbn = re.sub(r"[^0-9Xx]", "", value.split(" ")[0])
            if isbn:
                out["identifier"].append(f"urn:isbn:{isbn.upper()}")
    for field in record.get_fields("022"):
        for value in field.get_subfields("a"):
            out["identifier"].append(f"urn:issn:{tidy(value)}")
    for field in record.get_fields("024"):
        out["identifier"] += [tidy(v) for v in field.get_subfields("a")]
    for field in record.get_fields("856"):
        out["identifier"] += [v.strip() for v in field.get_subfields("u")]
    out["identifier"].append(cluster_url)


def _languages(record: pymarc.Record, out: dict[str, list[str]]) -> None:
    codes = [_fixed(record, 35, 38)]
    for field in record.get_fields("041"):
        for value in field.get_subfields("a", "b", "d"):
            compact = value.strip()
            codes += [compact[i : i + 3] for i in range(0, len(compact), 3)]
    out["language"] += [c.lower() for c in codes if re.fullmatch(r"[a-zA-Z]{3}", c)]


def dublin_core(record: pymarc.Record, cluster_url: str) -> list[tuple[str, str]]:
    """The ``(element, value)`` pairs of *record*, in ``ORDER``, without repeats."""
    out: dict[str, list[str]] = {name: [] for name in ORDER}
    for field in record.get_fields("245"):
        out["title"].append(_text(field, "abfgknps"))
    for field in record.get_fields("246"):
        out["title"].append(_text(field, "ab"))
    _creators(record, out)
    for field in record.fields:
        tag = field.tag
        if field.is_control_field() or not tag.isdigit():
            continue
        if tag in _SUBJECT_TAGS or tag.startswith("69"):
            out["subject"].append(_heading(field))
        elif tag in ("651", "662", "751", "752"):
            out["coverage"].append(_heading(field))
        elif tag.startswith("5") and tag not in ("506", "530", "540", "546"):
            out["description"].append(_text(field))
        elif tag == "530" or "760" <= tag <= "787":
            out["relation"].append(_text(field, "a" if tag == "530" else "to"))
        elif tag in ("506", "540"):
            out["rights"].append(_text(field, "a"))
    for field in record.get_fields(*_CLASS_TAGS):
        out["subject"] += [tidy(v) for v in field.get_subfields("a")]
    _dates_and_publishers(record, out)
    _types(record, out)
    for field in record.get_fields("300"):
        out["format"].append(_text(field, "abc"))
    for field in record.get_fields("340"):
        out["format"] += [tidy(v) for v in field.get_subfields("a")]
    for field in record.get_fields("856"):
        out["format"] += [tidy(v) for v in field.get_subfields("q")]
    _identifiers(record, cluster_url, out)
    _languages(record, out)
    pairs: list[tuple[str, str]] = []
    for name in ORDER:
        for value in dict.fromkeys(v for v in out[name] if v):
            pairs.append((name, value))
    return pairs
