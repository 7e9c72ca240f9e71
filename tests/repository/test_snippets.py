"""Search snippets: the hit is marked whole, a Thai word or a combining mark is never cut,
everything else is escaped (no database)."""

from __future__ import annotations

import unicodedata

from libcoop.repository.snippets import (
    ELLIPSIS,
    WIDTH,
    find_hits,
    leading_snippet,
    make_snippet,
)
from libcoop.textsearch.thai import cluster_breaks, segment

LONG_TH = (
    "การอนุรักษ์ป่าต้นน้ำของชุมชนบนดอยสูงในจังหวัดเชียงรายเป็นเรื่องที่ต้องอาศัยความร่วมมือ"
    "ระหว่างหน่วยงานรัฐ องค์กรปกครองส่วนท้องถิ่น และชาวบ้านที่อยู่อาศัยในพื้นที่มาเป็นเวลานาน "
)


def _ends_are_clean(text: str) -> None:
    """The snippet starts and ends on a cluster boundary of itself (no lone mark)."""
    body = text.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)
    assert body
    assert unicodedata.category(body[0])[0] != "M" and body[0] != "\u0e33"


def test_thai_word_in_the_middle_of_a_long_text_is_marked_whole() -> None:
    text = LONG_TH * 6 + "ผลการศึกษาพบว่าน้ำผึ้งป่าเป็นรายได้หลัก " + LONG_TH * 6
    snippet = make_snippet([text], "น้ำผึ้ง")
    assert snippet is not None
    assert "<mark>น้ำผึ้ง</mark>" in snippet.html
    start, end = snippet.marks[0]
    assert snippet.text[start:end] == "น้ำผึ้ง"
    assert snippet.text.startswith(ELLIPSIS) and snippet.text.endswith(ELLIPSIS)
    _ends_are_clean(snippet.text)
    assert len(snippet.text) < WIDTH + 100
    # cut on the segmenter's word boundaries: the first and last words are whole words
    body = snippet.text.strip(ELLIPSIS)
    first, last = body.split()[0], body.split()[-1]
    full_words = set(segment(text))
    assert segment(first)[0] in full_words
    assert segment(last)[-1] in full_words


def test_combining_marks_are_never_cut_off_their_letter() -> None:
    # every start position inside a run of stacked marks: the snippet never begins with a mark
    text = "ก่ำ" * 50 + " ที่นี่มีน้ำใจ " + "ปี่" * 120 + " คำค้น " + "สู้" * 120
    for query in ["คำค้น", "น้ำใจ"]:
        snippet = make_snippet([text], query)
        assert snippet is not None
        _ends_are_clean(snippet.text)
        for s, e in snippet.marks:
            assert snippet.text[s:e] == query


def test_a_query_inside_a_cluster_does_not_match_half_a_letter() -> None:
    assert find_hits("กี่ครั้ง", ["ก"]) == []  # ก is only half of the cluster กี่
    assert find_hits("ก ครั้ง", ["ก"]) == [(0, 1, "ก")]
    assert make_snippet(["ก้ำกึ่ง"], "ก") is None


def test_thai_word_inside_a_longer_word_is_found_on_cluster_boundaries() -> None:
    hits = find_hits("โรงพยาบาลส่งเสริมสุขภาพตำบล", ["สุขภาพ"])
    assert hits == [(17, 23, "สุขภาพ")]


def test_html_is_escaped_and_only_the_mark_is_markup() -> None:
    text = 'Results <script>alert("x")</script> & the library "café" report'
    snippet = make_snippet([text], "library")
    assert snippet is not None
    html = str(snippet.html)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html and "&quot;" in html
    assert html.count("<mark>") == 1 and "<mark>library</mark>" in html


def test_latin_words_match_whole_and_fold_case_and_accents() -> None:
    snippet = make_snippet(["The CAFÉ culture of Chiang Rai; cafeteria"], "cafe")
    assert snippet is not None
    assert "<mark>CAFÉ</mark>" in snippet.html
    assert "<mark>cafeteria" not in snippet.html


def test_the_text_with_most_query_words_wins_and_every_hit_is_marked() -> None:
    texts = ["บทคัดย่อเรื่องน้ำ", "ข้อมูลเรื่องน้ำและป่าชายเลน ป่าชายเลนและน้ำ"]
    snippet = make_snippet(texts, "น้ำ ป่าชายเลน")
    assert snippet is not None and snippet.source == 1
    assert str(snippet.html).count("<mark>") == 4


def test_no_hit_no_snippet_and_a_leading_snippet_cut_on_a_word() -> None:
    assert make_snippet(["ไม่มีคำนี้"], "สับปะรด") is None
    assert make_snippet([""], "") is None
    lead = leading_snippet(["", LONG_TH * 5])
    assert lead is not None and lead.source == 1
    assert lead.text.endswith(ELLIPSIS)
    body = lead.text.removesuffix(ELLIPSIS)
    assert len(body) in cluster_breaks(LONG_TH * 5)
    assert segment(body)[-1] in set(segment(LONG_TH * 5))
