"""libcoop.catalog.marc.read_marc: ISO 2709 and MARCXML in, ParsedRecord/RecordProblem out."""

from __future__ import annotations

import io
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import pymarc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pymarc import Field, Indicators, Record, Subfield

from libcoop.catalog.marc import (
    REASONS,
    MarcItem,
    ParsedRecord,
    RecordProblem,
    read_marc,
    sniff_format,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "marc"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "marc"
MARC_NS = "http://www.loc.gov/MARC21/slim"


def items(path: str | Path, **kwargs: str) -> list[MarcItem]:
    return list(read_marc(DATA / path if isinstance(path, str) else path, **kwargs))


def only(path: str) -> MarcItem:
    (item,) = items(path)
    return item


def parsed(item: MarcItem) -> ParsedRecord:
    assert isinstance(item, ParsedRecord), item
    return item


def problem(item: MarcItem) -> RecordProblem:
    assert isinstance(item, RecordProblem), item
    return item


def make_record(
    i: int, *, title: str = "Title", leader: str = "00000nam a2200000 i 4500"
) -> Record:
    record = Record(leader=leader, force_utf8=True)
    record.add_field(Field(tag="001", data=f"rec{i:07d}"))
    record.add_field(
        Field(
            tag="245",
            indicators=Indicators("1", "0"),
            subfields=[Subfield("a", f"{title} {i} /"), Subfield("c", "Somebody.")],
        )
    )
    record.add_field(
        Field(tag="650", indicators=Indicators(" ", "0"), subfields=[Subfield("a", "Thai fiction")])
    )
    return record


# ----------------------------------------------------------------- ISO 2709: good files


def test_test_dat_gives_ten_good_records() -> None:
    result = items("pymarc/test.dat")
    assert [parsed(i).position for i in result] == list(range(1, 11))
    assert all(i.encoding == "marc-8" for i in result if isinstance(i, ParsedRecord))
    first = parsed(result[0])
    assert first.offset == 0
    assert first.record["245"]["a"] == "ActivePerl with ASP and ADO /"
    assert first.local_id == "fol05731351"  # 001 is "fol05731351 ", stripped
    data = (DATA / "pymarc/test.dat").read_bytes()
    assert b"".join(i.raw for i in result) == data  # lossless, nothing between records


def test_loongboonmee_thai_in_both_utf8_and_marc8_records() -> None:
    first, second = (parsed(i) for i in items("marc4j/loongboonmee.mrc"))
    assert first.encoding == "utf-8"
    assert second.encoding == "marc-8"
    for item in (first, second):
        assert item.record["245"]["6"] == "880-01"  # 245's Thai is in the linked 880
        (linked,) = [f for f in item.record.get_fields("880") if f["6"] == "245-01"]
        assert "ลุงบุญมี" in linked["a"]
        assert linked["a"] == "ลุงบุญมีระลึกชาติ."
    # record 2 carries the Thai as damaged NCRs (&#x0E25%x;) and says it was repaired
    assert any("numeric character reference" in w for w in second.warnings)
    assert first.record["880"]["a"] == second.record["880"]["a"]


def test_marc8_diacritics_are_decoded_and_composed() -> None:
    item = parsed(only("pymarc/marc8.dat"))
    assert item.encoding == "marc-8"
    assert item.record["240"]["a"] == "De la solitude \u00e0 la communaut\u00e9."


def test_utf8_flagged_and_unflagged_give_the_same_text() -> None:
    flagged = parsed(only("pymarc/utf8_with_leader_flag.dat"))
    unflagged = parsed(only("pymarc/utf8_without_leader_flag.dat"))
    expected = "De la solitude a\u0300 la communaute\u0301."  # decomposed as in the file
    assert flagged.encoding == "utf-8"
    assert flagged.record["240"]["a"] == expected
    assert unflagged.encoding == "marc-8->utf-8 mislabelled"
    assert unflagged.record["240"]["a"] == expected
    assert any("valid UTF-8" in w for w in unflagged.warnings)
    assert unflagged.record.leader[9] == " "  # the leader is left as the file has it


def test_marc8_data_under_a_utf8_flag_is_read_as_marc8() -> None:
    # The shared manifest: "MARC-8 accented characters but Ldr/09 = a (needs MARC-8
    # decoding despite flag)"; ruby-marc expects "Serreau, Geneviève." too.
    item = parsed(only("ruby-marc/marc8_accented_chars.marc"))
    assert item.encoding == "utf-8->marc-8 mislabelled"
    assert item.record["100"]["a"] == "Serreau, Genevi\u00e8ve."
    assert any("MARC-8" in w for w in item.warnings)


def test_invalid_utf8_that_is_not_marc8_either_is_salvaged_as_utf8() -> None:
    good = make_record(1, title="Cafe_ au lait").as_marc()
    assert good[9:10] == b"a"
    undefined = good.replace(b"Cafe_", b"Caf\xc9\xc9")  # undefined in MARC-8 too
    item = parsed(next(read_marc(io.BytesIO(undefined))))
    assert item.encoding == "utf-8"
    assert item.record["245"]["a"].startswith("Caf\ufffd")
    assert item.repairs and item.repairs[0].reason == "bad_encoding"


def test_ncr_for_a_lost_character_is_decoded_with_a_warning() -> None:
    item = parsed(only("ruby-marc/escaped_character_reference.marc8.marc"))
    assert item.record["260"]["a"] == "Rio de Janeiro escaped replacement char: \ufffd ."
    assert any("U+FFFD" in w for w in item.warnings)


def test_cyrillic_marc8_with_space_in_g0_is_fine() -> None:
    # pymarc complains on stderr about 0x20 in the Cyrillic set; a space is a space.
    first, second = (parsed(i) for i in items("marc4j/cyrillic_capital_e.mrc"))
    titles = [f["a"] for f in first.record.get_fields("880") if f["6"].startswith("245")]
    assert titles == ["Вор, шпион и убийца /"]
    assert any("'K'" in w for w in first.warnings)  # the damaged capital E, see README
    assert second.local_id


# ------------------------------------------------------------ ISO 2709: broken files


def test_bad_records_mrc_positions_and_reasons() -> None:
    # 8 records (the manifest says 7; pymarc's own test lists 8, the 7th has no fields).
    result = items("pymarc/bad_records.mrc")
    assert [i.position for i in result] == list(range(1, 9))
    reasons = {i.position: i.reason for i in result if isinstance(i, RecordProblem)}
    assert reasons == {
        2: "bad_leader",  # base address 99937 >= record length
        3: "bad_leader",  # base address 00000
        4: "bad_directory",  # directory length not a multiple of 12
        5: "bad_directory",  # non-ASCII byte in the directory
        6: "bad_leader",  # non-numeric base address f0037
        7: "no_fields",  # empty directory
    }
    for good in (result[0], result[7]):
        assert parsed(good).record["245"]["a"] == "The pragmatic programmer : "
    assert "f0037" in problem(result[5]).message
    data = (DATA / "pymarc/bad_records.mrc").read_bytes()
    for item in result:
        assert item.raw == data[item.offset : item.offset + len(item.raw)]
    assert [i.offset for i in result] == [0, 127, 254, 381, 509, 637, 764, 790]


@pytest.mark.parametrize(
    ("path", "reason", "detail"),
    [
        ("pymarc/testunimarc.dat", "not_marc21", "UNIMARC"),
        ("ruby-marc/cp866_unimarc.marc", "not_marc21", "leader/10-11"),
    ],
)
def test_broken_samples(path: str, reason: str, detail: str) -> None:
    item = problem(only(path))
    assert item.reason == reason
    assert item.reason in REASONS
    assert detail in item.message
    assert item.position == 1
    assert item.raw == (DATA / path).read_bytes().rstrip(b"\n \x00")


# ------------------------------------------------------------- salvage of local damage


@pytest.mark.parametrize(
    ("path", "local_id", "title", "repairs"),
    [
        # 020 with tag "0 2" and no indicators: the field is dropped
        (
            "pymarc/bad_indicator.dat",
            "426705",
            "Aristocrats of color : the Black elite, 1880-1920 /",
            {"bad_tag"},
        ),
        # 245 $a coded "á" (two UTF-8 bytes in a MARC-8 record): read as $a, and the fields
        # after it, one byte off the directory, located by their terminators
        (
            "pymarc/bad_subfield_code.dat",
            "fol05731351",
            "ActivePerl with ASP and ADO /",
            {"bad_subfield", "bad_directory"},
        ),
        # a subfield coded U+FFFD in 260: dropped
        (
            "pymarc/utf8_invalid.mrc",
            "144917",
            "The coming revolution in teacher licensure :",
            {"bad_subfield"},
        ),
        # stray ESC bytes where a letter was lost: U+FFFD
        (
            "pymarc/bad_marc8_escape.dat",
            "2429943",
            "Bulletin de la Soci\u00e9t\u00e9 linn\ufffdenne de Bordeaux.",
            {"bad_encoding"},
        ),
        # three EACC triples MARC-8 does not map, in an 880: U+FFFD
        (
            "pymarc/bad_eacc_encoding.dat",
            "ocn503001208",
            "Beikoku no t\u014dchi no shikumi",
            {"bad_encoding"},
        ),
    ],
)
def test_local_damage_is_salvaged_and_flagged(
    path: str, local_id: str, title: str, repairs: set[str]
) -> None:
    item = parsed(only(path))
    assert item.local_id == local_id
    assert " ".join(item.record["245"].get_subfields("a", "b")).startswith(title)
    assert {r.reason for r in item.repairs} == repairs
    assert all(r.detail for r in item.repairs)
    assert item.raw == (DATA / path).read_bytes().rstrip(b"\n \x00")  # kept as received


def test_salvage_details() -> None:
    dropped = parsed(only("pymarc/bad_indicator.dat"))
    assert not any("9780253325525" in f.value() for f in dropped.record.get_fields("020"))
    assert "9780253325525" in dropped.repairs[0].detail
    coded = parsed(only("pymarc/bad_subfield_code.dat"))
    assert coded.record["260"]["b"] == "John Wiley & Sons,"  # realigned
    assert coded.record["260"].indicators == pymarc.Indicators(" ", " ")
    eacc = parsed(only("pymarc/bad_eacc_encoding.dat"))
    assert "\ufffd" in eacc.record["880"]["a"]
    assert eacc.record["880"]["a"].startswith("\u7c73\u56fd\u306e")  # 米国の: the rest is kept
    escape = parsed(only("pymarc/bad_marc8_escape.dat"))
    assert "\x1b" not in str(escape.record)
    assert not any("U+FFFD" in w for w in escape.warnings)  # the repairs say it


def test_windows_1251_has_no_readable_title_and_stays_refused() -> None:
    data = (DATA / "pymarc/1251.dat").read_bytes()
    result = items("pymarc/1251.dat")
    assert len(result) == 6
    for item in result:
        bad = problem(item)
        assert bad.reason == "bad_encoding"
        assert "Windows-1251" in bad.message
        assert "no readable title" in bad.message
        assert bad.raw == data[bad.offset : bad.offset + len(bad.raw)]
        assert bad.local_id and bad.local_id.startswith("ru03-")
    # the bytes really are Windows-1251: a human (or a later tool) can recover them
    assert "Основы гидравлического расчета".encode("cp1251") in result[0].raw


def _leader(record: Record, counts: str) -> bytes:
    data = record.as_marc()
    return data[:10] + counts.encode() + data[12:]


@pytest.mark.parametrize("counts", ["  ", " 2", "2 "])
def test_blank_leader_10_11_is_read_as_22_and_flagged(counts: str) -> None:
    item = parsed(next(read_marc(io.BytesIO(_leader(make_record(1), counts)))))
    assert item.record.leader[10:12] == "22"
    assert [r.reason for r in item.repairs] == ["not_marc21"]
    assert item.raw[10:12] == counts.encode()


def test_other_leader_10_11_stays_not_marc21() -> None:
    item = problem(next(read_marc(io.BytesIO(_leader(make_record(1), "00")))))
    assert item.reason == "not_marc21"


def test_latin1_under_a_utf8_flag_is_salvaged_with_replacement_characters() -> None:
    good = make_record(1, title="Cafe_ au lait").as_marc()
    latin1 = good.replace(b"Cafe_", b"Caf\xe9 ")  # Latin-1 e-acute under an 'a' flag
    item = parsed(next(read_marc(io.BytesIO(latin1))))
    assert item.record["245"]["a"] == "Caf\ufffd  au lait 1 /"
    assert [r.reason for r in item.repairs] == ["bad_encoding"]
    assert "245 $a" in item.repairs[0].detail
    assert item.raw == latin1


def test_a_record_whose_title_is_lost_is_still_refused() -> None:
    good = make_record(1, title="Ab").as_marc()
    damaged = good.replace(b"Ab 1 /", b"\xff\xfe\xfd\xfc\xfb/")
    item = problem(next(read_marc(io.BytesIO(damaged))))
    assert item.reason == "bad_encoding"
    assert "no readable title" in item.message


def test_a_bad_tag_in_the_title_field_loses_the_title_and_is_refused() -> None:
    data = make_record(1).as_marc()
    at = data.index(b"245", 24)
    damaged = data[:at] + b"2?5" + data[at + 3 :]
    item = problem(next(read_marc(io.BytesIO(damaged))))
    assert "no readable title" in item.message


def test_utf8_errors_dat_is_a_good_utf8_record() -> None:
    item = parsed(only("pymarc/utf8_errors.dat"))
    assert item.encoding == "utf-8"
    assert (
        item.record["245"]["a"] == "[Imperial military middle school, S\u0323an\u02bba\u0304\u02be]"
    )


def test_windows_1251_is_reported_not_guessed_and_raw_is_kept() -> None:
    data = (DATA / "pymarc/1251.dat").read_bytes()
    result = items("pymarc/1251.dat")
    assert len(result) == 6
    for item in result:
        bad = problem(item)
        assert bad.reason == "bad_encoding"
        assert "Windows-1251" in bad.message
        assert bad.raw == data[bad.offset : bad.offset + len(bad.raw)]
        assert bad.local_id and bad.local_id.startswith("ru03-")
    # the bytes really are Windows-1251: a human (or a later tool) can recover them
    assert "Основы гидравлического расчета".encode("cp1251") in result[0].raw


# ------------------------------------------------------------- splitting & resyncing


def test_resynchronises_after_garbage_and_wrong_lengths() -> None:
    one = make_record(1).as_marc()
    two = make_record(2).as_marc()
    three = make_record(3).as_marc()
    wrong_length = b"99999" + two[5:]  # declared length is nonsense; terminator is right
    garbage = b"this is not a record\x1d"
    data = one + b"\r\n" + garbage + wrong_length + three + b"\n\n"
    result = list(read_marc(io.BytesIO(data)))
    assert [i.position for i in result] == [1, 2, 3, 4]
    assert parsed(result[0]).local_id == "rec0000001"
    assert problem(result[1]).reason == "bad_leader"
    assert problem(result[2]).reason == "bad_length"  # pymarc: TruncatedRecord
    assert problem(result[2]).local_id == "rec0000002"
    assert parsed(result[3]).local_id == "rec0000003"
    for item in result:
        assert item.raw == data[item.offset : item.offset + len(item.raw)]


def test_shorter_declared_length_is_a_warning() -> None:
    two = make_record(2).as_marc()
    short = b"%05d" % (len(two) - 3) + two[5:]
    item = parsed(next(read_marc(io.BytesIO(short))))
    assert any("leader says" in w for w in item.warnings)


def test_missing_terminator_at_end_of_file() -> None:
    one = make_record(1).as_marc()
    two = make_record(2).as_marc()
    three = make_record(3).as_marc()
    result = list(read_marc(io.BytesIO(one + two[:-1] + three + two[:-1])))
    assert [parsed(i).local_id for i in result] == [
        "rec0000001",
        "rec0000002",  # length + field terminator agree, next leader follows
        "rec0000003",
        "rec0000002",  # ... or the end of the file does
    ]
    assert any("terminator" in w for w in parsed(result[1]).warnings)
    assert result[1].raw == two[:-1]
    truncated = list(read_marc(io.BytesIO(one + two[:-40])))
    assert problem(truncated[1]).reason == "bad_length"
    assert truncated[1].raw == two[:-40]


def test_byte_order_mark_is_skipped_with_a_warning() -> None:
    data = b"\xef\xbb\xbf" + make_record(1).as_marc()
    item = parsed(next(read_marc(io.BytesIO(data))))
    assert item.offset == 3
    assert any("byte-order mark" in w for w in item.warnings)


def test_empty_and_blank_input_yield_nothing() -> None:
    assert list(read_marc(io.BytesIO(b""))) == []
    assert list(read_marc(io.BytesIO(b" \r\n\n"))) == []
    assert list(read_marc(io.BytesIO(b""), format="marcxml")) == []


# ---------------------------------------------------------------------------- MARCXML


def test_chabon_mrc_and_xml_agree() -> None:
    binary = [parsed(i) for i in items("marc4j/chabon.mrc")]
    xml = [parsed(i) for i in items("marc4j/chabon.xml")]
    assert [i.local_id for i in binary] == [i.local_id for i in xml] == ["11939876", "12883376"]
    for b, x in zip(binary, xml, strict=True):
        assert b.record["245"].value() == x.record["245"].value()
        assert b.record["001"].data == x.record["001"].data
    assert [i.offset for i in xml] == [2, 66]  # line of each <record>
    assert xml[0].encoding == "utf-8"
    rebuilt = pymarc.parse_xml_to_array(io.BytesIO(xml[1].raw))[0]  # raw is the element
    assert rebuilt["245"]["a"] == xml[1].record["245"]["a"]


def test_namespace_prefix_and_batch() -> None:
    for path in ("file_marc/namespace.xml", "pymarc/batch.xml"):
        result = [parsed(i) for i in items(path)]
        assert [i.local_id for i in result] == ["5637241", "12149120"]
        assert result[0].record["245"]["a"] == "The Great Ray Charles"
        assert result[0].raw.startswith(b"<marc:record")


def test_lone_record_with_bad_leader_is_salvaged() -> None:
    """A damaged MARCXML leader and a two-character tag: the fields are located by their
    elements, so the record is rebuilt (neutral leader, bad field dropped) and flagged."""
    item = parsed(only("pymarc/bad_tag.xml"))
    assert (item.position, item.offset) == (1, 2)
    assert [r.reason for r in item.repairs] == ["bad_leader", "bad_tag"]
    assert "17 characters" in item.repairs[0].detail
    assert "'42'" in item.repairs[1].detail
    assert item.record["245"]["a"] == "The Untamed"
    assert str(item.record.leader)[6:8] == "  "  # type of record unknown, not guessed
    assert item.raw.startswith(b"<ns0:record")


def test_lone_record_without_namespace() -> None:
    xml = pymarc.record_to_xml(make_record(7))  # <record> without namespace
    item = parsed(next(read_marc(io.BytesIO(b"\n  " + xml))))
    assert item.local_id == "rec0000007"
    assert item.record["245"]["a"] == "Title 7 /"


def _collection(*records: Record) -> bytes:
    body = b"\n".join(pymarc.record_to_xml(r, namespace=True) for r in records)
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="%s">\n%s\n</collection>\n'
        % (
            MARC_NS.encode(),
            body,
        )
    )


