"""The knowledge JSON API: list and search with visibility, detail, create, comment."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.core.tokens import issue_token
from libcoop.knowledge.models import ArticleStatus, Comment, KnowledgeArticle
from libcoop.network.abilities import SYSTEM
from tests.knowledge.factories import World, article, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def _auth(user: Any) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {issue_token(user, 'api', acting_user=SYSTEM)}",
        "Accept-Language": "en",  # error messages are checked in English
    }


def test_list_search_and_filters(world: World) -> None:
    waste = article(
        world.own,
        title_th="การคัดแยกขยะในห้องสมุด",
        tags=["waste"],
        on=datetime.date(2023, 1, 1),
    )
    energy = article(
        world.member,
        kind="article",
        title_th="ประหยัดพลังงาน",
        tags=["energy"],
        visibility="network",
        network=world.network,
        on=datetime.date(2024, 1, 1),
    )
    client = Client()
    everything = client.get("/api/knowledge/articles").json()
    assert [a["id"] for a in everything] == [waste.pk]  # anonymous: public only
    first = everything[0]
    assert first["institution"] == "OWN-LIB" and first["tags"] == ["waste"]
    assert first["page"] == f"/knowledge/{waste.pk}/" and first["published"] == "2023-01-01"
    headers = _auth(world.users["member_librarian"])
    listed = client.get("/api/knowledge/articles", headers=headers).json()
    assert [a["id"] for a in listed] == [energy.pk, waste.pk]  # newest first
    assert [
        a["id"] for a in client.get("/api/knowledge/articles", {"q": "ขยะ"}, headers=headers).json()
    ] == [waste.pk]
    for params, expected in [
        ({"tag": "energy"}, [energy.pk]),
        ({"kind": "article"}, [energy.pk]),
        ({"institution": "OWN-LIB"}, [waste.pk]),
        ({"network": "GREEN"}, [energy.pk]),
        ({"limit": 1, "offset": 1}, [waste.pk]),
    ]:
        got = client.get("/api/knowledge/articles", params, headers=headers).json()
        assert [a["id"] for a in got] == expected, params
    assert client.get("/api/knowledge/articles", {"limit": 0}).status_code == 422


def test_detail_has_files_and_comments(world: World) -> None:
    item = article(world.own, title_th="ลดการใช้กระดาษ", body_th="ส่งทางอีเมล")
    from libcoop.knowledge import services

    services.add_comment(
        item, body="ใช้ระบบอะไรคะ", kind="question", acting_user=world.users["member_librarian"]
    )
    data = Client().get(f"/api/knowledge/articles/{item.pk}").json()
    assert data["body_th"] == "ส่งทางอีเมล" and data["files"] == []
    [comment] = data["comments"]
    assert comment["kind"] == "question" and comment["institution"] == "MEMBER-LIB"
    assert Client().get("/api/knowledge/articles/999999").status_code == 404


def test_create_needs_a_token_and_own_staff(world: World) -> None:
    payload = {
        "kind": "practice",
        "visibility": "network",
        "network": "GREEN",
        "title_th": "ประหยัดน้ำในห้องสมุด",
        "tags": ["water"],
        "publish": True,
    }
    client = Client()
    assert (
        client.post("/api/knowledge/articles", payload, content_type="application/json").status_code
        == 401
    )
    refused = client.post(
        "/api/knowledge/articles",
        {**payload, "institution": "OWN-LIB"},
        content_type="application/json",
        headers=_auth(world.users["member_librarian"]),
    )
    assert refused.status_code == 403
    made = client.post(
        "/api/knowledge/articles",
        payload,
        content_type="application/json",
        headers=_auth(world.users["own_librarian"]),
    )
    assert made.status_code == 201, made.content
    item = KnowledgeArticle.objects.get()
    assert made.json()["id"] == item.pk and item.institution == world.own
    assert item.status == ArticleStatus.PUBLISHED
    assert AuditEvent.objects.filter(
        verb=AuditVerb.ARTICLE_CREATED, object_id=str(item.pk)
    ).exists()
    bad = client.post(
        "/api/knowledge/articles",
        {**payload, "network": "OTHERNET"},
        content_type="application/json",
        headers=_auth(world.users["own_librarian"]),
    )
    assert bad.status_code == 400 and "not a member" in bad.json()["detail"]


def test_comment_through_the_api(world: World) -> None:
    item = article(world.own, visibility="network", network=world.network)
    client = Client()
    url = f"/api/knowledge/articles/{item.pk}/comments"
    body = {"body": "มีแบบฟอร์มให้ดูไหมคะ", "kind": "question"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    hidden = client.post(
        url, body, content_type="application/json", headers=_auth(world.users["outsider_librarian"])
    )
    assert hidden.status_code == 404  # the outsider cannot see the article at all
    made = client.post(
        url, body, content_type="application/json", headers=_auth(world.users["member_librarian"])
    )
    assert made.status_code == 201 and made.json()["institution"] == "MEMBER-LIB"
    reply = client.post(
        url,
        {"body": "มีค่ะ", "kind": "answer", "parent": made.json()["id"]},
        content_type="application/json",
        headers=_auth(world.users["own_librarian"]),
    )
    assert reply.status_code == 201 and reply.json()["parent"] == made.json()["id"]
    patron = client.post(
        f"/api/knowledge/articles/{article(world.own).pk}/comments",
        body,
        content_type="application/json",
        headers=_auth(world.users["patron"]),
    )
    assert patron.status_code == 403
    assert Comment.objects.count() == 2
