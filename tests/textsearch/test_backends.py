"""The search back ends: SQLite FTS5 and PostgreSQL full text, one interface, same results.

Every behaviour test runs on both back ends (``search_backend`` fixture); PostgreSQL runs when
the suite is on PostgreSQL or ``LIBCOOP_TEST_DATABASE_URL`` is set (otherwise it skips, and
``LIBCOOP_REQUIRE_ALL=1`` turns that skip into a failure).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from libcoop.textsearch import segment
from libcoop.textsearch.backends import (
    Hit,
    PostgresBackend,
    SearchBackend,
    SearchDocument,
    SQLiteFTS5Backend,
    backend_for,
)
from libcoop.textsearch.backends.analysis import MAX_POSITION, analyse_document, layout

Doc = SearchDocument
type Backend = SQLiteFTS5Backend | PostgresBackend


def ids(hits: list[Hit]) -> list[int]:
    return [hit.doc_id for hit in hits]


# --- Thai words, n-grams and ranking -----------------------------------------------------------


def test_thai_word_inside_spaceless_title_is_found(search_backend: Backend) -> None:
    search_backend.index(
        [
            Doc(1, "การจัดการสิ่งแวดล้อมในห้องสมุดมหาวิทยาลัย"),
            Doc(2, "ประวัติศาสตร์ไทย"),
            Doc(3, "เศรษฐศาสตร์เบื้องต้น"),
        ]
    )
    for word in ("สิ่งแวดล้อม", "มหาวิทยาลัย", "ห้องสมุด", "การจัดการ"):
        hits = search_backend.search(word)
        assert ids(hits) == [1], word
        assert hits[0].word_hit, word
    hits = search_backend.search("ศาสตร์")  # inside the words ประวัติศาสตร์ and เศรษฐศาสตร์
    assert ids(hits) == [2, 3]
    assert not any(h.word_hit for h in hits)
    assert search_backend.search("โลกร้อน") == []


def test_segmentation_miss_is_found_by_ngrams_and_ranks_below_word_hits(
    search_backend: Backend,
) -> None:
    # ICU keeps กรุงเทพมหานคร as one word, so กรุงเทพ is not one of its words.
    assert "กรุงเทพ" not in segment("กรุงเทพมหานคร")
    assert "กรุงเทพ" in segment("คนกรุงเทพกับการเดินทาง")
    search_backend.index(
        [
            Doc(1, "กรุงเทพมหานคร"),  # short title: would win on brevity alone
            Doc(2, "คนกรุงเทพกับการเดินทางในเมืองหลวง"),
            Doc(3, "เชียงใหม่"),
        ]
    )
    hits = search_backend.search("กรุงเทพ")
    assert ids(hits) == [2, 1]
    assert [h.word_hit for h in hits] == [True, False]
    assert hits[0].score > hits[1].score


def test_match_across_a_word_boundary_ranks_below_a_weaker_field_word_hit(
    search_backend: Backend,
) -> None:
    # นก spans the boundary คน|กรุงเทพ in doc 1's title; doc 2 has the word นก only as a subject.
    assert "นก" not in segment("คนกรุงเทพ")
    search_backend.index(
        [
            Doc(1, "คนกรุงเทพ"),
            Doc(2, "Birds of Thailand", subject="นก -- ประเทศไทย"),
            Doc(3, "นกในเมืองไทย", author="บุญส่ง เลขะกุล"),
        ]
    )
    hits = search_backend.search("นก")
    assert ids(hits) == [3, 2, 1]
    assert [h.word_hit for h in hits] == [True, True, False]


def test_two_character_thai_words_are_found(search_backend: Backend) -> None:
    search_backend.index(
        [
            Doc(1, "ขับรถอย่างปลอดภัย"),
            Doc(2, "รถเมล์สายสุดท้าย"),  # รถเมล์ is one word: รถ only by n-gram
            Doc(3, "นกในเมืองไทย"),
            Doc(4, "ไก่ชน"),
        ]
    )
    hits = search_backend.search("รถ")
    assert ids(hits) == [1, 2]
    assert [h.word_hit for h in hits] == [True, False]
    assert ids(search_backend.search("นก")) == [3]
    assert ids(search_backend.search("นก", field="title")) == [3]


def test_tone_marks_keep_words_apart(search_backend: Backend) -> None:
    """Words that differ by a tone mark only do not find each other.

    ข้าว (rice) / ขาว (white), and ข่า (galangal) / ข้า (servant): a tokenizer that splits at
    marks (FTS5's default unicode61) indexes both ข่า and ข้า as ข + า.
    """
    search_backend.index([Doc(1, "การปลูกข้าว"), Doc(2, "ช้างเผือกขาว"), Doc(3, "ข่า"), Doc(4, "ข้า")])
    assert ids(search_backend.search("ข้าว")) == [1]
    assert ids(search_backend.search("ขาว")) == [2]
    assert ids(search_backend.search("ข่า")) == [3]
    hits = search_backend.search("ข้า")
    assert ids(hits) == [4, 1]  # ข้า is also the start of ข้าว: an n-gram hit, ranked last
    assert [h.word_hit for h in hits] == [True, False]


PUA_MAI_EK_LEFT = "\uf713"  # legacy-font mai ek, shifted left (for ป ฝ ฟ)
PUA_MAI_THO_DOWN = "\uf70b"  # legacy-font mai tho, shifted down
ZWSP = "\u200b"


@pytest.mark.parametrize(
    ("canonical", "variant", "query"),
    [
        ("ป่าไม้เมืองไทย", f"ป{PUA_MAI_EK_LEFT}าไม{PUA_MAI_THO_DOWN}เมืองไทย", "ป่าไม้"),
        ("ป่าไม้เมืองไทย", f"ป่าไม้{ZWSP}เมือง{ZWSP}ไทย", "ป่าไม้"),
        ("น้ำกับชีวิต", "น\u0e4d\u0e49\u0e32กับชีวิต", "น้ำ"),  # sara am as nikhahit + sara aa
        ("ที่นี่กรุงเทพ", "ท\u0e48\u0e35นี\u0e48กรุงเทพ", "ที่นี่"),  # tone mark typed first
        ("พจนานุกรม พ.ศ. 2554", "พจนานุกรม พ.ศ. ๒๕๕๔", "2554"),  # Thai digits
    ],
)
def test_variant_encodings_find_the_same_document(
    search_backend: Backend, canonical: str, variant: str, query: str
) -> None:
    assert canonical != variant
    search_backend.index([Doc(1, canonical), Doc(2, variant), Doc(3, "ประวัติศาสตร์ไทย")])
    for q in (query, canonical, variant):
        hits = search_backend.search(q)
        assert ids(hits) == [1, 2], q
        assert all(h.word_hit for h in hits), q
        assert hits[0].score == hits[1].score, q


def test_latin_words_fold_case_and_diacritics(search_backend: Backend) -> None:
    search_backend.index(
        [
            Doc(1, "Café society in Bangkok", author="O'Brien, Seán"),
            Doc(2, "Cafeterias of the world"),
        ]
    )
    assert ids(search_backend.search("CAFE")) == [1]
    assert ids(search_backend.search("café")) == [1]
    assert ids(search_backend.search("obrien sean")) == [1]
    assert ids(search_backend.search("O'Brien", field="author")) == [1]
    assert search_backend.search("caf") == []  # whole words only


# --- multi-word queries, fields, identifiers ---------------------------------------------------


def test_every_query_word_must_match_in_some_field(search_backend: Backend) -> None:
    search_backend.index(
        [
            Doc(1, "ห้องสมุดสีเขียว", author="สมชาย ใจดี"),
            Doc(2, "ห้องสมุดยุคดิจิทัล", author="สมหญิง รักเรียน"),
            Doc(3, "Green libraries", subject="ห้องสมุดสีเขียว"),
        ]
    )
    assert ids(search_backend.search("ห้องสมุด สมชาย")) == [1]  # title word + author word
    assert ids(search_backend.search("ห้องสมุด สมชาย", field="title")) == []
    assert ids(search_backend.search("ห้องสมุดสีเขียว")) == [1, 3]  # title before subject
    assert ids(search_backend.search("green ห้องสมุด")) == [3]
    assert search_backend.search("ห้องสมุด ไม่มีคำนี้เลย") == []


def test_field_restriction(search_backend: Backend) -> None:
    search_backend.index(
        [
            Doc(1, "ชีวิตและงานของสุนทรภู่", author="ธนิต อยู่โพธิ์"),
            Doc(2, "พระอภัยมณี", author="สุนทรภู่"),
            Doc(3, "นิราศภูเขาทอง", author="สุนทรภู่", subject="กวีนิพนธ์ไทย"),
            Doc(4, "กวีนิพนธ์", subject="สุนทรภู่ -- ชีวิตและงาน"),
        ]
    )
    # Equal matches: fewer title words first (นิราศ|ภูเขาทอง before พระ|อภัย|มณี).
    assert ids(search_backend.search("สุนทรภู่", field="author")) == [3, 2]
    assert ids(search_backend.search("สุนทรภู่", field="title")) == [1]
    assert ids(search_backend.search("สุนทรภู่", field="subject")) == [4]
    # Keyword: title match first, then author matches (shorter title first), then subject.
    assert ids(search_backend.search("สุนทรภู่")) == [1, 3, 2, 4]
    assert ids(search_backend.search("พระอภัยมณี", field="author")) == []


def test_identifier_search_is_exact(search_backend: Backend) -> None:
    search_backend.index(
        [
            Doc(1, "Birds of Thailand", identifiers=("9789740212345", "ocm12345678")),
            Doc(2, "Birds of Asia", identifiers=("9789740212346",)),
            Doc(3, "Another printing", identifiers=("9789740212345",)),
        ]
    )
    assert ids(search_backend.search("9789740212345", field="identifier")) == [1, 3]
    assert ids(search_backend.search(" ocm12345678 ", field="identifier")) == [1]
    assert search_backend.search("978974021234", field="identifier") == []
    assert search_backend.search("birds", field="identifier") == []
    # A keyword search for an identifier finds it, ahead of any text hit.
    hits = search_backend.search("9789740212346")
    assert ids(hits) == [2]
    assert hits[0].word_hit
    # Identifiers are not words: a title search does not see them.
    assert search_backend.search("9789740212345", field="title") == []


def test_unknown_field_is_an_error(search_backend: Backend) -> None:
    with pytest.raises(ValueError, match="unknown search field"):
        search_backend.search("x", field="publisher")


def test_empty_queries_and_limits(search_backend: Backend) -> None:
    search_backend.index([Doc(i, f"Thai cooking volume {i}") for i in range(1, 21)])
    assert search_backend.search("") == []
    assert search_backend.search("  ;  ") == []
    assert search_backend.search("cooking", limit=0) == []
    assert ids(search_backend.search("cooking", limit=5)) == [1, 2, 3, 4, 5]
    assert len(search_backend.search("cooking")) == 20


# --- updates ---------------------------------------------------------------------------------


def test_delete_and_reindex(search_backend: Backend) -> None:
    search_backend.index(
        [
            Doc(1, "ลูกอีสาน", author="คำพูน บุญทวี", identifiers=("9789740000011",)),
            Doc(2, "คู่กรรม", author="ทมยันตี"),
        ]
    )
    assert ids(search_backend.search("อีสาน")) == [1]
    search_backend.delete([1])
    assert search_backend.search("อีสาน") == []
    assert search_backend.search("9789740000011", field="identifier") == []
    assert ids(search_backend.search("คู่กรรม")) == [2]
    search_backend.delete([1, 999])  # deleting what is not there is fine

    search_backend.index([Doc(1, "ลูกอีสาน", identifiers=("9789740000011",))])
    assert ids(search_backend.search("อีสาน")) == [1]
    # Re-indexing replaces the whole document: old words and identifiers are gone.
    search_backend.index([Doc(1, "ข้างหลังภาพ", author="ศรีบูรพา", identifiers=("111",))])
    assert search_backend.search("อีสาน") == []
    assert search_backend.search("9789740000011", field="identifier") == []
    assert ids(search_backend.search("111", field="identifier")) == [1]
    assert ids(search_backend.search("ข้างหลังภาพ")) == [1]
    # Indexing the same document again changes nothing.
    search_backend.index([Doc(1, "ข้างหลังภาพ", author="ศรีบูรพา", identifiers=("111",))])
    assert ids(search_backend.search("ศรีบูรพา")) == [1]

    search_backend.clear()
    assert search_backend.search("ข้างหลังภาพ") == []
    assert search_backend.search("111", field="identifier") == []
    search_backend.index([Doc(5, "ข้างหลังภาพ")])  # still usable after clear()
    assert ids(search_backend.search("ข้างหลังภาพ")) == [5]


def test_index_accepts_a_generator_larger_than_a_batch(search_backend: Backend) -> None:
    search_backend.index(Doc(i, f"รายงานประจำปี {i}", text="สำนักหอสมุดกลาง") for i in range(1, 2501))
    hits = search_backend.search("รายงาน", limit=5000)
    assert ids(hits) == list(range(1, 2501))  # equal scores and titles: doc_id order
    assert ids(search_backend.search("2345")) == [2345]


def test_install_is_idempotent_and_keeps_data(search_backend: Backend) -> None:
    search_backend.index([Doc(1, "สี่แผ่นดิน", author="คึกฤทธิ์ ปราโมช")])
    search_backend.install()
    search_backend.install()
    assert ids(search_backend.search("คึกฤทธิ์")) == [1]


# --- order ----------------------------------------------------------------------------------


def test_order_is_deterministic_with_doc_id_tie_break(search_backend: Backend) -> None:
    docs = [Doc(i, "ดนตรีไทย", author="กรมศิลปากร") for i in (42, 7, 19, 3)]
    docs += [Doc(100, "ดนตรีไทยเดิม"), Doc(8, "ศิลปะไทย", subject="ดนตรีไทย")]
    search_backend.index(docs)
    first = search_backend.search("ดนตรีไทย")
    # Equal documents in doc_id order; a longer title next; a subject match last.
    assert ids(first) == [3, 7, 19, 42, 100, 8]
    assert [h.score for h in first] == sorted((h.score for h in first), reverse=True)
    assert search_backend.search("ดนตรีไทย") == first

    search_backend.clear()
    search_backend.index(reversed(docs))
    assert search_backend.search("ดนตรีไทย") == first


def test_candidate_cap_still_ranks_title_matches_first(search_backend: Backend) -> None:
    """Above the cap, documents with every word in the title are still candidates."""
    search_backend.candidate_cap = 5
    docs = [Doc(i, f"Annual report {i}", text="green library notes") for i in range(1, 31)]
    docs.append(Doc(500, "Green library"))
    search_backend.index(docs)
    hits = search_backend.search("green library", limit=3)
    assert ids(hits) == [500, 1, 2]
    assert all(h.word_hit for h in hits)
    # Without the title stage doc 500 (the highest doc_id) would never be a candidate.
    assert len(search_backend.search("green library", limit=50)) >= 6


def test_very_long_text_is_indexed_up_to_the_position_limit(search_backend: Backend) -> None:
    """A tsvector has at most 16,383 positions: both back ends keep the same leading part."""
    filler = " ".join(f"บทที่ {i} การพัฒนาห้องสมุด" for i in range(1, 3001))
    docs = [
        Doc(1, "รวมบทความ", text=f"กรุงเทพมหานคร {filler}"),
        Doc(2, "รวมบทความ", text=f"{filler} กรุงเทพมหานคร"),
        Doc(3, "ห้องสมุด"),
    ]
    search_backend.index(docs)
    positions = [pos for *_rest, pos in layout(analyse_document(docs[1]))]
    assert max(positions) <= MAX_POSITION
    # Every distinct word is kept (words come before grams) ...
    assert ids(search_backend.search("กรุงเทพมหานคร")) == [1, 2]
    assert ids(search_backend.search("พัฒนา ห้องสมุด")) == [1, 2]
    assert ids(search_backend.search("ห้องสมุด")) == [3, 1, 2]
    # ... but n-grams only up to the limit: มหานคร (not a word here) only in doc 1's head.
    assert "มหานคร" not in segment("กรุงเทพมหานคร")
    hits = search_backend.search("มหานคร")
    assert ids(hits) == [1]
    assert not hits[0].word_hit


# --- Django integration ----------------------------------------------------------------------


def test_backend_for_picks_the_back_end_by_vendor(sqlite_connection: sqlite3.Connection) -> None:
    assert isinstance(backend_for(sqlite_connection), SQLiteFTS5Backend)
    assert isinstance(backend_for(sqlite_connection), SearchBackend)
    with pytest.raises(TypeError):
        backend_for(object())


def test_backend_for_postgres_connection(postgres_connection: Any) -> None:
    assert isinstance(backend_for(postgres_connection), PostgresBackend)


def test_on_the_django_connection(db: None) -> None:
    """backend_for(django.db.connection) works in the caller's (here: the test's) transaction."""
    from django.db import connection

    backend = backend_for()
    assert (
        backend.__class__
        is {"sqlite": SQLiteFTS5Backend, "postgresql": PostgresBackend}[connection.vendor]
    )
    backend.install(connection)
    backend.clear()
    backend.index([Doc(1, "วรรณคดีไทย", identifiers=("9786160000001",))])
    assert ids(backend.search("วรรณคดี")) == [1]
    assert ids(backend.search("9786160000001", field="identifier")) == [1]


def test_install_from_a_schema_editor(transactional_db: None) -> None:
    """What the catalog migration's RunPython does, with a real schema editor."""
    from django.db import connection

    with connection.schema_editor() as editor:
        backend = backend_for(editor.connection)
        backend.install(editor)
        backend.install(editor)
    try:
        backend.index([Doc(1, "สมุนไพรไทย")])
        assert ids(backend.search("สมุนไพร")) == [1]
    finally:
        with connection.schema_editor() as editor:
            backend.uninstall(editor)
    try:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        assert not {"textsearch_document", "textsearch_identifier"} & set(tables)
    finally:  # the tests after this one share the database: give the tables back
        with connection.schema_editor() as editor:
            backend.install(editor)


