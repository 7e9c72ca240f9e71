"""Building small MARC records and files for catalog tests."""

from __future__ import annotations

from pathlib import Path

from pymarc import Field, Indicators, Leader, MARCWriter, Record, Subfield


def book(
    local_id: str,
    title: str,
    *,
    author: str | None = "Smith, John.",
    isbn: str | None = None,
    year: int = 2019,
    pages: int | None = 250,
    nonfiling: int = 0,
    subtitle: str | None = None,
    issn: str | None = None,
    deleted: bool = False,
    lang: str = "eng",
    leader_type: str = "am",
    call_number: str | None = None,
) -> Record:
    record = Record(force_utf8=True)
    record.leader = Leader(f"00000{'d' if deleted else 'n'}{leader_type} a2200000 i 4500")
    record.add_field(Field(tag="001", data=local_id))
    record.add_field(Field(tag="008", data=f"190101s{year}    th a          000 0 {lang} d"))
    if isbn:
        record.add_field(
            Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)])
        )
    if issn:
        record.add_field(
            Field(tag="022", indicators=Indicators(" ", " "), subfields=[Subfield("a", issn)])
        )
    if author:
        record.add_field(
            Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author)])
        )
    subs = [Subfield("a", title + (" :" if subtitle else " /"))]
    if subtitle:
        subs.append(Subfield("b", subtitle + " /"))
    record.add_field(Field(tag="245", indicators=Indicators("1", str(nonfiling)), subfields=subs))
    record.add_field(
        Field(
            tag="264",
            indicators=Indicators(" ", "1"),
            subfields=[
                Subfield("a", "Bangkok :"),
                Subfield("b", "Press,"),
                Subfield("c", str(year)),
            ],
        )
    )
    if pages:
        record.add_field(
            Field(
                tag="300", indicators=Indicators(" ", " "), subfields=[Subfield("a", f"{pages} p.")]
            )
        )
    record.add_field(
        Field(tag="650", indicators=Indicators(" ", "0"), subfields=[Subfield("a", "Libraries.")])
    )
    if call_number:
        record.add_field(
            Field(
                tag="852",
                indicators=Indicators(" ", " "),
                subfields=[
                    Subfield("b", "Main"),
                    Subfield("h", call_number),
                    Subfield("p", "3900"),
                ],
            )
        )
    return record


def write(path: Path, *records: Record) -> Path:
    with open(path, "wb") as fh:
        writer = MARCWriter(fh)
        for r in records:
            writer.write(r)
    return path
