"""Searching the digital collection (SQLite and PostgreSQL): a deposited Thai PDF found by a
word only in its body text with the word intact in the snippet; metadata above body text;
restricted text never in an anonymous search; facets, browse, the pages and the CLI."""

from __future__ import annotations

import functools
import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, TestCase

from libcoop.network.abilities import SYSTEM
from libcoop.repository import search, services
from libcoop.repository.models import Access, FileText, Item, ItemFile, ItemStatus
from tests.repository.deposit_world import METADATA, World, make_world

pytestmark = pytest.mark.django_db

# A word that is in no title, abstract or keyword below: only in the PDF's body text.
BODY_WORD = "ผักกาดก้านขาว"
BODY = "บทที่ ๑ บทนำ การศึกษานี้สำรวจแปลงปลูก" + BODY_WORD + "ของเกษตรกรในอำเภอแม่จัน และการใช้น้ำในฤดูแล้ง"


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@functools.cache
def thai_pdf(body: str) -> bytes:
    """A real two-page Thai PDF (text layer, Sarabun) whose second page is *body*."""
    from libcoop.repository.demo_pdfs import text_pdf

    return text_pdf("รายงานการวิจัย", ["หน้าแรก", body], page_breaks=[1])


def deposit_pdf(world: World, *, body: str = BODY, **access: Any) -> Item:
    """Deposit a real Thai PDF through the service and publish it, running what the commits
    queue as a worker would (tests run tasks at once): the file task extracts the text and
    asks search to index the item; publishing indexes it again."""
    upload = services.Upload("report.pdf", thai_pdf(body))
    with TestCase.captureOnCommitCallbacks(execute=True):
        item = services.create_item(world.own, METADATA, [upload], acting_user=SYSTEM, **access)
    assert item.files.get().text_status == "extracted"
    with TestCase.captureOnCommitCallbacks(execute=True):
        item = services.publish_through(item, acting_user=SYSTEM)
    return item


def an_item(world: World, pages: list[str] | None = None, **fields: Any) -> Item:
    """A published item made directly (for ranking and facet cases), its text given."""
    values: dict[str, Any] = {
        "institution": world.own,
        "item_type": "research_report",
        "title": "รายงาน",
        "year": 2020,
        "status": ItemStatus.PUBLISHED,
    }
    values.update(fields)
    item = Item.objects.create(**values)
    if pages is not None:
        file = ItemFile.objects.create(
            item=item, sha256="0" * 64, size=1, kind="pdf", content_type="application/pdf"
        )
        FileText.objects.create(file=file, pages=pages)
    search.index_item(item.pk)
    return item


def ids(result: search.SearchResult) -> list[int]:
    return [hit.item.pk for hit in result.hits]


def test_a_deposited_thai_pdf_is_found_by_a_word_only_in_its_body(world: World) -> None:
    item = deposit_pdf(world)
    text = " ".join(FileText.objects.get(file__item=item).pages)
    assert BODY_WORD in text
    assert BODY_WORD not in json.dumps(search.metadata_fields(item), ensure_ascii=False)
    result = search.search(BODY_WORD)
    assert ids(result) == [item.pk]
    hit = result.hits[0]
    assert not hit.in_metadata
    assert hit.snippet is not None
    assert f"<mark>{BODY_WORD}</mark>" in hit.snippet_html
    assert BODY_WORD in hit.snippet_text
    # a part of the word, as a reader might type it, finds it too (Thai n-grams)
    assert ids(search.search("ก้านขาว")) == [item.pk]


def test_metadata_hits_rank_above_body_hits(world: World) -> None:
    in_body = an_item(world, ["ข้อมูลเรื่องกาแฟอาราบิก้าในภาคเหนือ"], title="การตลาดชุมชน")
    in_title = an_item(world, [], title="กาแฟอาราบิก้าดอยช้าง")
    in_abstract = an_item(world, [], abstract_th="ศึกษาการแปรรูปกาแฟอาราบิก้า")
    result = search.search("อาราบิก้า")
    assert ids(result) == [in_title.pk, in_abstract.pk, in_body.pk]
    assert [h.in_metadata for h in result.hits] == [True, True, False]


