"""The match rules on their own."""

from __future__ import annotations

from libcoop.catalog.matching import MatchInfo, blocking_keys, compare


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
    assert compare(a, info(**other, year=2020)).rule == "year"
    assert compare(a, info(**other, pages=270)).rule == "pages"
    assert compare(a, info(**other, pages=259)).match
    assert compare(a, info(**other, format="serial")).rule == "format"
    assert compare(a, info(**other, author_key="jones mary")).rule == "author"
    assert compare(a, info(**other, title_key="grey libraries in theory")).rule == "title"
    issn_a = info(issns=frozenset({"0317-8471"}))
    issn_b = info(record_id=2, library_id=2, issns=frozenset({"1050-124X"}))
    assert compare(issn_a, issn_b).rule == "issn_conflict"


def test_title_edit_distance_threshold() -> None:
    a = info(title_key="a" * 50)
    four = info(record_id=2, library_id=2, title_key="a" * 46 + "bbbb")  # 8 %
    five = info(record_id=2, library_id=2, title_key="a" * 45 + "bbbbb")  # 10 %
    assert compare(a, four).match and compare(a, four).rule == "title_author_year"
    assert compare(a, five).rule == "title"


def test_subtitle_missing_is_fine_when_an_identifier_is_shared() -> None:
    a = info(isbns=ISBN, title_key="green libraries")
    b = info(record_id=2, library_id=2, isbns=ISBN, title_key="green libraries a practical guide")
    assert compare(a, b).match
    # Without an identifier only full corroboration (author, year, pages) accepts it.
    short, long_ = "green libraries", "green libraries a practical guide"
    assert compare(info(title_key=short), info(record_id=2, library_id=2, title_key=long_)).match
    assert not compare(
        info(title_key=short, pages=None),
        info(record_id=2, library_id=2, title_key=long_, pages=None),
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
