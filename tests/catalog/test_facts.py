"""extract_facts on records built in code (incl. Thai) and on real MARC files."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from pymarc import Field, Indicators, MARCReader, Record, Subfield

from libcoop.catalog.facts import BibFacts, extract_facts, record_format, trim_isbd

MARC_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "marc"

BOOK_LEADER = "00000nam a2200000 i 4500"
# 008 for a Thai book: entered 2019-01-01, single date 2562 (BE, as Thai libraries
# often key it), place "th ", language (35-37) "tha".
THAI_008 = "190101s2562    th " + " " * 17 + "tha d"


def _field(tag: str, ind: str, *subfields: tuple[str, str]) -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(ind[0], ind[1]),
        subfields=[Subfield(code, value) for code, value in subfields],
    )


def _record(leader: str = BOOK_LEADER, *fields: Field) -> Record:
    record = Record(leader=leader)
    for field in fields:
        record.add_field(field)
    return record


def _thai_record(field_008: str = THAI_008, imprint_year: str = "2562") -> Record:
    return _record(
        BOOK_LEADER,
        Field(tag="001", data="b1234567"),
        Field(tag="008", data=field_008),
        _field("020", "  ", ("a", "978-616-00-1234-3 (ปกอ่อน)"), ("c", "350 บาท")),
        _field("020", "  ", ("z", "974-13-1234-3")),
        _field("035", "  ", ("a", "(OCoLC)on1234567890")),
        _field("100", "0 ", ("a", "สมชาย ใจดี."), ("e", "ผู้แต่ง")),
        _field(
            "245",
            "10",
            ("a", "ห้องสมุดสีเขียว :"),
            ("b", "แนวคิดและการปฏิบัติ /"),
            ("c", "สมชาย ใจดี."),
        ),
        _field("250", "  ", ("a", "พิมพ์ครั้งที่ 2.")),
        _field(
            "264",
            " 1",
            ("a", "กรุงเทพฯ :"),
            ("b", "สมาคมห้องสมุดแห่งประเทศไทยฯ,"),
            ("c", imprint_year),
        ),
        _field("300", "  ", ("a", "ก-ฎ, 256 หน้า :"), ("b", "ภาพประกอบ ;"), ("c", "21 ซม.")),
        _field("490", "0 ", ("a", "ชุดห้องสมุดสีเขียว ;"), ("v", "เล่ม 3")),
        _field("650", " 7", ("a", "ห้องสมุดสีเขียว"), ("z", "ไทย."), ("2", "local")),
        _field("650", " 4", ("a", "การอนุรักษ์พลังงาน.")),
        _field("700", "0 ", ("a", "วิมลรัตน์ ศรีสุข,"), ("e", "บรรณาธิการ.")),
    )


def _nonspacing_marks(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch) == "Mn")


class TestThaiRecord:
    def test_facts(self) -> None:
        facts = extract_facts(_thai_record())
        assert facts.local_id == "b1234567"
        assert facts.format == "book"
        assert facts.language == "tha"
        assert facts.title == "ห้องสมุดสีเขียว : แนวคิดและการปฏิบัติ"
        assert facts.title_sort == facts.title  # second indicator 0
        assert facts.statement_of_responsibility == "สมชาย ใจดี"
        assert facts.main_author == "สมชาย ใจดี"
        assert facts.other_authors == ("วิมลรัตน์ ศรีสุข",)
        assert facts.publisher == "สมาคมห้องสมุดแห่งประเทศไทยฯ"
        assert facts.place == "กรุงเทพฯ"
        assert facts.year == 2019  # 008 Date1 2562 BE
        assert facts.pages == 256
        assert facts.isbns == ("9786160012343",)
        assert facts.invalid_isbns == ("9741312343",)
        assert facts.oclc_numbers == ("1234567890",)
        assert facts.subjects == ("ห้องสมุดสีเขียว -- ไทย", "การอนุรักษ์พลังงาน")
        assert facts.edition == "พิมพ์ครั้งที่ 2"
        assert facts.series == ("ชุดห้องสมุดสีเขียว ; เล่ม 3",)
        assert facts.deleted is False

    def test_vowel_and_tone_marks_survive(self) -> None:
        title = "ห้องสมุดสีเขียว : แนวคิดและการปฏิบัติ /"
        facts = extract_facts(_thai_record())
        # ้ ุ ี ิ ั are category Mn; a \\W-based cleaner would have dropped them.
        assert _nonspacing_marks(facts.title) == _nonspacing_marks(title) > 0

    def test_year_falls_back_to_imprint_in_thai_digits(self) -> None:
        no_date_008 = "190101nuuuuuuuuth " + " " * 17 + "tha d"
        facts = extract_facts(_thai_record(no_date_008, imprint_year="พ.ศ. ๒๕๖๒"))
        assert facts.year == 2019

    def test_language_falls_back_to_041(self) -> None:
        record = _record(
            BOOK_LEADER,
            Field(tag="008", data="190101s2019    th " + " " * 17 + "    d"),
            _field("041", "0 ", ("a", "thaeng")),  # pre-2001 run-together codes
            _field("245", "00", ("a", "Bilingual.")),
        )
        assert extract_facts(record).language == "tha"


class TestEnglishRecord:
    def test_title_sort_and_isbd_trimming(self) -> None:
        record = _record(
            BOOK_LEADER,
            _field("245", "14", ("a", "The title /"), ("c", "by X.")),
        )
        facts = extract_facts(record)
        assert facts.title == "The title"
        assert facts.title_sort == "title"  # 4 non-filing characters: "The "
        assert facts.statement_of_responsibility == "by X."  # initial's period kept

    def test_title_parts_and_medium_designator(self) -> None:
        record = _record(
            "00000cgm a2200000 a 4500",
            _field(
                "245",
                "00",
                ("a", "Main title."),
                ("n", "Part 2,"),
                ("p", "The sequel"),
                ("h", "[videorecording] :"),
                ("b", "a story /"),
                ("c", "X."),
            ),
        )
        facts = extract_facts(record)
        assert facts.title == "Main title. Part 2, The sequel : a story"
        assert facts.format == "video"

    def test_names_imprint_series_subjects(self) -> None:
        record = _record(
            BOOK_LEADER,
            Field(tag="001", data="  ocm00012345 "),
            Field(tag="003", data="OCoLC"),
            _field("110", "1 ", ("a", "United States."), ("b", "Congress.")),
            _field("245", "10", ("a", "Hearing.")),
            _field("260", "  ", ("a", "[S.l. :"), ("b", "s.n.,"), ("c", "[1998?]")),
            _field("035", "  ", ("a", "(DLC)   98012345")),
            _field("035", "  ", ("a", "(OCoLC)ocm12345")),
            _field("010", "  ", ("a", "   98-12345 ")),
            _field("022", "0 ", ("a", "0317-8471")),
            _field("022", "0 ", ("a", "0317-8472")),
            _field("490", "1 ", ("a", "Serial set ;"), ("v", "v. 3")),
            _field("830", " 0", ("a", "Serial set ;"), ("v", "v. 3.")),
            _field(
                "600",
                "10",
                ("a", "Lincoln, Abraham,"),
                ("d", "1809-1865"),
                ("e", "depicted."),
                ("x", "Assassination."),
                ("0", "http://id.loc.gov/authorities/names/n79006779"),
            ),
            _field("650", " 0", ("a", "Comic books, strips, etc."), ("v", "Fiction.")),
            _field("653", "  ", ("a", "libraries"), ("a", "energy")),
            _field("711", "2 ", ("a", "Conference on Green Libraries"), ("d", "(2019)")),
        )
        facts = extract_facts(record)
        assert facts.main_author == "United States. Congress"
        assert facts.other_authors == ("Conference on Green Libraries",)
        assert facts.place is None  # [S.l.] = place unknown
        assert facts.publisher is None  # s.n. = publisher unknown
        assert facts.year == 1998  # no 008: from 260 $c
        assert facts.oclc_numbers == ("12345",)  # 035 and 001/003 agree, kept once
        assert facts.lccn == "98012345"
        assert facts.issns == ("0317-8471",)  # wrong check digit dropped
        assert facts.series == ("Serial set ; v. 3",)  # 490 and 830 agree
        assert facts.subjects == (
            "Lincoln, Abraham, 1809-1865 -- Assassination",
            "Comic books, strips, etc. -- Fiction",
            "libraries",
            "energy",
        )
        assert facts.local_id == "ocm00012345"

    def test_264_publication_preferred_over_copyright(self) -> None:
        record = _record(
            BOOK_LEADER,
            _field("245", "00", ("a", "Book.")),
            _field("264", " 4", ("c", "©2018")),
            _field("264", " 1", ("a", "Chiang Mai :"), ("b", "Silkworm Books,"), ("c", "[2019]")),
        )
        facts = extract_facts(record)
        assert (facts.place, facts.publisher, facts.year) == ("Chiang Mai", "Silkworm Books", 2019)

    def test_copyright_year_is_last_resort(self) -> None:
        record = _record(
            BOOK_LEADER,
            _field("245", "00", ("a", "Book.")),
            _field("264", " 4", ("c", "©2018")),
        )
        facts = extract_facts(record)
        assert facts.year == 2018
        assert facts.publisher is None

    def test_deleted_and_empty_record(self) -> None:
        facts = extract_facts(Record(leader="00000dam a2200000 a 4500"))
        assert facts.deleted is True
        assert facts.title == ""
        assert facts.year is None
        assert facts.isbns == () and facts.subjects == ()
        assert isinstance(hash(facts), int)  # frozen and hashable, usable as a key


@pytest.mark.parametrize(
    ("leader", "expected"),
    [
        ("00000nam a2200000 a 4500", "book"),
        ("00000ntm a2200000 a 4500", "book"),  # manuscript language material
        ("00000nas a2200000 a 4500", "serial"),
        ("00000nai a2200000 a 4500", "serial"),  # integrating resource
        ("00000nab a2200000 a 4500", "serial"),  # serial component part
        ("00000nem a2200000 a 4500", "map"),
        ("00000nfm a2200000 a 4500", "map"),
        ("00000ncm a2200000 a 4500", "score"),
        ("00000njm a2200000 a 4500", "sound"),
        ("00000nim a2200000 a 4500", "sound"),
        ("00000ngm a2200000 a 4500", "video"),
        ("00000nkm a2200000 a 4500", "graphic"),
        ("00000nmm a2200000 a 4500", "electronic"),
        ("00000nom a2200000 a 4500", "kit"),
        ("00000npc a2200000 a 4500", "mixed"),
        ("00000nrm a2200000 a 4500", "object"),
        ("00000nzm a2200000 a 4500", "unknown"),
        ("", "unknown"),
    ],
)
def test_record_format(leader: str, expected: str) -> None:
    assert record_format(leader) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Summerland /", "Summerland"),
        ("Chabon, Michael.", "Chabon, Michael"),
        ("Tolkien, J. R. R.", "Tolkien, J. R. R."),
        ("Comic books, strips, etc.", "Comic books, strips, etc."),
        ("1st ed.", "1st ed."),
        ("Wait...", "Wait..."),
        ("ม.ป.ป.", "ม.ป.ป."),
        ("ลุงบุญมีระลึกชาติ.", "ลุงบุญมีระลึกชาติ"),
    ],
)
def test_trim_isbd(value: str, expected: str) -> None:
    assert trim_isbd(value) == expected


# --------------------------------------------------------------------------- real files


def _read(relative: str) -> list[Record]:
    path = MARC_DIR / relative
    if not path.exists():
        pytest.skip(f"sample MARC file {path} is not present (shared/data/marc not laid out)")
    with path.open("rb") as handle:
        return [record for record in MARCReader(handle) if record is not None]


def test_loongboonmee_thai_film() -> None:
    facts = extract_facts(_read("marc4j/loongboonmee.mrc")[0])
    assert facts.format == "video"  # Leader/06 g
    assert facts.language == "tha"
    assert facts.title == "Loong Boonmee raleuk chat = Uncle Boonmee who can recall his past lives"
    assert facts.title_vernacular == "ลุงบุญมีระลึกชาติ"  # from the 880 linked to 245
    assert facts.main_author is None
    assert "Apichatpong Weerasethakul" in facts.other_authors
    assert facts.oclc_numbers == ("727814068",)
    assert facts.year == 2011
    assert facts.pages is None  # "1 videodisc (113 min.)"
    assert facts.subjects[:3] == ("Reincarnation -- Drama", "Death -- Drama", "Karma -- Drama")
    # "Feature films." comes from two 655s (lcgft and gsafd): kept once.
    assert facts.subjects.count("Feature films") == 1


def test_multi_isbn() -> None:
    facts = extract_facts(_read("pymarc/multi_isbn.dat")[0])
    assert facts.isbns == ("9780914378280", "9780914378297", "9780914378266")
    assert facts.invalid_isbns == ()
    assert facts.lccn == "77017192"
    assert facts.title == "The town scold"
    assert facts.title_sort == "town scold"
    assert facts.main_author == "Johnson, Judith Emlyn"
    assert facts.year == 1977
    assert facts.pages == 39
    assert facts.series == ("Her Waste ; pt. 1",)


def test_chabon() -> None:
    first, second = (extract_facts(r) for r in _read("marc4j/chabon.mrc"))
    assert first.title == "The amazing adventures of Kavalier and Clay : a novel"
    assert first.title_sort == "amazing adventures of Kavalier and Clay : a novel"
    assert first.main_author == "Chabon, Michael"
    assert first.isbns == ("9780679450047",)  # from ISBN-10 0679450041
    assert (first.publisher, first.place, first.year, first.pages) == (
        "Random House",
        "New York",
        2000,
        639,
    )
    assert "Comic books, strips, etc. -- Authorship -- Fiction" in first.subjects
    assert "New York (N.Y.) -- Fiction" in first.subjects
    assert second.title == "Summerland"
    assert second.edition == "1st ed."
    assert second.isbns == ("9780786808779", "9780786816156")
    assert isinstance(second, BibFacts)


def test_sandburg() -> None:
    facts = extract_facts(_read("file_marc/sandburg.mrc")[0])
    assert facts.local_id == "92005291"
    assert facts.lccn == "92005291"
    assert facts.isbns == ("9780152038656",)  # "0152038655 :"
    assert facts.main_author == "Sandburg, Carl"
    assert facts.other_authors == ("Rand, Ted",)
    assert facts.pages is None  # "1 v. (unpaged)"
    assert facts.year == 1993
    assert facts.subjects[0] == "Arithmetic -- Juvenile poetry"


def test_match_facts_of_title_proper_dates_and_extent() -> None:
    from pymarc import Field, Indicators, Record, Subfield

    from libcoop.catalog.facts import extract_facts

    record = Record(force_utf8=True)
    record.add_field(Field(tag="008", data="190101s1890    xx a          000 0 eng d"))
    record.add_field(
        Field(
            tag="245",
            indicators=Indicators("1", "4"),
            subfields=[Subfield("a", "The flower ecology :"), Subfield("b", "a study /")],
        )
    )
    record.add_field(
        Field(tag="260", indicators=Indicators(" ", " "), subfields=[Subfield("c", "[189-?]")])
    )
    record.add_field(
        Field(
            tag="300",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", "3 p."), Subfield("b", "l., 156 p.")],
        )
    )
    facts = extract_facts(record)
    assert facts.title_proper == "flower ecology"
    assert facts.year_span == (1890, 1899)
    assert facts.pages == 156 and not facts.pages_approximate