def test_not_well_formed_keeps_earlier_records_and_reports_the_line() -> None:
    data = _collection(make_record(1), make_record(2), make_record(3))
    cut = data.rfind(b"<record")  # break the third record
    broken = data[:cut] + b"<record><leader>oops</record>\n</collection>"
    result = list(read_marc(io.BytesIO(broken)))
    assert [parsed(i).local_id for i in result[:2]] == ["rec0000001", "rec0000002"]
    bad = problem(result[2])
    assert (bad.position, bad.reason) == (3, "not_well_formed_xml")
    assert bad.offset == broken.count(b"\n", 0, cut) + 1
    assert f"line {bad.offset}" in bad.message


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<collection xmlns="http://www.loc.gov/MARC21/slim">
 <record><leader>00000nam a2200000 i 4500</leader>
  <datafield tag="245" ind1="0" ind2="0"><subfield code="a">&lol9;</subfield></datafield>
 </record>
</collection>
"""

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE marc:collection [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<marc:collection xmlns:marc="http://www.loc.gov/MARC21/slim">
 <marc:record><marc:leader>00000nam a2200000 i 4500</marc:leader>
  <marc:controlfield tag="001">&xxe;</marc:controlfield>
 </marc:record>
</marc:collection>
"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, XXE], ids=["billion_laughs", "xxe"])
def test_hostile_xml_is_refused(document: bytes) -> None:
    (item,) = list(read_marc(io.BytesIO(document)))
    bad = problem(item)
    assert (bad.position, bad.reason, bad.offset) == (1, "hostile_xml", 2)
    assert "DOCTYPE" in bad.message
    assert b"root:" not in bad.raw


def test_doctype_hidden_behind_a_comment_is_still_refused() -> None:
    # The byte pre-scan stops at "<a" inside the comment; lxml's docinfo check catches it.
    document = XXE.replace(b"<!DOCTYPE", b"<!-- <a> -->\n<!DOCTYPE", 1)
    (item,) = list(read_marc(io.BytesIO(document)))
    assert problem(item).reason == "hostile_xml"


@pytest.mark.parametrize(
    ("inner", "reason"),
    [
        (
            '<datafield tag="245" ind1="1" ind2="0"><subfield>x</subfield></datafield>',
            "bad_subfield",
        ),
        ('<datafield ind1="1" ind2="0"><subfield code="a">x</subfield></datafield>', "bad_tag"),
        (
            '<datafield tag="24" ind1="1" ind2="0"><subfield code="a">x</subfield></datafield>',
            "bad_tag",
        ),
        (
            '<datafield tag="245" ind1="1" ind2="0"><subfield code="ab">x</subfield></datafield>',
            "bad_subfield",
        ),
        (
            '<datafield tag="245" ind1="10" ind2="0"><subfield code="a">x</subfield></datafield>',
            "bad_indicator",
        ),
    ],
)
def test_bad_marcxml_fields(inner: str, reason: str) -> None:
    leader = "<leader>00000nam a2200000 i 4500</leader>"
    good = f'<controlfield tag="001">ok1</controlfield>{leader}'
    doc = (
        f'<collection xmlns="{MARC_NS}">'
        f'<record>{leader}<controlfield tag="001">x1</controlfield>{inner}</record>'
        f"<record>{good}</record></collection>"
    ).encode()
    first, second = read_marc(io.BytesIO(doc))
    assert problem(first).reason == reason
    assert problem(first).local_id == "x1"
    assert parsed(second).local_id == "ok1"


def test_marcxml_record_without_leader() -> None:
    doc = f'<record xmlns="{MARC_NS}"><controlfield tag="001">x</controlfield></record>'
    assert problem(next(read_marc(io.BytesIO(doc.encode())))).reason == "bad_leader"


def test_xml_without_marc_records_is_not_marc21() -> None:
    doc = (
        b'<?xml version="1.0"?><ISO18626Message xmlns="http://illtransactions.org/2013/iso18626"/>'
    )
    assert problem(next(read_marc(io.BytesIO(doc)))).reason == "not_marc21"
    empty = b'<collection xmlns="http://www.loc.gov/MARC21/slim"></collection>'
    assert list(read_marc(io.BytesIO(empty))) == []


# ----------------------------------------------------------------- sniffing and API


def test_sniffing_and_format_override() -> None:
    assert sniff_format(b"  \n<?xml") == "marcxml"
    assert sniff_format(b"\xef\xbb\xbf<collection") == "marcxml"
    assert sniff_format(b"00714cam a22") == "iso2709"
    assert sniff_format(b" \n") is None
    xml = (DATA / "marc4j/chabon.xml").read_bytes()
    padded = [parsed(i) for i in read_marc(io.BytesIO(b"\n\n   " + xml))]
    assert [i.offset for i in padded] == [4, 68]  # blank lines before <?xml tolerated
    forced = list(read_marc(io.BytesIO(xml), format="iso2709"))
    assert all(isinstance(i, RecordProblem) for i in forced)
    with pytest.raises(ValueError, match="unknown MARC format"):
        read_marc(io.BytesIO(xml), format="json")  # raised at the call, not lazily
    assert len(list(read_marc(str(DATA / "marc4j/chabon.mrc"), format="marc"))) == 2


class ReadSpy(io.RawIOBase):
    """A non-seekable stream that refuses read(-1) and counts what was read."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and 0 < size <= 1 << 20, f"read({size}) would slurp"
        chunk = self._data.read(size)
        self.consumed += len(chunk)
        return chunk


