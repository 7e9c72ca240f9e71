"""Writing the union catalog out: merged records with every library's holdings as 852."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import BinaryIO

import pymarc
from django.db.models import F, TextField
from django.db.models.functions import Cast
from pymarc import Field, Indicators, Subfield

from libcoop.catalog.models import BibRecord, Cluster, Holding

FORMATS = ("marcxml", "marc", "jsonl")


def record_from_json(marc: dict[str, object]) -> pymarc.Record:
    reader = pymarc.JSONReader(json.dumps(marc))
    return next(iter(reader))


def _holding_field(h: Holding) -> Field:
    subfields = [Subfield("a", h.library.code)]
    for code, value in (("b", h.location), ("h", h.call_number), ("p", h.barcode)):
        if value:
            subfields.append(Subfield(code, value))
    return Field(tag="852", indicators=Indicators(" ", " "), subfields=subfields)


def merged_marc(clusters: Sequence[Cluster]) -> dict[int, pymarc.Record]:
    """``{cluster id: merged record}`` for the active clusters among *clusters*: the fullest
    member record, 001 ``libcoop<id>``, an 035 per member record and an 852 per holding."""
    active = [c for c in clusters if c.active and c.merged.get("base_record")]
    base_ids = [c.merged["base_record"] for c in active]
    # The MARC-in-JSON as the database holds it: parsed once, by pymarc (not by the JSON
    # field, then written out and parsed again).
    bases = dict(
        BibRecord.objects.filter(id__in=base_ids)
        .annotate(marc_text=Cast("marc", TextField()))
        .values_list("id", "marc_text")
    )
    holdings: dict[int, list[Holding]] = defaultdict(list)
    # Only the holding's own columns, its library and its record's cluster: not the member
    # records themselves, whose MARC and raw bytes are the largest columns of the catalog.
    for h in (
        Holding.objects.filter(record__cluster_id__in=[c.pk for c in active], record__active=True)
        .select_related("library")
        .only("location", "call_number", "barcode", "library__code")
        .annotate(cluster_id=F("record__cluster_id"))
        .order_by("library__code", "id")
    ):
        holdings[h.cluster_id].append(h)
    out: dict[int, pymarc.Record] = {}
    for cluster in active:
        base = bases.get(cluster.merged["base_record"])
        if base is None:
            continue
        record = next(iter(pymarc.JSONReader(base)))
        record.remove_fields("001", "003", "852", "949")
        record.add_ordered_field(Field(tag="001", data=f"libcoop{cluster.pk}"))
        record.add_ordered_field(Field(tag="003", data="LibCoop"))
        for member in cluster.merged.get("records", []):
            record.add_ordered_field(
                Field(
                    tag="035",
                    indicators=Indicators(" ", " "),
                    subfields=[Subfield("a", f"({member['library']}){member['local_id']}")],
                )
            )
        for holding in holdings[cluster.pk]:
            record.add_ordered_field(_holding_field(holding))
        leader = str(record.leader)
        if len(leader) == 24:  # the record is Unicode now, whatever it came as
            record.leader = pymarc.Leader(leader[:9] + "a" + leader[10:])
        out[cluster.pk] = record
    return out


def merged_records(chunk: int = 1000) -> Iterator[tuple[Cluster, pymarc.Record]]:
    """Every active cluster with its merged record, in id order, a chunk at a time."""
    ids = list(Cluster.objects.filter(active=True).order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        clusters = list(Cluster.objects.filter(id__in=ids[start : start + chunk]).order_by("id"))
        records = merged_marc(clusters)
        for cluster in clusters:
            if cluster.pk in records:
                yield cluster, records[cluster.pk]


def export(fileobj: BinaryIO, fmt: str) -> int:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    count = 0
    if fmt == "marcxml":
        fileobj.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        fileobj.write(b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n')
    for _cluster, record in merged_records():
        if fmt == "marc":
            fileobj.write(record.as_marc())
        elif fmt == "jsonl":
            fileobj.write(json.dumps(record.as_dict(), ensure_ascii=False).encode() + b"\n")
        else:
            fileobj.write(pymarc.record_to_xml(record, namespace=False) + b"\n")
        count += 1
    if fmt == "marcxml":
        fileobj.write(b"</collection>\n")
    return count