def test_two_indexes_side_by_side(search_backend: SQLiteFTS5Backend | PostgresBackend) -> None:
    """A second index (another name: other tables) beside the catalog's; neither sees the
    other's documents, and the default name is still the catalog's textsearch_* tables."""
    conn = search_backend.connection
    kind = search_backend.vendor
    cls = type(search_backend)
    catalog = search_backend
    other = cls(conn, name="repository_search_t")
    assert backend_for(conn, name="repository_search_t").name == "repository_search_t"
    assert catalog.name == "textsearch"
    for backend in (catalog, other):
        backend.uninstall()
        backend.install()
    catalog.index([Doc(1, "วรรณคดีไทย"), Doc(2, "ห้องสมุด")])
    other.index([Doc(1, "สมุนไพรไทย", identifiers=("X-1",)), Doc(3, "ห้องสมุดสีเขียว")])
    assert ids(catalog.search("วรรณคดี")) == [1]
    assert ids(other.search("วรรณคดี")) == []
    assert ids(other.search("สมุนไพร")) == [1]
    assert ids(catalog.search("สมุนไพร")) == []
    assert ids(other.search("ห้องสมุด")) == [3]
    assert ids(other.search("X-1", field="identifier")) == [1]
    other.delete([1])
    other.index([Doc(1, "สมุนไพรไทย"), Doc(2, "สมุนไพร"), Doc(5, "สมุนไพร")])
    other.delete_range(2, 5)  # 2, 3, 4
    assert sorted(ids(other.search("สมุนไพร"))) == [1, 5]
    other.clear()
    assert ids(catalog.search("ห้องสมุด")) == [2]
    other.uninstall()
    assert ids(catalog.search("ห้องสมุด")) == [2]
    if kind == "sqlite":
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "textsearch_fts" in tables and "repository_search_t_fts" not in tables
    with pytest.raises(ValueError, match="not a search index name"):
        cls(conn, name="x; DROP TABLE textsearch_document")


