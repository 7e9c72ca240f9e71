"""The match rules on their own."""

from __future__ import annotations

import tempfile
from pathlib import Path

from pymarc import Field, Indicators, Subfield

from libcoop.catalog.matching import (
    MatchInfo,
    blocking_keys,
    compare,
    edition_key,
    publisher_key,
)


def info(**kw: object) -> MatchInfo:
    base: dict[str, object] = {
        "record_id": 1,
        "library_id": 1,
        "format": "book",
        "title_key": "green libraries in practice",
        "author_key": "smith john",
        "year": 2019,
        "pages": 250,
    }
    base.update(kw)
    return MatchInfo(**base)  # type: ignore[arg-type]


ISBN = frozenset({"9780306406157"})


def test_shared_isbn_matches() -> None:
    v = compare(info(isbns=ISBN), info(record_id=2, library_id=2, isbns=ISBN))
    assert v.match and v.rule == "isbn" and v.key == "isbn:9780306406157"


def test_same_library_never_matches() -> None:
    assert compare(info(isbns=ISBN), info(record_id=2, isbns=ISBN)).rule == "same_library"


def test_rejections() -> None:
    other = {"record_id": 2, "library_id": 2, "isbns": ISBN}
    a = info(isbns=ISBN)
    assert compare(a, info(**other, year=2021)).rule == "year"
    assert compare(a, info(**other, year=2020)).match  # one apart: the identifier outweighs
    assert compare(a, info(**other, pages=270)).rule == "pages"
    assert compare(a, info(**other, pages=259)).match
    assert compare(a, info(**other, format="serial")).rule == "format"
    assert compare(a, info(**other, author_key="jones mary")).rule == "author"
    assert compare(a, info(**other, title_key="grey libraries in theory")).rule == "title"
    issn_a = info(issns=frozenset({"0317-8471"}))
    issn_b = info(record_id=2, library_id=2, issns=frozenset({"1050-124X"}))
    assert compare(issn_a, issn_b).rule == "issn_conflict"


def test_title_edit_distance_threshold_scales_with_length() -> None:
    a = info(title_key="a" * 50)  # 40 letters or more: below 15 %
    seven = info(record_id=2, library_id=2, title_key="a" * 43 + "b" * 7)  # 14 %
    eight = info(record_id=2, library_id=2, title_key="a" * 42 + "b" * 8)  # 16 %
    assert compare(a, seven).match and compare(a, seven).rule == "title_author_year"
    assert compare(a, eight).rule == "title"
    short = info(title_key="a" * 20)  # 12 to 39 letters: below 12 %
    assert compare(short, info(**B, title_key="a" * 18 + "bb")).match  # 10 %
    assert compare(short, info(**B, title_key="a" * 17 + "bbb")).rule == "title"  # 15 %


def test_subtitle_missing_is_fine_when_an_identifier_is_shared() -> None:
    a = info(isbns=ISBN, title_key="green libraries")
    b = info(record_id=2, library_id=2, isbns=ISBN, title_key="green libraries a practical guide")
    assert compare(a, b).match
    # Without an identifier, a name and the year must agree (both present).
    short, long_ = "green libraries", "green libraries a practical guide"
    assert compare(info(title_key=short), info(record_id=2, library_id=2, title_key=long_)).match
    assert not compare(
        info(title_key=short, author_key=""),
        info(record_id=2, library_id=2, title_key=long_, author_key=""),
    ).match
    assert not compare(
        info(title_key=short, year=None), info(record_id=2, library_id=2, title_key=long_)
    ).match


def test_initials_and_inverted_names_agree() -> None:
    a = info(author_key="wood andrew s")
    assert compare(a, info(record_id=2, library_id=2, author_key="wood a s")).match
    assert compare(a, info(record_id=2, library_id=2, author_key="andrew s wood")).match
    assert compare(a, info(record_id=2, library_id=2, author_key="wood b")).rule == "author"


def test_different_isbns_reject_a_title_match() -> None:
    a = info(isbns=ISBN)
    b = info(record_id=2, library_id=2, isbns=frozenset({"9781861972712"}))
    assert compare(a, b).rule == "isbn_conflict"


def test_thai_title_keys_keep_marks() -> None:
    a = info(title_key="ห้องสมุดสีเขียว", author_key="")
    b = info(record_id=2, library_id=2, title_key="ห้องสมุดสีเขียว", author_key="")
    c = info(record_id=3, library_id=3, title_key="หองสมุดสีเขียว", author_key="")
    assert compare(a, b).match
    assert any(k.startswith("ta:ห้องสมุดสี") for k in blocking_keys(a))
    assert blocking_keys(a) != blocking_keys(c)


