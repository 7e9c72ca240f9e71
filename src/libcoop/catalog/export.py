"""Writing the union catalog out: merged records with every library's holdings as 852."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import BinaryIO

import pymarc
from pymarc import Field, Indicators, Subfield

from libcoop.catalog.models import BibRecord, Cluster, Holding

FORMATS = ("marcxml", "marc", "jsonl")


def record_from_json(marc: dict[str, object]) -> pymarc.Record:
    reader = pymarc.JSONReader(json.dumps(marc))
    return next(iter(reader))


def merged_records(chunk: int = 1000) -> Iterator[tuple[Cluster, pymarc.Record]]:
    """Each active cluster as one MARC record: the fullest member record, our 001, an 035 per
    member record and an 852 per holding library."""
    ids = list(Cluster.objects.filter(active=True).order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        clusters = list(Cluster.objects.filter(id__in=ids[start : start + chunk]).order_by("id"))
        base_ids = [c.merged.get("base_record") for c in clusters]
        bases = {r.pk: r for r in BibRecord.objects.filter(id__in=base_ids).only("id", "marc")}
        holdings: dict[int, list[Holding]] = defaultdict(list)
        for h in (
            Holding.objects.filter(
                record__cluster_id__in=[c.pk for c in clusters], record__active=True
            )
            .select_related("library", "record")
            .order_by("library__code", "id")
        ):
            holdings[h.record.cluster_id].append(h)  # type: ignore[index]
        for cluster in clusters:
            base = bases.get(cluster.merged.get("base_record"))
            if base is None:
                continue
            record = record_from_json(base.marc)
            record.remove_fields("001", "003", "852", "949")
            record.add_ordered_field(pymarc.Field(tag="001", data=f"libcoop{cluster.pk}"))
            record.add_ordered_field(pymarc.Field(tag="003", data="LibCoop"))
            for member in cluster.merged.get("records", []):
                record.add_ordered_field(
                    Field(
                        tag="035",
                        indicators=Indicators(" ", " "),
                        subfields=[Subfield("a", f"({member['library']}){member['local_id']}")],
                    )
                )
            for h in holdings[cluster.pk]:
                subfields = [Subfield("a", h.library.code)]
                if h.location:
                    subfields.append(Subfield("b", h.location))
                if h.call_number:
                    subfields.append(Subfield("h", h.call_number))
                if h.barcode:
                    subfields.append(Subfield("p", h.barcode))
                record.add_ordered_field(
                    Field(tag="852", indicators=Indicators(" ", " "), subfields=subfields)
                )
            record.leader = pymarc.Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
            yield cluster, record


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