# ------------------------------------------------------------------------- streaming


def _warm_up() -> None:
    # first use imports modules lazily (lxml, xml.sax, ...); keep that out of the budget
    list(read_marc(DATA / "pymarc/test.dat"))
    list(read_marc(DATA / "marc4j/chabon.xml"))


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            import os

            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return None


@pytest.fixture(scope="module")
def big_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("big_marc")
    iso, xml = folder / "big.mrc", folder / "big.xml"
    with open(iso, "wb") as fh:
        writer = pymarc.MARCWriter(fh)
        for i in range(20_000):
            writer.write(make_record(i, title="ลุงบุญมีระลึกชาติ title"))
    with open(xml, "wb") as fh:
        xml_writer = pymarc.XMLWriter(fh)
        for i in range(20_000):
            xml_writer.write(make_record(i, title="ลุงบุญมีระลึกชาติ title"))
        xml_writer.close(close_fh=False)
    return {"iso2709": iso, "marcxml": xml}


@pytest.mark.parametrize("fmt", ["iso2709", "marcxml"])
def test_streams_20000_records_in_bounded_memory(fmt: str, big_files: dict[str, Path]) -> None:
    path = big_files[fmt]
    size = path.stat().st_size
    _warm_up()
    rss_before = _rss_bytes()
    rss_peak = rss_before or 0
    count = 0
    tracemalloc.start()
    try:
        for item in read_marc(path):
            assert isinstance(item, ParsedRecord)
            count += 1
            assert item.position == count
            if count % 2000 == 0:
                rss_peak = max(rss_peak, _rss_bytes() or 0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < size / 4, f"peak {peak} bytes for a {size}-byte file"
    if rss_before is not None:  # libxml2's tree is invisible to tracemalloc
        assert rss_peak - rss_before < size / 2


@pytest.mark.parametrize("fmt", ["iso2709", "marcxml"])
def test_never_reads_the_whole_file(fmt: str, big_files: dict[str, Path]) -> None:
    data = big_files[fmt].read_bytes()
    spy = ReadSpy(data)
    stream = read_marc(cast(BinaryIO, spy))  # a RawIOBase is a fine BinaryIO
    first = next(stream)
    assert parsed(first).local_id == "rec0000000"
    assert spy.consumed < len(data) / 10
    assert sum(1 for _ in stream) == 19_999


# -------------------------------------------------------------------------- fuzzing

FUZZ_BASES = [
    (DATA / "pymarc/one.dat").read_bytes(),
    (DATA / "pymarc/marc8.dat").read_bytes(),
    (DATA / "marc4j/loongboonmee.mrc").read_bytes()[:2795],  # the UTF-8 Thai record
    (DATA / "pymarc/bad_eacc_encoding.dat").read_bytes(),
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(FUZZ_BASES)))
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["set", "insert", "delete", "truncate", "special"]))
        if kind == "set":
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif kind == "truncate":
            del data[at:]
        else:  # structural bytes are the interesting ones
            data[at] = draw(st.sampled_from([0x1B, 0x1D, 0x1E, 0x1F, 0x20, 0x30, 0x61, 0xE1]))
    if draw(st.booleans()):
        data += draw(st.sampled_from(FUZZ_BASES))  # a good record after the damage
    return bytes(data)