def test_volumes_of_a_set_stay_apart_and_volume_words_agree() -> None:
    a = info(title_key="energy in asia v 2")
    assert (
        compare(a, info(record_id=2, library_id=2, title_key="energy in asia v 3")).rule
        == "numbers"
    )
    assert compare(a, info(record_id=2, library_id=2, title_key="energy in asia volume 2")).match
    th = info(title_key="ศิลปกรรมล้านนา เล่มที่ 3", author_key="")
    assert compare(
        th, info(record_id=2, library_id=2, title_key="ศิลปกรรมล้านนา ภาค 3", author_key="")
    ).match
    assert not compare(
        th, info(record_id=2, library_id=2, title_key="ศิลปกรรมล้านนา ภาค 2", author_key="")
    ).match


B = {"record_id": 2, "library_id": 2}


def test_any_name_of_either_record_agrees() -> None:
    # Different main entries; the 700 of one is the 100 of the other (dates, roles ignored).
    a = info(author_key="smith john", other_ids=frozenset({"pn:smith john", "pn:doe jane"}))
    b = info(**B, author_key="doe j", other_ids=frozenset({"pn:doe j"}))
    v = compare(a, b)
    assert v.match and v.rule == "title_author_year" and v.key == "name:doe jane"
    c = info(**B, author_key="brown peter", other_ids=frozenset({"pn:brown peter"}), pages=None)
    assert compare(a, c).rule == "author"
    # surname and initials; a fuller forename ("frederic" / "frederick swartwout")
    d = info(author_key="cozzens frederic s", other_ids=frozenset({"pn:cozzens frederic s"}))
    e = info(**B, author_key="cozzens frederick swartwout")
    assert compare(
        d,
        e.__class__(**{**e._asdict(), "other_ids": frozenset({"pn:cozzens frederick swartwout"})}),
    ).match
    # corporate bodies: the same words in another order
    f = info(author_key="", other_ids=frozenset({"cn:india archaeological survey"}))
    g = info(**B, author_key="", other_ids=frozenset({"cn:archaeological survey of india"}))
    assert compare(f, g).match


def test_year_one_apart_needs_pages_and_a_name() -> None:
    a = info(other_ids=frozenset({"pn:smith john", "pub:harper"}))
    near = info(**B, year=2020, other_ids=frozenset({"pn:smith john", "pub:harper and brothers"}))
    v = compare(a, near)
    assert v.match and v.rule == "title_year_near" and v.scores["year_gap"] == 1.0
    assert not compare(a, near._replace(pages=None)).match
    assert compare(a, near._replace(year=2021)).rule == "year"


def test_unknown_year_neither_confirms_nor_rejects() -> None:
    a = info(other_ids=frozenset({"pn:smith john", "pub:harper"}))
    unknown = info(**B, year=None, other_ids=frozenset({"pn:smith john"}))
    v = compare(a, unknown)
    assert v.match and v.rule == "title_no_year"
    assert compare(a, unknown._replace(pages=None)).rule == "weak"


def test_editions_compared() -> None:
    a = info(other_ids=frozenset({"pn:smith john", f"ed:{edition_key('พิมพ์ครั้งที่ 2')}"}))
    b = info(**B, other_ids=frozenset({"pn:smith john", f"ed:{edition_key('พิมพ์ครั้งที่ ๓')}"}))
    assert compare(a, b).rule == "edition"
    same = info(**B, other_ids=frozenset({"pn:smith john", f"ed:{edition_key('2nd ed.')}"}))
    assert compare(a, same).match
    assert compare(a, info(**B)).match  # no edition statement: no evidence
    rev = info(**B, other_ids=frozenset({"pn:smith john", f"ed:{edition_key('2nd ed., rev.')}"}))
    assert compare(a, rev).match  # "revised" alone is how one cataloguer wrote it


def test_edition_and_publisher_keys() -> None:
    assert edition_key("2d ed.") == edition_key("Second edition") == "2"
    assert edition_key("3d ed., rev. and enl.") == "3r"
    assert edition_key("ฉบับปรับปรุง") == "r"
    assert edition_key("ครั้งที่ 4") == "4"
    assert publisher_key("Bell & Daldy") == publisher_key("Bell and Daldy") == "bell daldy"
    assert publisher_key("Oxford Univ. Pr.") == publisher_key("Oxford University Press")
    assert publisher_key("สำนักพิมพ์ดอกหญ้า") == publisher_key("ดอกหญ้า")
    assert publisher_key("The Macmillan company") == publisher_key("Macmillan")