def test_a_query_with_one_word_in_the_title_and_one_in_the_body(world: World) -> None:
    item = an_item(world, ["บันทึกการทดลองปุ๋ยหมักมูลไส้เดือน"], title="เกษตรอินทรีย์")
    assert ids(search.search("เกษตรอินทรีย์ ไส้เดือน")) == [item.pk]


def test_a_long_text_is_indexed_to_its_last_page(world: World) -> None:
    pages = ["หน้าที่ว่างเปล่า " * 400 for _ in range(40)]  # ~ 250,000 characters
    pages[-1] += " คำสุดท้ายคือมะม่วงหิมพานต์"
    item = an_item(world, pages, title="เอกสารยาว")
    assert ids(search.search("หิมพานต์")) == [item.pk]


@pytest.mark.parametrize("level", [Access.NETWORK, Access.INSTITUTION, Access.EMBARGO])
def test_restricted_text_never_appears_in_an_anonymous_search(world: World, level: str) -> None:
    extra = {"embargo_until": "2999-01-01"} if level == Access.EMBARGO else {}
    item = deposit_pdf(world, access=level, **extra)
    anonymous = world.user("anonymous")
    assert ids(search.search(BODY_WORD, user=anonymous)) == []
    assert ids(search.search(BODY_WORD)) == []
    # ... not even in the tables anonymous search reads
    public = search._public().search(BODY_WORD)
    assert public == []
    # its metadata is found, and the snippet shows no file text
    result = search.search("ขยะ", user=anonymous)
    assert ids(result) == [item.pk]
    assert BODY_WORD not in result.hits[0].snippet_text
    # the page and the CLI say the same
    page = Client().get("/repository/search/", {"q": BODY_WORD})
    assert page.status_code == 200
    hits = re.search(r'<ol class="results repository-hits".*?</ol>', page.content.decode(), re.S)
    assert hits is not None and BODY_WORD not in hits.group()
    assert "data-pk" not in hits.group()
    out = StringIO()
    call_command("repository", "search", BODY_WORD, "--json", stdout=out)
    assert out.getvalue() == ""


def test_readers_who_may_open_restricted_files_find_their_text(world: World) -> None:
    item = deposit_pdf(world, access=Access.INSTITUTION)
    for role, found in [
        ("patron_own", True),
        ("librarian_own", True),
        ("superuser", True),
        ("patron_other", False),
        ("anonymous", False),
    ]:
        result = search.search(BODY_WORD, user=world.user(role))
        assert ids(result) == ([item.pk] if found else []), role
        if found:
            assert f"<mark>{BODY_WORD}</mark>" in result.hits[0].snippet_html


def test_network_text_for_members_of_the_network(world: World) -> None:
    item = deposit_pdf(world, access=Access.NETWORK)
    assert ids(search.search(BODY_WORD, user=world.user("patron_other"))) == [item.pk]
    assert ids(search.search(BODY_WORD, user=world.user("coordinator"))) == [item.pk]


def test_withdrawn_and_unpublished_items_are_not_found(world: World) -> None:
    item = deposit_pdf(world)
    services.withdraw(item, "duplicate deposit", acting_user=SYSTEM)
    search.index_item(item.pk)
    assert ids(search.search(BODY_WORD)) == []
    draft = services.create_item(world.own, METADATA, acting_user=SYSTEM)
    search.index_item(draft.pk)
    assert ids(search.search("ขยะ")) == []


def test_changing_access_moves_the_text_between_indexes(world: World) -> None:
    item = deposit_pdf(world)
    assert ids(search.search(BODY_WORD)) == [item.pk]
    Item.objects.filter(pk=item.pk).update(access=Access.INSTITUTION)
    # not yet re-indexed: the body hit is refused because the text is not public today
    assert ids(search.search(BODY_WORD)) == []
    search.index_item(item.pk)
    assert search._public().search(BODY_WORD) == []
    assert ids(search.search(BODY_WORD, user=world.user("patron_own"))) == [item.pk]