# --- both back ends, same data, same results -------------------------------------------------

CORPUS = [
    Doc(1, "การจัดการสิ่งแวดล้อมในห้องสมุดมหาวิทยาลัย", "สมชาย ใจดี", "ห้องสมุดสีเขียว"),
    Doc(2, "ห้องสมุดสีเขียวเพื่อการอนุรักษ์พลังงาน", "สมาคมห้องสมุดแห่งประเทศไทย", "ห้องสมุดสีเขียว"),
    Doc(3, "นกในเมืองไทย", "บุญส่ง เลขะกุล", "นก -- ประเทศไทย", "สมาคมอนุรักษ์นกและธรรมชาติ"),
    Doc(4, "คนกรุงเทพกับการเดินทางในเมืองหลวง", "วิทยา สุขดำรง", "การขนส่ง -- กรุงเทพมหานคร"),
    Doc(5, "รถไฟไทย 100 ปี", "การรถไฟแห่งประเทศไทย", "รถไฟ -- ประวัติ"),
    Doc(6, "ประวัติศาสตร์ไทย", "ชาญวิทย์ เกษตรศิริ", "ไทย -- ประวัติศาสตร์"),
    Doc(7, "สี่แผ่นดิน", "คึกฤทธิ์ ปราโมช", "นวนิยายไทย", "สำนักพิมพ์ดอกหญ้า"),
    Doc(8, "ข้างหลังภาพ", "ศรีบูรพา", "นวนิยายไทย"),
    Doc(9, "ลูกอีสาน", "คำพูน บุญทวี", "นวนิยายไทย", "รางวัลซีไรต์ พ.ศ. ๒๕๒๒"),
    Doc(10, "คู่กรรม", "ทมยันตี", "นวนิยายไทย"),
    Doc(11, "ความสุขของกะทิ", "งามพรรณ เวชชาชีวะ", "วรรณกรรมเยาวชน", "รางวัลซีไรต์ 2549"),
    Doc(12, "พระอภัยมณี", "สุนทรภู่", "กวีนิพนธ์ไทย"),
    Doc(13, "นิราศภูเขาทอง", "สุนทรภู่", "นิราศ -- กวีนิพนธ์ไทย"),
    Doc(14, "ชีวิตและงานของสุนทรภู่", "ธนิต อยู่โพธิ์", "สุนทรภู่ -- ชีวประวัติ"),
    Doc(15, "การอนุรักษ์พลังงานในอาคาร", "กรมพัฒนาพลังงานทดแทน", "พลังงาน -- การอนุรักษ์"),
    Doc(16, "ภาษาไทยเพื่อการสื่อสาร", "กรมวิชาการ", "ภาษาไทย -- การใช้ภาษา"),
    Doc(17, "เศรษฐศาสตร์เบื้องต้น", "นราทิพย์ ชุติวงศ์", "เศรษฐศาสตร์"),
    Doc(18, "การบริหารจัดการห้องสมุดยุคดิจิทัล", "น้ำทิพย์ วิภาวิน", "ห้องสมุด -- การบริหาร"),
    Doc(19, "สารสนเทศเพื่อการศึกษา", "น้ำทิพย์ วิภาวิน", "สารสนเทศ"),
    Doc(20, "พจนานุกรม ฉบับราชบัณฑิตยสถาน พ.ศ. ๒๕๕๔", "ราชบัณฑิตยสถาน", "ภาษาไทย -- พจนานุกรม"),
    Doc(21, "ตำราอาหารไทย", "ม.ล. เนื่อง นิลรัตน์", "การทำอาหาร"),
    Doc(22, "น้ำและการจัดการทรัพยากรน้ำ", "กรมทรัพยากรน้ำ", "ทรัพยากรน้ำ"),
    Doc(23, "ป่าไม้เมืองไทย", "กรมป่าไม้", "ป่าไม้ -- ไทย"),
    Doc(24, "การปลูกข้าว", "กรมการข้าว", "ข้าว -- การปลูก"),
    Doc(25, "ช้างเผือกขาว", "ส. พลายน้อย", "ช้าง -- ไทย"),
    Doc(26, "ขับรถอย่างปลอดภัย", "กรมการขนส่งทางบก", "การขับรถ"),
    Doc(27, "รถเมล์สายสุดท้าย", "ประภัสสร เสวิกุล", "เรื่องสั้นไทย"),
    Doc(28, "กรุงเทพมหานคร เมืองแห่งเทวดา", "ส. พลายน้อย", "กรุงเทพมหานคร -- ประวัติ"),
    Doc(29, "สมุนไพรไทย", "กรมการแพทย์แผนไทย", "สมุนไพร"),
    Doc(30, "ดนตรีไทย", "กรมศิลปากร", "ดนตรีไทย"),
    Doc(31, "Library management in the digital age", "Smith, John", "Libraries -- Management"),
    Doc(32, "Environmental management for libraries", "Antonelli, Monika", "Green libraries"),
    Doc(33, "Birds of Thailand", "Lekagul, Boonsong", "Birds -- Thailand"),
    Doc(34, "The railways of Thailand", "Whyte, Brendan", "Railroads -- Thailand -- History"),
    Doc(35, "A history of Thailand", "Baker, Chris", "Thailand -- History", "Cambridge Univ."),
    Doc(36, "Four reigns", "Kukrit Pramoj", "Thai fiction -- Translations into English"),
    Doc(37, "Behind the painting", "Siburapha", "Thai fiction -- Translations into English"),
    Doc(38, "Green libraries: a guide", "Antonelli, Monika", "Green libraries"),
    Doc(
        39, "Energy conservation in buildings", "Krarti, Moncef", "Buildings -- Energy conservation"
    ),
    Doc(40, "Thai cooking", "Café Chilli", "Cooking, Thai"),
    Doc(41, "Café society in Bangkok", "O'Brien, Seán", "Bangkok (Thailand) -- Social life"),
    Doc(42, "Information literacy for students", "Grassian, Esther", "Information literacy"),
    Doc(43, "Managing water resources", "Gleick, Peter", "Water resources development"),
    Doc(44, "Herbal medicine of Thailand", "Saralamp, Promchit", "Medicinal plants -- Thailand"),
    Doc(45, "ห้องสมุดกับชุมชน", "สมาคมห้องสมุดแห่งประเทศไทย", "Libraries and community"),
    Doc(46, "Thai for beginners", "Becker, Benjawan", "Thai language -- Textbooks", "ภาษาไทย"),
    Doc(47, "ไทยศึกษา Thai studies", "สุเนตร ชุตินธรานนท์", "ไทย -- ความเป็นอยู่และประเพณี"),
    Doc(48, "การศึกษาไทยในศตวรรษที่ 21", "วิจารณ์ พานิช", "การศึกษา -- ไทย"),
    Doc(49, "นกกระจอกเทศ", "ชมรมคนรักสัตว์", "นกกระจอกเทศ"),
    Doc(50, "ห้องสมุด", "กรมศิลปากร", "ห้องสมุด", identifiers=("9789740212345",)),
]

