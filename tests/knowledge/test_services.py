"""Knowledge services: the rules they enforce and the audit events they write."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.audit.services import history_of
from libcoop.knowledge import services
from libcoop.knowledge.models import ArticleStatus, Comment, KnowledgeArticle, Tag
from libcoop.network.abilities import SYSTEM
from tests.knowledge.factories import article, make_world

pytestmark = pytest.mark.django_db


def test_the_tag_vocabulary_is_seeded() -> None:
    codes = set(Tag.objects.values_list("code", flat=True))
    assert {"energy", "waste", "water", "paper", "green-procurement", "green-corner"} <= codes
    assert {"ghg", "green-building", "awareness", "outreach"} <= codes
    assert all(t.label_th and t.label_en for t in Tag.objects.all())


def test_staff_create_a_draft_for_their_institution_and_it_is_audited() -> None:
    world = make_world()
    user = world.users["own_librarian"]
    item = services.create_article(
        world.own,
        kind="practice",
        visibility="network",
        network=world.network,
        title_th="ลดการใช้กระดาษในงานยืมคืน",
        body_th="ส่งใบกำหนดส่งทางอีเมล",
        tags=["paper", "waste"],
        contributor_users=[world.users["own_admin"]],
        acting_user=user,
    )
    assert item.status == ArticleStatus.DRAFT and item.published is None
    assert item.created_by == user
    assert sorted(t.code for t in item.tags.all()) == ["paper", "waste"]
    event = history_of(item).get()
    assert event.verb == AuditVerb.ARTICLE_CREATED
    assert event.actor == user and event.institution_code == "OWN-LIB"
    assert event.data["network"] == "GREEN" and event.data["tags"] == ["paper", "waste"]


@pytest.mark.parametrize(
    "user", ["patron", "member_librarian", "coordinator", "assessor", "school_contact"]
)
def test_only_own_staff_write(user: str) -> None:
    world = make_world()
    with pytest.raises(PermissionDenied):
        services.create_article(
            world.own,
            kind="article",
            visibility="public",
            title_th="ไม่ควรถูกสร้าง",
            acting_user=world.users[user],
        )
    item = article(world.own)
    for change in (
        lambda: services.update_article(item, title_th="x", acting_user=world.users[user]),
        lambda: services.withdraw_article(item, acting_user=world.users[user]),
    ):
        with pytest.raises(PermissionDenied):
            change()
    assert not KnowledgeArticle.objects.filter(title_th="ไม่ควรถูกสร้าง").exists()
    item.refresh_from_db()
    assert item.title_th == "แนวปฏิบัติทดสอบ" and item.status == ArticleStatus.PUBLISHED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title_th": " ", "title_en": ""}, "title"),
        ({"kind": "link", "url": ""}, "link"),
        ({"visibility": "network"}, "network"),
    ],
)
def test_invalid_articles_are_refused(fields: dict[str, str], message: str) -> None:
    world = make_world()
    args = {"kind": "article", "visibility": "public", "title_th": "ชื่อเรื่อง", **fields}
    with pytest.raises(ValidationError, match=message):
        services.create_article(world.own, acting_user=world.users["own_admin"], **args)
    assert KnowledgeArticle.objects.count() == 0


def test_an_institution_shares_only_in_its_own_networks() -> None:
    world = make_world()
    with pytest.raises(ValidationError, match="not a member"):
        article(world.own, visibility="network", network=world.other_network)


def test_institution_visibility_drops_the_network() -> None:
    world = make_world()
    item = article(world.own, visibility="public", network=world.network)
    services.update_article(item, visibility="institution", acting_user=SYSTEM)
    item.refresh_from_db()
    assert item.network is None


def test_unknown_tags_are_refused() -> None:
    world = make_world()
    with pytest.raises(ValidationError, match="Unknown tags"):
        article(world.own, tags=["energy", "no-such-tag"])


def test_update_records_old_and_new_values() -> None:
    world = make_world()
    item = article(world.own, tags=["energy"])
    diff = services.update_article(
        item,
        title_en="Saving energy",
        tags=["energy", "water"],
        network=world.network,
        acting_user=world.users["own_admin"],
    )
    assert diff["title_en"] == ["", "Saving energy"]
    assert diff["tags"] == [["energy"], ["energy", "water"]]
    assert diff["network"] == [None, "GREEN"]
    event = history_of(item).filter(verb=AuditVerb.ARTICLE_CHANGED).first()
    assert event is not None and event.data["changes"]["title_en"] == ["", "Saving energy"]
    assert services.update_article(item, title_en="Saving energy", acting_user=SYSTEM) == {}


def test_update_refuses_fields_outside_the_editable_list() -> None:
    world = make_world()
    item = article(world.own)
    with pytest.raises(ValidationError, match="Cannot change"):
        services.update_article(item, institution=world.member, acting_user=SYSTEM)


def test_publish_and_withdraw_follow_the_transition_table() -> None:
    world = make_world()
    user = world.users["own_librarian"]
    item = article(world.own, publish=False)
    assert services.allowed_actions(item) == ["publish", "withdraw"]
    services.publish_article(item, on=datetime.date(2024, 5, 1), acting_user=user)
    assert item.status == ArticleStatus.PUBLISHED and item.published == datetime.date(2024, 5, 1)
    with pytest.raises(ValidationError, match="cannot be published"):
        services.publish_article(item, acting_user=user)
    services.withdraw_article(item, reason="outdated", acting_user=user)
    assert item.status == ArticleStatus.WITHDRAWN
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        services.withdraw_article(item, acting_user=user)
    services.publish_article(item, acting_user=user)  # republished: keeps its first date
    assert item.published == datetime.date(2024, 5, 1)
    verbs = list(history_of(item).order_by("id").values_list("verb", flat=True))
    assert verbs == [
        AuditVerb.ARTICLE_CREATED,
        AuditVerb.ARTICLE_CHANGED,
        AuditVerb.ARTICLE_WITHDRAWN,
        AuditVerb.ARTICLE_CHANGED,
    ]
    withdrawn = history_of(item).get(verb=AuditVerb.ARTICLE_WITHDRAWN)
    assert withdrawn.data == {
        "changes": {"status": ["published", "withdrawn"]},
        "reason": "outdated",
    }


def test_the_database_refuses_a_published_article_without_a_date() -> None:
    world = make_world()
    item = article(world.own, publish=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        KnowledgeArticle.objects.filter(pk=item.pk).update(status="published")


def test_comments_questions_and_answers() -> None:
    world = make_world()
    item = article(world.own, visibility="network", network=world.network)
    asker, answerer = world.users["member_librarian"], world.users["own_librarian"]
    question = services.add_comment(
        item, body="ใช้ซอฟต์แวร์อะไรส่งอีเมลคะ", kind="question", acting_user=asker
    )
    assert question.institution == world.member and question.author == asker
    answer = services.add_comment(
        item, body="ใช้ระบบห้องสมุดเดิมค่ะ", kind="answer", parent=question, acting_user=answerer
    )
    nested = services.add_comment(item, body="ขอบคุณค่ะ", parent=answer, acting_user=asker)
    assert answer.parent == question and nested.parent == question  # one level of replies
    event = history_of(answer).get()
    assert event.verb == AuditVerb.COMMENT_ADDED and event.institution_code == "OWN-LIB"
    assert event.data == {"article": item.pk, "kind": "answer", "parent": question.pk}


def test_comment_rules() -> None:
    world = make_world()
    item = article(world.own, visibility="network", network=world.network)
    member = world.users["member_librarian"]
    with pytest.raises(ValidationError, match="answer replies"):
        services.add_comment(item, body="คำตอบ", kind="answer", acting_user=member)
    with pytest.raises(ValidationError, match="Write something"):
        services.add_comment(item, body="   ", acting_user=member)
    other = article(world.own)
    foreign = services.add_comment(other, body="คำถาม", kind="question", acting_user=member)
    with pytest.raises(ValidationError, match="another article"):
        services.add_comment(item, body="ตอบ", parent=foreign, acting_user=member)
    for name in ("patron", "outsider_librarian"):
        with pytest.raises(PermissionDenied):
            services.add_comment(item, body="สวัสดี", acting_user=world.users[name])
    draft = article(world.own, publish=False)
    with pytest.raises(PermissionDenied):
        services.add_comment(draft, body="สวัสดี", acting_user=member)
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("remover", "allowed"),
    [
        ("member_librarian", True),  # the author
        ("own_admin", True),  # staff of the article's institution
        ("own_librarian", True),
        ("coordinator", False),
        ("outsider_librarian", False),
    ],
)
def test_removing_a_comment(remover: str, allowed: bool) -> None:
    world = make_world()
    item = article(world.own)
    comment = services.add_comment(
        item, body="ข้อความที่จะลบ", acting_user=world.users["member_librarian"]
    )
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.remove_comment(comment, acting_user=world.users[remover])
        comment.refresh_from_db()
        assert comment.removed is None and comment.body == "ข้อความที่จะลบ"
        return
    services.remove_comment(comment, acting_user=world.users[remover])
    comment.refresh_from_db()
    assert comment.removed is not None and comment.body == ""
    event = AuditEvent.objects.get(verb=AuditVerb.COMMENT_REMOVED)
    assert event.data["by_author"] is (remover == "member_librarian")
    with pytest.raises(ValidationError, match="already been removed"):
        services.remove_comment(comment, acting_user=world.users[remover])
