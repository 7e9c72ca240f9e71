"""Identifier normalisation: each case pins one rule the deduplicator relies on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymarc import Field, Indicators, Subfield

from libcoop.catalog.identifiers import (
    is_valid_isbn10,
    is_valid_isbn13,
    isbn10_to_isbn13,
    isbn13_to_isbn10,
    isbn_variants,
    isbns_from_020,
    normalise_isbn,
    normalise_issn,
    normalise_lccn,
    normalise_oclc,
    pages_from_extent,
    to_ascii_digits,
    year_from_008,
    year_from_imprint,
)

# Check digits below were worked by hand:
#   ISBN-10 974-13-1234-?: 9·10+7·9+4·8+1·7+3·6+1·5+2·4+3·3+4·2 = 240, 240 mod 11 = 9,
#     check = 11-9 = 2; ISBN-13 978974131234?: weighted sum 116, check = 10-6 = 4.
#   ISBN-10 974-8122-76-?: weighted sum 298, 298 mod 11 = 1, check = 10 → X;
#     ISBN-13 978974812276?: weighted sum 128, check = 2.
#   ISBN-13 978-616-00-1234-?: weighted sum 97, check = 3.
#   ISSN 0317-847?: 0·8+3·7+1·6+7·5+8·4+4·3+7·2 = 120, 120 mod 11 = 10, check = 1.
#   ISSN 2434-561?: weighted sum 122, 122 mod 11 = 1, check = 10 → X.


class TestIsbn:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("9780306406157", "9780306406157"),
            ("978-0-306-40615-7", "9780306406157"),
            ("0-306-40615-2", "9780306406157"),
            ("0306406152", "9780306406157"),
            ("0-19-852663-6 (pbk.)", "9780198526636"),
            ("9780198526636 : ฿350", "9780198526636"),
            ("ISBN 974-13-1234-2", "9789741312344"),
            ("974-8122-76-X", "9789748122762"),
            ("974-8122-76-x", "9789748122762"),  # lower-case x
            ("978-616-00-1234-3 (ปกอ่อน)", "9786160012343"),
            ("๙๗๔-๑๓-๑๒๓๔-๒", "9789741312344"),  # Thai digits
            ("ISBN-13: 978 0 306 40615 7", "9780306406157"),  # spaces, labelled
            ("ISBN-10: 0306406152", "9780306406157"),
            ("978 0 306 40615 7 350", "9780306406157"),  # trailing price number
            ("0914378295 (lim. ed.) (v. 1)", "9780914378297"),
            ("979-10-90636-07-1", "9791090636071"),
        ],
    )
    def test_accepts_and_normalises_to_13(self, raw: str, expected: str) -> None:
        assert normalise_isbn(raw) == expected

    @pytest.mark.parametrize(
        "raw",
        [
            "0-306-40615-3",  # wrong ISBN-10 check digit
            "9780306406158",  # wrong ISBN-13 check digit
            "974-13-1234-3",
            "974-8122-76-4",  # X would be right
            "9770317847001",  # an ISSN barcode (EAN 977), not an ISBN
            "9790260000438",  # 979-0 is the ISMN (printed music) range
            "030640615",  # nine digits
            "(pbk.)",
            "",
            "ISBN 1305",
        ],
    )
    def test_rejects_invalid(self, raw: str) -> None:
        assert normalise_isbn(raw) is None

    def test_first_isbn_shaped_number_decides(self) -> None:
        # A bad ISBN followed by another number is not rescued by the later number.
        assert normalise_isbn("0-306-40615-3 ; 0-306-40615-2") is None

    def test_variants(self) -> None:
        assert isbn_variants("0-306-40615-2") == {"9780306406157", "0306406152"}
        assert isbn_variants("9789748122762") == {"9789748122762", "974812276X"}
        assert isbn_variants("979-10-90636-07-1") == {"9791090636071"}  # no ISBN-10 form
        assert isbn_variants("0-306-40615-3") == set()

    def test_conversions(self) -> None:
        assert isbn10_to_isbn13("0306406152") == "9780306406157"
        assert isbn13_to_isbn10("9780306406157") == "0306406152"
        assert isbn13_to_isbn10("9789748122762") == "974812276X"
        assert isbn13_to_isbn10("9791090636071") is None
        assert is_valid_isbn10("080442957X")
        assert not is_valid_isbn10("0804429572")
        assert is_valid_isbn13("9786160012343")
        assert not is_valid_isbn13("978616001234X")

    def test_020_split_valid_and_invalid(self) -> None:
        fields = [
            Field(
                tag="020",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", "0-306-40615-2 (pbk.)"), Subfield("c", "฿350")],
            ),
            Field(
                tag="020",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", "9780306406157"), Subfield("z", "974-13-1234-3")],
            ),
            Field(
                tag="020",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", "0-306-40615-3"), Subfield("z", "974-8122-76-X")],
            ),
        ]
        split = isbns_from_020(fields)
        # The duplicate (same ISBN as 10 and 13) appears once.
        assert split.valid == ("9780306406157",)
        # $z with a good check digit is kept normalised but never counted as valid.
        assert split.invalid == ("9741312343", "0306406153", "9789748122762")


class TestIssn:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("0317-8471", "0317-8471"),
            ("03178471", "0317-8471"),
            ("ISSN 0317-8471 (Print)", "0317-8471"),
            ("2434-561X", "2434-561X"),
            ("2434-561x", "2434-561X"),
            ("๐๓๑๗-๘๔๗๑", "0317-8471"),
        ],
    )
    def test_valid(self, raw: str, expected: str) -> None:
        assert normalise_issn(raw) == expected

    @pytest.mark.parametrize("raw", ["0317-8472", "2434-5610", "0317-847", "", "not an issn"])
    def test_invalid(self, raw: str) -> None:
        assert normalise_issn(raw) is None


class TestLccn:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            # The examples on https://www.loc.gov/marc/lccn-namespace.html
            ("n78-890351", "n78890351"),
            ("n  78890351 ", "n78890351"),
            ("85-2 ", "85000002"),
            ("75-425165//r75", "75425165"),
            (" 79139101 /AC/r932", "79139101"),
            # 010 $a as keyed in MARC (blank-padded prefix) and a post-2000 number.
            ("   77017192 ", "77017192"),
            ("2001-000002", "2001000002"),
            ("sh 85012345 ", "sh85012345"),
        ],
    )
    def test_loc_normalisation(self, raw: str, expected: str) -> None:
        assert normalise_lccn(raw) == expected

    @pytest.mark.parametrize(
        "raw",
        [
            "85-1234567",  # more than six digits after the hyphen
            "85-12a",  # non-digits after the hyphen
            "abc2001000002",  # three-letter prefix only allowed with a 2-digit year
            "1234567",  # too short
            "",
        ],
    )
    def test_invalid(self, raw: str) -> None:
        assert normalise_lccn(raw) is None


class TestOclc:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("(OCoLC)ocm12345678", "12345678"),
            ("(OCoLC)ocn123456789", "123456789"),
            ("(OCoLC)on1234567890", "1234567890"),
            ("(OCoLC)00012345", "12345"),
            ("(OCoLC)727814068", "727814068"),
            ("ocm00012345 ", "12345"),  # OCLC's own control-number form
        ],
    )
    def test_oclc(self, raw: str, expected: str) -> None:
        assert normalise_oclc(raw) == expected

    @pytest.mark.parametrize(
        "raw", ["(DLC)   77017192", "(Sirsi) a123456", "12345", "(OCoLC)", "(OCoLC)0000"]
    )
    def test_not_oclc(self, raw: str) -> None:
        assert normalise_oclc(raw) is None


class TestPages:
    @pytest.mark.parametrize(
        ("extent", "expected"),
        [
            ("xii, 345 p. :", 345),
            ("345 หน้า", 345),
            ("[8], 120 p.", 120),
            ("๑๒๐ น.", 120),
            ("ก-ฎ, ๒๕๖ หน้า :", 256),
            ("1 online resource (xii, 345 pages)", 345),
            ("xvi, 300 p., [12] p. of plates", 300),
            ("x, 20 p., 32 p. of plates", 20),
            ("2 v. (xx, 1020 p.)", 1020),
            ("639 p. ;", 639),
        ],
    )
    def test_page_counts(self, extent: str, expected: int) -> None:
        assert pages_from_extent(extent) == expected

    @pytest.mark.parametrize(
        "extent", ["1 v. (unpaged)", "1 v. (various pagings)", "120 leaves", "ภาพประกอบ", ""]
    )
    def test_no_page_count(self, extent: str) -> None:
        assert pages_from_extent(extent) is None


class TestYears:
    @pytest.mark.parametrize(
        ("imprint", "expected"),
        [
            ("c2019.", 2019),
            ("[2019?]", 2019),
            ("2562 [2019]", 2019),
            ("พ.ศ. 2562", 2019),
            ("๒๕๖๒", 2019),
            ("พ.ศ. ๒๕๓๙.", 1996),
            ("1999, c1998.", 1999),
            ("℗2010", 2010),
            ("ร.ศ. 130", 1911),
        ],
    )
    def test_imprint(self, imprint: str, expected: int) -> None:
        assert year_from_imprint(imprint) == expected

    @pytest.mark.parametrize("imprint", ["[197-?]", "[19--]", "ม.ป.ป.", "n.d.", ""])
    def test_imprint_without_full_year(self, imprint: str) -> None:
        assert year_from_imprint(imprint) is None

    @pytest.mark.parametrize(
        ("field_008", "expected"),
        [
            ("000313s2000    nyu           000 1 eng  ", 2000),
            ("190101s2562    th            000 0 tha d", 2019),  # BE keyed in 008
            ("020805r20021950nyu", 2002),  # reprint: Date1 is the reprint date
            ("020805q19uu19uunyu", None),  # unknown digits
            ("020805nuuuuuuuunyu", None),  # type n: dates unknown
            ("020805b        xx ", None),  # type b: B.C. / no dates
            ("020805n1990    xx ", None),  # type n wins over a stray Date1
            ("020805b0500    xx ", None),  # type b: a B.C. year is not a CE year
            ("020805s||||    xx ", None),
            ("020805s", None),  # truncated
        ],
    )
    def test_008(self, field_008: str, expected: int | None) -> None:
        assert year_from_008(field_008) == expected


def test_thai_digits_map_and_marks_survive() -> None:
    assert to_ascii_digits("พ.ศ. ๒๕๖๒ ห้องสมุด") == "พ.ศ. 2562 ห้องสมุด"


# --------------------------------------------------------------------------- properties


@given(st.text())
def test_normalise_isbn_never_raises(text: str) -> None:
    result = normalise_isbn(text)
    assert result is None or (len(result) == 13 and is_valid_isbn13(result))


@given(st.text(alphabet="0123456789Xx- ()ISBN:๐๑๒๓๔๕๖๗๘๙", max_size=40))
def test_normalise_isbn_never_raises_on_isbn_like_text(text: str) -> None:
    result = normalise_isbn(text)
    assert result is None or is_valid_isbn13(result)


@given(st.from_regex(r"[0-9]{9}", fullmatch=True), st.sampled_from("0123456789Xx"))
def test_accepted_isbn10_maps_to_valid_13(body: str, check: str) -> None:
    result = normalise_isbn(body + check)
    if result is not None:
        assert is_valid_isbn10(body + check.upper())
        assert result.startswith("978")
        assert result[3:12] == body
        assert is_valid_isbn13(result)


@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_every_isbn10_has_exactly_one_accepted_check_character(body: str) -> None:
    accepted = [c for c in "0123456789X" if normalise_isbn(body + c) is not None]
    assert len(accepted) == 1
    assert isbn13_to_isbn10(isbn10_to_isbn13(body + accepted[0])) == body + accepted[0]


def test_uncertain_and_multipart_date_spans() -> None:
    from libcoop.catalog.identifiers import year_range

    assert year_range("000000q19001929") == (1900, 1929)
    assert year_range("000000s19uu    ") == (1900, 1999)
    assert year_range("000000s1890    ", ("[189-?]",)) == (1890, 1899)  # decade keyed as 1890
    assert year_range("000000s1850    ", ("18--.",)) == (1800, 1899)
    assert year_range("000000s1898    ", ("[1898]",)) is None  # an exact year
    assert year_range("000000n        ", ("[n.d.]",)) is None  # no date says nothing
    assert year_range("000000m19551957", kinds="m") == (1955, 1957)
    assert year_range("000000s1955    ", kinds="m") is None


def test_preliminary_leaves_and_volumes_are_not_pages() -> None:
    from libcoop.catalog.identifiers import pages_from_extent, volumes_from_extent

    assert pages_from_extent("3 p. l., 134 p.") == 134
    assert pages_from_extent("2 p.l., 42 p.") == 42
    assert volumes_from_extent("2 v.") == 2 and volumes_from_extent("4 volumes ;") == 4
    assert volumes_from_extent("1 v. (unpaged)") is None and volumes_from_extent("v.") is None


def test_paging_on_both_sides_of_a_plus_and_pages_of_illustrations() -> None:
    from libcoop.catalog.identifiers import pages_from_extent

    assert pages_from_extent("60 + 12 p.") == 60
    assert pages_from_extent("xii, 345 p. + 1 map") == 345
    assert pages_from_extent("1 p.l., 5-38, [1] p., [112] p. of illus.") == 38