QUERIES = [
    "ห้องสมุด",
    "สิ่งแวดล้อม",
    "ห้องสมุดสีเขียว",
    "นก",
    "รถ",
    "รถไฟ",
    "กรุงเทพ",
    "สุนทรภู่",
    "นวนิยายไทย",
    "การจัดการ",
    "จัดการ",
    "อนุรักษ์พลังงาน",
    "น้ำ",
    "นํ้า",
    "ข้าว",
    "ไทย",
    "ภาษาไทย",
    "ศาสตร์",
    "2554",
    "ซีไรต์",
    "library",
    "libraries management",
    "thailand",
    "history thailand",
    "cafe",
    "green",
    "thai",
    "energy conservation",
    "9789740212345",
]


def test_sqlite_and_postgres_return_the_same_results(
    sqlite_connection: sqlite3.Connection, postgres_connection: Any
) -> None:
    backends: list[Backend] = [
        SQLiteFTS5Backend(sqlite_connection),
        PostgresBackend(postgres_connection),
    ]
    for backend in backends:
        backend.install()
        backend.clear()
        backend.index(CORPUS)
    gram_only_seen = False
    for field in (None, "title", "author", "subject"):
        for query in QUERIES:
            sqlite_hits, pg_hits = (b.search(query, field=field, limit=10) for b in backends)
            assert sqlite_hits == pg_hits, (query, field)
            scores = [h.score for h in sqlite_hits]
            assert scores == sorted(scores, reverse=True), (query, field)
            gram_only_seen |= any(not h.word_hit for h in sqlite_hits)
            if field is None:
                assert sqlite_hits, f"{query!r} finds nothing: the comparison would be empty"
    assert gram_only_seen
    # Small candidate caps give the same answer too, here: SQLite takes capped candidates in
    # doc_id order, PostgreSQL in heap order, which is doc_id order for rows inserted so.
    for backend in backends:
        backend.candidate_cap = 3
    for query in QUERIES:
        assert backends[0].search(query, limit=3) == backends[1].search(query, limit=3), query


