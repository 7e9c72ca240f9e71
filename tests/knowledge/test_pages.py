"""Knowledge pages through the Django test client: list, search, filters, detail, forms,
status changes and the comment thread."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.knowledge import services
from libcoop.knowledge.models import ArticleStatus, Comment, KnowledgeArticle
from libcoop.network.abilities import SYSTEM
from tests.knowledge.factories import PDF, World, article, make_world

pytestmark = pytest.mark.django_db


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world() -> World:
    return make_world()


def test_the_list_shows_what_the_reader_may_see_and_the_nav_links_it(world: World) -> None:
    article(world.own, title_th="การคัดแยกขยะในห้องสมุด", tags=["waste"])
    article(world.own, visibility="institution", title_th="แผนภายในของห้องสมุด")
    html = Client().get("/knowledge/").content.decode()
    assert "การคัดแยกขยะในห้องสมุด" in html and "แผนภายในของห้องสมุด" not in html
    assert 'href="/knowledge/"' in Client().get("/").content.decode()
    own = _client(world.users["own_librarian"]).get("/knowledge/").content.decode()
    assert "แผนภายในของห้องสมุด" in own and 'id="new-article"' in own
    assert (
        'id="new-article"' not in _client(world.users["patron"]).get("/knowledge/").content.decode()
    )


def test_htmx_filtering_returns_only_the_rows(world: World) -> None:
    article(world.own, title_th="การคัดแยกขยะในห้องสมุด", tags=["waste"], kind="practice")
    article(world.member, title_th="ประหยัดพลังงาน", tags=["energy"], kind="article")
    client = Client()
    partial = client.get("/knowledge/", {"q": "ขยะ"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<html" not in html and "การคัดแยกขยะในห้องสมุด" in html
    assert "ประหยัดพลังงาน" not in html
    by_tag = client.get("/knowledge/", {"tag": "energy"}).content.decode()
    assert "ประหยัดพลังงาน" in by_tag and "การคัดแยกขยะในห้องสมุด" not in by_tag
    by_kind = client.get("/knowledge/", {"kind": "practice"}).content.decode()
    assert "การคัดแยกขยะในห้องสมุด" in by_kind and "ประหยัดพลังงาน" not in by_kind
    by_inst = client.get("/knowledge/", {"institution": "MEMBER-LIB"}).content.decode()
    assert "ประหยัดพลังงาน" in by_inst and "การคัดแยกขยะในห้องสมุด" not in by_inst


def test_the_detail_page_shows_files_and_the_thread(
    world: World, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    item = article(
        world.own,
        visibility="network",
        network=world.network,
        title_th="ลดการใช้กระดาษ",
        body_th="ย่อหน้าแรก\n\nย่อหน้าที่สอง <script>",
        tags=["paper"],
        on=datetime.date(2024, 6, 3),
    )
    services.add_attachment(item, [PDF], name="คู่มือ.pdf", acting_user=SYSTEM)
    services.add_comment(
        item, body="ใช้ระบบอะไรคะ", kind="question", acting_user=world.users["member_librarian"]
    )
    html = _client(world.users["member_librarian"]).get(f"/knowledge/{item.pk}/").content.decode()
    assert "<p>ย่อหน้าแรก</p>" in html and "&lt;script&gt;" in html  # paragraphs, escaped
    assert "คู่มือ.pdf" in html and "ใช้ระบบอะไรคะ" in html
    assert "3 มิถุนายน 2567" in html  # Buddhist era in Thai
    assert 'id="comment-form"' in html and 'id="edit-article"' not in html
    anonymous = Client().get(f"/knowledge/{item.pk}/")
    assert anonymous.status_code == 404


def test_english_switch(world: World) -> None:
    item = article(
        world.own, title_th="การคัดแยกขยะ", title_en="Waste sorting", on=datetime.date(2024, 6, 3)
    )
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/knowledge/"})
    html = client.get(f"/knowledge/{item.pk}/").content.decode()
    assert '<html lang="en">' in html and "Waste sorting" in html and "3 June 2024" in html


def test_staff_create_and_publish_through_the_form(world: World) -> None:
    client = _client(world.users["own_librarian"])
    form = client.get("/knowledge/new/").content.decode()
    assert 'value="GREEN"' in form and 'value="OTHERNET"' not in form  # own networks only
    response = client.post(
        "/knowledge/new/",
        {
            "kind": "practice",
            "title_th": "ลดการใช้กระดาษในงานยืมคืน",
            "body_th": "ส่งใบกำหนดส่งทางอีเมล",
            "visibility": "network",
            "network": "GREEN",
            "tags": ["paper"],
            "publish": "1",
        },
    )
    item = KnowledgeArticle.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/knowledge/{item.pk}/"
    assert item.status == ArticleStatus.PUBLISHED and item.institution == world.own
    assert item.network == world.network and [t.code for t in item.tags.all()] == ["paper"]


def test_create_and_publish_is_one_transaction(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If publishing fails, the article is not left behind as a draft (nor audited)."""
    from django.core.exceptions import ValidationError

    from libcoop.audit.models import AuditEvent
    from libcoop.knowledge import services

    def refuse(*args: object, **kwargs: object) -> None:
        raise ValidationError("publishing refused")

    monkeypatch.setattr(services, "publish_article", refuse)
    events = AuditEvent.objects.count()
    client = _client(world.users["own_librarian"])
    data = {"kind": "practice", "title_th": "ปิดไฟ", "visibility": "public", "publish": "1"}
    response = client.post("/knowledge/new/", data)
    assert response.status_code == 200 and "publishing refused" in response.content.decode()
    assert not KnowledgeArticle.objects.exists()
    assert AuditEvent.objects.count() == events
    del data["publish"]  # saving as a draft still works
    assert client.post("/knowledge/new/", data).status_code == 302
    assert KnowledgeArticle.objects.get().status == ArticleStatus.DRAFT


