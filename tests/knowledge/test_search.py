"""Thai-aware search over articles (runs on whichever database the suite runs on)."""

from __future__ import annotations

import pytest

from libcoop.knowledge import services
from libcoop.knowledge.models import KnowledgeArticle
from libcoop.knowledge.search import reindex, search
from libcoop.network.abilities import SYSTEM
from tests.knowledge.factories import article, make_world

pytestmark = pytest.mark.django_db

ZWSP = "\u200b"


def _titles(query: str) -> list[str]:
    return [r.article.title for r in search(query, KnowledgeArticle.objects.all())]


def test_a_thai_word_inside_a_spaceless_title() -> None:
    world = make_world()
    article(world.own, title_th="การคัดแยกขยะในห้องสมุด")
    article(world.own, title_th="การประหยัดพลังงานในห้องอ่านหนังสือ")
    assert _titles("ขยะ") == ["การคัดแยกขยะในห้องสมุด"]
    assert _titles("คัดแยกขยะ") == ["การคัดแยกขยะในห้องสมุด"]
    assert _titles("พลังงาน") == ["การประหยัดพลังงานในห้องอ่านหนังสือ"]
    assert set(_titles("ห้อง")) == {
        "การคัดแยกขยะในห้องสมุด",
        "การประหยัดพลังงานในห้องอ่านหนังสือ",
    }


def test_every_query_word_must_match() -> None:
    world = make_world()
    article(world.own, title_th="การคัดแยกขยะในห้องสมุด")
    article(world.own, title_th="ลดการใช้กระดาษ", body_th="กระดาษที่ใช้แล้วแยกเป็นขยะรีไซเคิล")
    assert _titles("ขยะ กระดาษ") == ["ลดการใช้กระดาษ"]
    assert _titles("ขยะ น้ำ") == []


def test_words_the_segmenter_cuts_differently_are_found_by_ngrams() -> None:
    world = make_world()
    article(world.own, title_th="ถังขยะรีไซเคิลในห้องสมุด")
    # ICU cuts the query ไซเคิล into ไซ|เคิล, words the title does not have: the bigrams
    # of each still occur in the title's text, so the article is found, as a partial hit.
    [hit] = search("ไซเคิล", KnowledgeArticle.objects.all())
    assert hit.article.title == "ถังขยะรีไซเคิลในห้องสมุด"
    assert hit.word_hit is False
    [whole] = search("รีไซเคิล", KnowledgeArticle.objects.all())
    assert whole.word_hit is True and whole.score > hit.score


def test_invisible_characters_and_thai_digits_are_normalised() -> None:
    world = make_world()
    article(world.own, title_th=f"การคัดแยกข{ZWSP}ยะ", body_th="เริ่มโครงการเมื่อ พ.ศ. ๒๕๖๗")
    article(world.own, title_th="มาตรการประหยัดน้ำ", body_th="ลดลงร้อยละ 15 ในปี 2566")
    assert _titles("ขยะ") == [f"การคัดแยกข{ZWSP}ยะ"]
    assert _titles(f"ข{ZWSP}ยะ") == [f"การคัดแยกข{ZWSP}ยะ"]
    assert _titles("2567") == [f"การคัดแยกข{ZWSP}ยะ"]
    assert _titles("๒๕๖๖") == ["มาตรการประหยัดน้ำ"]


def test_title_hits_rank_above_summary_and_body_hits() -> None:
    world = make_world()
    body = article(world.own, title_th="รายงานประจำปี", body_th="ปีนี้ห้องสมุดลดปริมาณขยะได้มาก")
    title = article(world.own, title_th="การคัดแยกขยะในห้องสมุด")
    summary = article(world.own, title_th="กิจกรรมกับโรงเรียน", summary_th="สอนน้องแยกขยะก่อนทิ้ง")
    ranked = search("ขยะ", KnowledgeArticle.objects.all())
    assert [r.article.pk for r in ranked] == [title.pk, summary.pk, body.pk]
    assert ranked[0].score > ranked[1].score > ranked[2].score


def test_tags_are_searchable_in_both_languages() -> None:
    world = make_world()
    tagged = article(world.own, title_th="มุมหนังสือในโรงเรียน", tags=["green-corner"])
    article(world.own, title_th="รายงานการใช้ไฟฟ้า", tags=["energy"])
    assert _titles("มุมความรู้สีเขียว") == [tagged.title]
    assert _titles("green corner") == [tagged.title]
    assert _titles("พลังงาน") == ["รายงานการใช้ไฟฟ้า"]


def test_english_words_match_whole_or_as_a_prefix() -> None:
    world = make_world()
    article(world.own, title_en="Waste sorting in the library", title_th="")
    article(world.own, title_en="Saving energy", title_th="", body_en="Sorted by floor.")
    ranked = search("sort", KnowledgeArticle.objects.all())
    assert [r.article.title for r in ranked] == ["Waste sorting in the library", "Saving energy"]
    assert _titles("WASTE") == ["Waste sorting in the library"]
    assert _titles("so") == []  # too short to stand for a prefix


def test_an_edit_updates_the_index() -> None:
    world = make_world()
    item = article(world.own, title_th="แนวปฏิบัติเรื่องน้ำ")
    assert _titles("กระดาษ") == []
    services.update_article(item, title_th="แนวปฏิบัติการลดใช้กระดาษ", acting_user=SYSTEM)
    assert _titles("กระดาษ") == ["แนวปฏิบัติการลดใช้กระดาษ"]
    assert _titles("น้ำ") == []


def test_reindex_rebuilds_every_entry() -> None:
    world = make_world()
    item = article(world.own, title_th="การคัดแยกขยะ")
    item.search_entry.delete()
    assert _titles("ขยะ") == []
    assert reindex() == 1
    assert _titles("ขยะ") == ["การคัดแยกขยะ"]


def test_an_empty_query_finds_nothing() -> None:
    world = make_world()
    article(world.own)
    assert _titles("") == [] and _titles("  ... ") == []