# --- PostgreSQL: the two candidate plans ------------------------------------------------------


def _shuffled_corpus() -> list[SearchDocument]:
    """300 reports (every title has รายงาน), stored out of doc_id order; a few odd ones."""
    docs = [Doc(i, f"รายงานประจำปี {i}", text="alpha" if i % 2 else "beta") for i in range(1, 301)]
    docs.append(Doc(999, "รายงานพิเศษ", text="alpha beta"))
    order = sorted(docs, key=lambda d: (d.doc_id * 7919) % 301)  # heap order != doc_id order
    return order


def test_postgres_walks_common_words_in_doc_id_order(
    sqlite_connection: sqlite3.Connection, postgres_connection: Any
) -> None:
    """With statistics, common words are read in doc_id order: the same candidates as FTS5."""
    from libcoop.textsearch.backends import postgres

    lite = SQLiteFTS5Backend(sqlite_connection, candidate_cap=5)
    pg = PostgresBackend(postgres_connection, candidate_cap=5)
    for backend in (lite, pg):
        backend.install()
        backend.clear()
        backend.index(_shuffled_corpus())

    postgres._FREQUENCIES.clear()
    pg.search("รายงาน", limit=5)
    assert pg.last_candidate_paths == [("first_field", "gin")]  # no stats; title stage full

    postgres_connection.execute("ANALYZE textsearch_document")
    postgres._FREQUENCIES.clear()
    pg = PostgresBackend(postgres_connection, candidate_cap=5)
    hits = pg.search("รายงาน", limit=5)
    assert pg.last_candidate_paths == [("first_field", "walk")]
    assert ids(hits) == [1, 2, 3, 4, 5]
    assert hits == lite.search("รายงาน", limit=5)

    # alpha and beta are each in half the documents, together only in doc 999 (the last):
    # the walk finds nothing among the first documents, and the word stage falls back to GIN.
    hits = pg.search("alpha beta", limit=5)
    assert ("words", "gin") in pg.last_candidate_paths
    assert ids(hits) == [999]
    assert hits == lite.search("alpha beta", limit=5)