def test_subtitle_and_typo_tolerance() -> None:
    a = info(title_key="oraons of choota nagpur", other_ids=frozenset({"pn:smith john"}))
    b = info(**B, title_key="oraons of chota nagpur")
    assert compare(a, b).match
    short = info(**B, title_key="green libraries")
    assert compare(info(), short).match  # a name, the year agree: the subtitle may be missing
    assert not compare(info(author_key=""), short._replace(author_key="")).match


def test_import_and_rematch_derive_the_same_match_columns() -> None:
    """``prepare`` (import) and ``rematch`` write the match columns from one function."""
    from libcoop.catalog.facts import extract_facts
    from libcoop.catalog.marc import read_marc
    from libcoop.catalog.matching import match_fields
    from libcoop.catalog.prepare import prepare
    from tests.catalog.marcdata import book, write

    record = book("m1", "Green libraries", subtitle="a practical guide", pages=250)
    record.add_field(
        Field(tag="700", indicators=Indicators("1", " "), subfields=[Subfield("a", "Lee, Ann.")])
    )
    with tempfile.TemporaryDirectory() as tmp:
        rows, _ = prepare(list(read_marc(write(Path(tmp) / "m.mrc", record))))
    prepared = rows["m1"]
    fields = match_fields(extract_facts(record))
    assert (prepared.title_key, prepared.author_key, prepared.year, prepared.pages) == (
        fields["title_key"],
        fields["author_key"],
        fields["year"],
        fields["pages"],
    )
    assert list(prepared.other_ids) == fields["other_ids"]
    assert "tp:green libraries" in fields["other_ids"] and "pn:lee ann" in fields["other_ids"]


def ids(*terms: str) -> frozenset[str]:
    return frozenset(terms)


def test_title_proper_agrees_where_subtitles_differ() -> None:
    # "Keynes and India: a study in economics and biography" / "... in history and
    # biography": the titles proper agree; name, pages and publisher agree too.
    common = {"pn:chandavarkar anand", "pub:macmillan"}
    a = info(
        title_key="keynes and india a study in economics and biography",
        other_ids=ids(*common, "tp:keynes and india"),
    )
    b = info(
        record_id=2,
        library_id=2,
        title_key="keynes and india a study in history and biography",
        other_ids=ids(*common, "tp:keynes and india"),
    )
    v = compare(a, b)
    assert v.match and v.rule == "title_proper"
    assert v.scores["title_proper_distance"] == 0.0 and v.scores["title_distance"] > 0.1
    # Another year (two apart) or only one other fact agreeing: no.
    assert not compare(a, b._replace(year=2021)).match
    lone = b._replace(other_ids=ids("pn:chandavarkar anand", "tp:keynes and india"), pages=300)
    assert not compare(a, lone).match
    # A title proper of one or two words needs name, pages and publisher all agreeing.
    short_a = a._replace(
        title_key="proceedings of the first congress", other_ids=ids("tp:proceedings", "pub:x")
    )
    short_b = b._replace(
        title_key="proceedings of the 2nd meeting", other_ids=ids("tp:proceedings", "pub:y")
    )
    assert not compare(short_a, short_b).match


def test_uncertain_dates_neither_confirm_nor_reject() -> None:
    # "[189-?]" (a decade) against 1898: no conflict, but no confirmation either, so the
    # page count and publisher must agree beside the name.
    a = info(year=1890, other_ids=ids("ys:1890-1899", "pn:smith john", "pub:hungerford"))
    b = info(record_id=2, library_id=2, year=1898, other_ids=ids("pn:smith john", "pub:hungerford"))
    v = compare(a, b)
    assert v.match and v.rule == "title_no_year"
    assert not compare(a, b._replace(pages=None)).match  # "weak": nothing beside the name
    assert compare(a, b._replace(year=1905)).rule == "year"  # six years past the decade
    # A set published 1895-1897 holds 1897.
    c = info(year=1895, other_ids=ids("ym:1895-1897", "pn:smith john"))
    assert compare(c, b._replace(year=1897)).rule != "year"