def test_facets_filters_and_browse(world: World) -> None:
    a = an_item(world, [], title="น้ำท่วมเชียงราย", year=2020, discipline="ภูมิศาสตร์")
    b = an_item(world, [], title="น้ำท่วมลำพูน", year=2021, item_type="thesis", language="eng")
    c = an_item(world, [], title="น้ำท่วมน่าน", year=2021, institution=world.other)
    result = search.search("น้ำท่วม")
    assert set(ids(result)) == {a.pk, b.pk, c.pk}
    years = {f.value: f.count for f in result.facets["year"]}
    assert years == {"2021": 2, "2020": 1}
    libraries = {f.value: f.count for f in result.facets["library"]}
    assert libraries == {world.own.code: 2, world.other.code: 1}
    assert {f.value for f in result.facets["access"]} == {"open"}
    narrowed = search.search("น้ำท่วม", filters={"year": "2021", "type": "thesis"})
    assert ids(narrowed) == [b.pk]
    assert [f.value for f in narrowed.facets["year"] if f.selected] == ["2021"]
    # browse: no query, every published item, the same filters
    browse = search.search("", filters={"library": world.other.code})
    assert ids(browse) == [c.pk]
    everything = search.search("")
    assert everything.total == 3
    assert {f.value: f.count for f in everything.facets["type"]} == {
        "research_report": 2,
        "thesis": 1,
    }
    with pytest.raises(search.SearchError):
        search.search("น้ำท่วม", filters={"year": "soon"})


def test_access_facet_follows_the_embargo_date(world: World) -> None:
    an_item(world, [], title="ยาสมุนไพร", access=Access.EMBARGO, embargo_until="2000-01-01")
    an_item(world, [], title="ยาสมุนไพรพื้นบ้าน", access=Access.EMBARGO, embargo_until="2999-01-01")
    facets = {f.value: f.count for f in search.search("สมุนไพร").facets["access"]}
    assert facets == {"open": 1, "embargo": 1}
    browse = {f.value: f.count for f in search.search("").facets["access"]}
    assert browse == facets
    assert search.search("", filters={"access": "open"}).total == 1


def test_paging_clamps(world: World) -> None:
    for n in range(5):
        an_item(world, [], title=f"ประเพณีท้องถิ่น เล่ม {n}")
    result = search.search("ประเพณี", per_page=2, page=99)
    assert (result.page, result.pages, len(result.hits)) == (3, 3, 1)
    assert search.search("ประเพณี", per_page=2, page=-4).page == 1


def test_search_page_keeps_the_query_in_facet_and_page_links(world: World) -> None:
    for n in range(25):
        an_item(world, [], title=f"ผ้าทอไทลื้อ ลาย {n}", year=2000 + n % 3)
    client = Client()
    page = client.get("/repository/search/", {"q": "ผ้าทอ", "page": "2"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "ผ้าทอไทลื้อ" in html
    links = re.findall(r'href="(/repository/search/\?[^"]*)"', html)
    assert links
    for link in links:
        query = link.split("?", 1)[1].replace("&amp;", "&")
        keys = [part.split("=", 1)[0] for part in query.split("&")]
        assert len(keys) == len(set(keys)), link  # no parameter twice
        assert "q=" in query
    # the year facet link keeps q and shows the year in B.E. on Thai pages
    client.cookies["django_language"] = "th"
    thai = client.get("/repository/search/", {"q": "ผ้าทอ"}, HTTP_ACCEPT_LANGUAGE="th")
    assert "2543" in thai.content.decode()
    too_far = client.get("/repository/search/", {"q": "ผ้าทอ", "page": "999"})
    assert too_far.status_code == 200
    bad = client.get("/repository/search/", {"q": "ผ้าทอ", "year": "x"})
    assert bad.status_code == 400
    browse = client.get("/repository/browse/")
    assert browse.status_code == 200
    assert "/repository/search/?year=2000" in browse.content.decode()
    front = client.get("/repository/").content.decode()  # the collection links to both
    assert 'action="/repository/search/"' in front and 'href="/repository/browse/"' in front


def test_cli_search_prints_json_lines_and_a_table(world: World) -> None:
    item = deposit_pdf(world)
    out = StringIO()
    call_command("repository", "search", BODY_WORD, "--json", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert row["id"] == item.pk
    assert row["title"] == item.title
    assert BODY_WORD in row["snippet"]
    table = StringIO()
    call_command("repository", "search", "ขยะ", "--limit", "5", stdout=table)
    assert str(item.pk) in table.getvalue()
    assert item.title[:20] in table.getvalue()