def test_the_form_reports_missing_fields(world: World) -> None:
    client = _client(world.users["own_librarian"])
    response = client.post("/knowledge/new/", {"kind": "link", "visibility": "network"})
    assert response.status_code == 200
    assert not KnowledgeArticle.objects.exists()
    assert response.context["form"].errors


@pytest.mark.parametrize("user", ["patron", "coordinator", "school_contact"])
def test_only_library_staff_get_the_form(world: World, user: str) -> None:
    assert _client(world.users[user]).get("/knowledge/new/").status_code == 403
    assert Client().get("/knowledge/new/").status_code == 302  # to the login page


def test_edit_publish_and_withdraw(world: World) -> None:
    item = article(world.own, title_th="ร่างแนวปฏิบัติ", publish=False)
    client = _client(world.users["own_admin"])
    page = client.get(f"/knowledge/{item.pk}/").content.decode()
    assert 'id="publish-article"' in page and 'id="withdraw-article"' in page
    response = client.post(
        f"/knowledge/{item.pk}/edit/",
        {"kind": "practice", "title_th": "แนวปฏิบัติฉบับแก้ไข", "visibility": "public"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title_th == "แนวปฏิบัติฉบับแก้ไข"
    client.post(f"/knowledge/{item.pk}/publish/")
    item.refresh_from_db()
    assert item.status == ArticleStatus.PUBLISHED
    other = _client(world.users["member_librarian"])
    assert other.post(f"/knowledge/{item.pk}/withdraw/").status_code == 403
    assert other.get(f"/knowledge/{item.pk}/edit/").status_code == 403
    client.post(f"/knowledge/{item.pk}/withdraw/")
    item.refresh_from_db()
    assert item.status == ArticleStatus.WITHDRAWN
    assert Client().get(f"/knowledge/{item.pk}/").status_code == 404


def test_comment_reply_and_remove_through_the_page(world: World) -> None:
    item = article(world.own, visibility="network", network=world.network)
    asker = _client(world.users["member_librarian"])
    response = asker.post(
        f"/knowledge/{item.pk}/comments/", {"kind": "question", "body": "ทำอย่างไรคะ"}
    )
    assert response.status_code == 302
    question = Comment.objects.get()
    assert question.institution == world.member
    owner = _client(world.users["own_librarian"])
    owner.post(
        f"/knowledge/{item.pk}/comments/",
        {"kind": "answer", "body": "ตอบคำถาม", "parent": question.pk},
    )
    answer = Comment.objects.get(parent=question)
    assert answer.kind == "answer" and answer.institution == world.own
    html = asker.get(f"/knowledge/{item.pk}/").content.decode()
    assert "ทำอย่างไรคะ" in html and "ตอบคำถาม" in html
    outsider = _client(world.users["outsider_librarian"])
    assert outsider.post(f"/knowledge/{item.pk}/comments/", {"body": "x"}).status_code == 404
    assert outsider.post(f"/knowledge/comments/{answer.pk}/remove/").status_code == 404
    assert asker.post(f"/knowledge/comments/{answer.pk}/remove/").status_code == 403
    owner.post(f"/knowledge/comments/{question.pk}/remove/")
    question.refresh_from_db()
    assert question.removed is not None
    html = asker.get(f"/knowledge/{item.pk}/").content.decode()
    assert "ทำอย่างไรคะ" not in html and "ตอบคำถาม" in html
    assert AuditEvent.objects.filter(verb=AuditVerb.COMMENT_REMOVED).count() == 1


def test_anonymous_readers_are_asked_to_log_in_to_comment(world: World) -> None:
    item = article(world.own)
    html = Client().get(f"/knowledge/{item.pk}/").content.decode()
    assert 'id="comment-form"' not in html and "/accounts/login/" in html
    response = Client().post(f"/knowledge/{item.pk}/comments/", {"body": "x"})
    assert response.status_code == 302 and not Comment.objects.exists()


def test_demo_knowledge_pages_render_in_both_languages(
    demo_registry: None, settings: Any, tmp_path: Any
) -> None:
    from libcoop.knowledge.demo import load_demo

    settings.MEDIA_ROOT = tmp_path
    load_demo()
    client = Client()
    listing = client.get("/knowledge/").content.decode()
    assert "MFU Green Corner" in listing and "ฉบับใช้ภายใน" not in listing
    green_corner = KnowledgeArticle.objects.get(title_en__startswith="MFU Green Corner")
    html = client.get(f"/knowledge/{green_corner.pk}/").content.decode()
    assert "โรงเรียนธารทิพย์" in html and "ตัวอย่าง" in html  # marked as demo content
    client.post("/i18n/setlang/", {"language": "en", "next": "/knowledge/"})
    english = client.get(f"/knowledge/{green_corner.pk}/").content.decode()
    assert "Than Thip School" in english and "illustrative" in english
    coordinator = Client()
    from django.contrib.auth import get_user_model

    from libcoop.network.demo import ensure_demo_accounts

    ensure_demo_accounts()
    coordinator.force_login(get_user_model().objects.get(username="gln.coordinator"))
    shared = coordinator.get("/knowledge/", {"tag": "paper"}).content.decode()
    assert "ลดการใช้กระดาษในงานบริการยืม-คืน" in shared  # shared with GLN members only