def test_page_counts_within_three_percent_and_typing_slips() -> None:
    a = info(pages=1000, other_ids=ids("pn:smith john", "pub:barnhart"))
    b = info(record_id=2, library_id=2, pages=1022, other_ids=ids("pn:smith john", "pub:barnhart"))
    assert compare(a, b).match  # 2.2 % of a long book
    assert compare(a._replace(pages=250), b._replace(pages=288)).rule == "pages"
    typo = compare(a._replace(pages=238), b._replace(pages=288))  # one keyed digit
    assert typo.match and typo.scores["page_typo"] == 1.0
    swapped = compare(a._replace(pages=279), b._replace(pages=297))
    assert swapped.match
    # A slip is only a slip when the publisher agrees too.
    other = b._replace(pages=288, other_ids=ids("pn:smith john", "pub:harper"))
    assert compare(a._replace(pages=238), other).rule == "pages"
    # An estimate ("ca. 300 p.", "various pagings") is no page count at all.
    approx = b._replace(pages=300, other_ids=ids("pn:smith john", "pub:barnhart", "pg:approx"))
    assert compare(a._replace(pages=250), approx).match


def test_numbers_in_one_title_only_and_typed_ones() -> None:
    full = info(title_key="fifty paintings 1905 1913 the fiftieth anniversary exhibition 1955")
    short = info(record_id=2, library_id=2, title_key="fifty paintings 1905 1913")
    assert compare(full, short).match  # the other library left the subtitle out
    v2 = info(title_key="history of england v 2")
    v3 = info(record_id=2, library_id=2, title_key="history of england v 3")
    assert compare(v2, v3).rule == "numbers"
    typed = info(record_id=2, library_id=2, title_key="outline of korean history until l945")
    assert compare(info(title_key="outline of korean history until 1945"), typed).match


def test_ampersand_and_and_and_names_across_tags() -> None:
    a = info(title_key="capitalism slavery", author_key="")  # "Capitalism & slavery"
    b = info(record_id=2, library_id=2, title_key="capitalism and slavery", author_key="")
    assert compare(a, b).match
    # A body entered as a person (100 0_) against its 110; abbreviations written out.
    body = info(author_key="bharat sevak samaj", other_ids=ids("pn:bharat sevak samaj"))
    corp = info(record_id=2, library_id=2, author_key="", other_ids=ids("cn:bharat sevak samaj"))
    assert compare(body, corp).match
    dept = info(author_key="", other_ids=ids("cn:united states dept of state"))
    full = info(
        record_id=2,
        library_id=2,
        author_key="",
        other_ids=ids("cn:united states department of state"),
    )
    assert compare(dept, full).match


def test_blocking_keys_ignore_and_and_volume_words() -> None:
    a = info(title_key="capitalism and slavery")
    b = info(record_id=2, library_id=2, title_key="capitalism slavery")
    assert blocking_keys(a) & blocking_keys(b)


def test_bodies_named_differently_need_pages_or_publisher() -> None:
    # A person and a body on one side, only a body (named another way) on the other:
    # bodies' names vary too much between catalogues to tell books apart.
    a = info(
        author_key="dodge richard w",
        other_ids=ids("pn:dodge richard w", "cn:united states bureau of the census"),
    )
    b = info(
        record_id=2,
        library_id=2,
        author_key="",
        other_ids=ids("cn:united states bureau of justice statistics"),
    )
    v = compare(a, b)
    assert v.match and v.scores["bodies_differ"] == 1.0
    assert compare(a, b._replace(pages=None)).rule == "author"
    # Two people who disagree still reject, whatever else agrees.
    c = info(record_id=2, library_id=2, author_key="jones ann", other_ids=ids("pn:jones ann"))
    assert compare(a, c).rule == "author"


def test_one_word_or_an_article_apart_with_everything_else_agreeing() -> None:
    same = ids("pn:selincourt hugh de", "pub:nisbet")
    a = info(title_key="realms of the day", other_ids=same)
    b = info(record_id=2, library_id=2, title_key="realms of day", other_ids=same)
    v = compare(a, b)
    assert v.match and v.rule == "title_proper"
    # Only two of name, pages and publisher agreeing: a short title must be closer.
    assert not compare(a, b._replace(pages=300)).match
    # A non-filing count keyed wrong ("El Dorado" filed under "Dorado").
    c = info(title_key="dorado a tragedy", other_ids=ids(*same, "tp:dorado"))
    d = info(
        record_id=2,
        library_id=2,
        title_key="el dorado a tragedy",
        other_ids=ids(*same, "tp:el dorado"),
    )
    assert compare(c, d).match


def test_a_printing_is_not_an_edition() -> None:
    assert edition_key("4th impression.") == "" and edition_key("10th printing") == ""
    assert edition_key("2d, rev. ed. 1st thousand.") == "2r"
    assert edition_key("พิมพ์ครั้งที่ ๓") == "3"  # the Thai edition statement stays one
    a = info(other_ids=ids("pn:smith john", "ed:"))
    b = info(record_id=2, library_id=2, other_ids=ids("pn:smith john"))
    assert compare(a, b).match