def _churn(backend: Backend, corpus: list[SearchDocument]) -> list[SearchDocument]:
    """Updates, deletes and re-inserts (in PostgreSQL the rows move about the heap); the
    documents left."""
    by_id = {d.doc_id: d for d in corpus}
    changed = [Doc(i, by_id[i].title, text=by_id[i].text + " gamma") for i in range(1, 120, 3)]
    backend.index(changed)
    by_id.update((d.doc_id, d) for d in changed)
    backend.delete([11, 13, 15, 17, 2, 4])
    backend.index([by_id[i] for i in (17, 2, 13)])  # back, at the end of the heap
    for i in (11, 15, 4):
        del by_id[i]
    return list(by_id.values())


def test_capped_candidates_are_the_same_on_a_fresh_or_churned_table(
    sqlite_connection: sqlite3.Connection, postgres_connection: Any
) -> None:
    """More matches than the cap, GIN plan (no statistics): the first ``cap`` by doc_id on
    both back ends, whatever the rows' physical order (#14)."""
    from libcoop.textsearch.backends import postgres

    lite = SQLiteFTS5Backend(sqlite_connection, candidate_cap=7)
    pg = PostgresBackend(postgres_connection, candidate_cap=7)
    corpus = _shuffled_corpus()  # stored out of doc_id order
    for backend in (lite, pg):
        backend.install()
        backend.clear()
        backend.index(corpus)
    postgres._FREQUENCIES.clear()
    queries = [(None, "alpha"), ("text", "beta"), (None, "รายงาน"), (None, "alpha gamma")]

    def answers(backend: Backend) -> list[list[Hit]]:
        return [backend.search(q, field=f, limit=5) for f, q in queries]

    fresh = answers(lite)
    assert answers(pg) == fresh
    assert all(plan == "gin" for _stage, plan in pg.last_candidate_paths)
    assert ids(fresh[0]) == [1, 3, 5, 7, 9]  # the first by doc_id, not by heap position

    final = _churn(lite, corpus)
    _churn(pg, corpus)
    churned = answers(lite)
    assert answers(pg) == churned
    assert ids(churned[0]) == [1, 3, 5, 7, 9]
    assert ids(churned[1])[:2] == [2, 6]  # 4 was deleted, 2 came back
    # A fresh table of the same documents, loaded in yet another order, agrees too.
    pg.clear()
    pg.index(sorted(final, key=lambda d: -d.doc_id))
    assert answers(pg) == churned