def _assert_well_behaved(data: bytes, result: list[MarcItem]) -> None:
    assert [i.position for i in result] == list(range(1, len(result) + 1))
    for item in result:
        assert isinstance(item, ParsedRecord | RecordProblem)
        if isinstance(item, RecordProblem):
            assert item.reason in REASONS
        elif sniff_format(data) == "iso2709":
            assert item.encoding in {
                "utf-8",
                "marc-8",
                "marc-8->utf-8 mislabelled",
                "utf-8->marc-8 mislabelled",
            }


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_fuzzed_iso2709_never_raises(data: bytes) -> None:
    result = list(read_marc(io.BytesIO(data)))
    _assert_well_behaved(data, result)
    if sniff_format(data) == "iso2709":
        for item in result:
            assert item.raw == data[item.offset : item.offset + len(item.raw)]
        assert sum(len(i.raw) for i in result) <= len(data)


XML_BASE = (DATA / "marc4j/chabon.xml").read_bytes()


@settings(max_examples=150, deadline=None, database=None)
@given(st.data())
def test_fuzzed_marcxml_never_raises(data: st.DataObject) -> None:
    doc = bytearray(XML_BASE)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(doc) - 1))
        doc[at] = data.draw(st.sampled_from(list(b'<>/&"= ax\x00\xff\n')))
    result = list(read_marc(io.BytesIO(bytes(doc))))
    _assert_well_behaved(bytes(doc), result)


# --------------------------------------------------------- every shared sample file

# Expected problems per shared file (position -> reason); every other record must parse.
EXPECTED_PROBLEMS: dict[str, dict[int, str]] = {
    "pymarc/bad_records.mrc": {
        2: "bad_leader",
        3: "bad_leader",
        4: "bad_directory",
        5: "bad_directory",
        6: "bad_leader",
        7: "no_fields",
    },
    "pymarc/1251.dat": dict.fromkeys(range(1, 7), "bad_encoding"),
    "pymarc/testunimarc.dat": {1: "not_marc21"},
    "ruby-marc/cp866_multirecord.marc": {1: "not_marc21", 2: "not_marc21"},
    "ruby-marc/cp866_unimarc.marc": {1: "not_marc21"},
    # MARC-8/UTF-8 string pairs, one per line: not MARC records at all
    "pymarc/test_marc8.txt": {1: "bad_length"},
    "pymarc/test_utf8.txt": {1: "bad_length"},
}
# Marked BROKEN in MANIFEST.md but a good record when read as its leader says (README).
MANIFEST_BROKEN_BUT_GOOD = {"pymarc/utf8_errors.dat"}
# Marked BROKEN, and loaded with their local damage repaired and flagged (salvage).
SALVAGED = {
    "pymarc/bad_indicator.dat": {1},
    "pymarc/bad_subfield_code.dat": {1},
    "pymarc/utf8_invalid.mrc": {1},
    "pymarc/bad_marc8_escape.dat": {1},
    "pymarc/bad_eacc_encoding.dat": {1},
    "pymarc/bad_tag.xml": {1},
}


def independent_count(path: Path) -> int:
    """Number of records, counted without read_marc."""
    data = path.read_bytes()
    if path.suffix == ".xml":
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(data, parser)
        tags = {f"{{{MARC_NS}}}record", "record"}
        return sum(1 for el in root.iter() if el.tag in tags) or 0
    count = data.count(b"\x1d")
    tail = data[data.rfind(b"\x1d") + 1 :]
    return count + (1 if tail.strip(b" \t\r\n\x00\x1a") else 0)


def shared_files() -> Iterator[Path]:
    return iter(sorted(p for p in SHARED.rglob("*") if p.is_file()))


@pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"shared sample data not found at {SHARED} (../shared beside the project)",
)
def test_every_shared_marc_file() -> None:
    seen = set()
    for path in shared_files():
        name = path.relative_to(SHARED).as_posix()
        seen.add(name)
        result = list(read_marc(path))
        expected = EXPECTED_PROBLEMS.get(name, {})
        assert len(result) == independent_count(path), name
        assert [i.position for i in result] == list(range(1, len(result) + 1)), name
        for item in result:
            if item.position in expected:
                assert isinstance(item, RecordProblem), (name, item.position)
                assert item.reason == expected[item.position], (name, item)
            else:
                assert isinstance(item, ParsedRecord), (name, item)
                assert bool(item.repairs) == (item.position in SALVAGED.get(name, ())), name
            if path.suffix != ".xml":
                data = path.read_bytes()
                assert item.raw == data[item.offset : item.offset + len(item.raw)], name
    assert set(EXPECTED_PROBLEMS) <= seen
    manifest = SHARED.parent / "MANIFEST.md"
    if manifest.is_file():
        broken = set(re.findall(r"^\| `marc/([^`]+)` \|.*\| BROKEN", manifest.read_text(), re.M))
        assert broken, "MANIFEST.md format changed"
        assert broken - MANIFEST_BROKEN_BUT_GOOD <= set(EXPECTED_PROBLEMS) | set(SALVAGED)
