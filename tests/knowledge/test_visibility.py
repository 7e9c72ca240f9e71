"""Who reads which article: visibility × reader, through the ability, the list filter, the page
and the API.

The expected table is written from the issue's rules ("public, network members, own
institution"), not read from the code under test.  Each cell is checked four ways; the list
filter (``visible_to``) and the single-object check (``can``) must agree.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from libcoop.core.dates import DatePrecision, PartialDate
from libcoop.core.tokens import issue_token
from libcoop.knowledge.access import visible_to
from libcoop.network import services as network_services
from libcoop.network.abilities import SYSTEM, can
from tests.factories import UserFactory
from tests.knowledge.factories import World, article, make_world

READERS = [
    "anonymous",
    "patron",  # a patron account of the contributing library
    "own_librarian",
    "own_admin",
    "member_librarian",  # staff of another member of the network
    "outsider_librarian",  # staff of a library outside the network
    "coordinator",  # coordinator of the network (profile at a non-member library)
    "assessor",  # assessor of the network
    "other_coordinator",  # coordinator of another network
    "school_contact",  # contact of a partner school of the network
    "superuser",
]
VISIBILITIES = ["public", "network", "institution"]

# (visibility, reader) of a published article → readable. Everything not listed is refused.
READABLE = (
    {("public", r) for r in READERS}
    | {
        ("network", r)
        for r in (
            "own_librarian",
            "own_admin",
            "member_librarian",
            "coordinator",
            "assessor",
            "superuser",
        )
    }
    | {("institution", r) for r in ("own_librarian", "own_admin", "superuser")}
)
# A draft or withdrawn article: its own institution's staff and superusers only.
READS_DRAFTS = {"own_librarian", "own_admin", "superuser"}


def _reader(world: World, name: str) -> Any:
    if name == "anonymous":
        return AnonymousUser()
    if name == "superuser":
        user = UserFactory(is_superuser=True, is_staff=True)
        user.save()
        return user
    return world.users[name]


def _make(world: World, visibility: str, *, publish: bool = True) -> Any:
    network = world.network if visibility == "network" else None
    return article(world.own, visibility=visibility, network=network, publish=publish)


def _page_status(reader: Any, pk: int) -> int:
    client = Client()
    if not isinstance(reader, AnonymousUser):
        client.force_login(reader)
    return client.get(f"/knowledge/{pk}/").status_code


def _api_status(reader: Any, pk: int) -> int:
    headers = {}
    if not isinstance(reader, AnonymousUser):
        headers["Authorization"] = f"Bearer {issue_token(reader, 't', acting_user=SYSTEM)}"
    return Client().get(f"/api/knowledge/articles/{pk}", headers=headers).status_code


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("reader_name", READERS)
def test_published_article_matrix(visibility: str, reader_name: str) -> None:
    world = make_world()
    reader = _reader(world, reader_name)
    item = _make(world, visibility)
    expected = (visibility, reader_name) in READABLE

    assert can(reader, "knowledge.read", item) is expected
    assert visible_to(reader).filter(pk=item.pk).exists() is expected
    assert _page_status(reader, item.pk) == (200 if expected else 404)
    assert _api_status(reader, item.pk) == (200 if expected else 404)
    listed = Client()
    if not isinstance(reader, AnonymousUser):
        listed.force_login(reader)
    ids = [a["id"] for a in listed.get("/api/knowledge/articles").json()]
    assert (item.pk in ids) is expected


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "withdrawn"])
@pytest.mark.parametrize("reader_name", READERS)
def test_unpublished_article_is_for_its_own_staff(status: str, reader_name: str) -> None:
    world = make_world()
    reader = _reader(world, reader_name)
    item = _make(world, "public", publish=status == "withdrawn")
    if status == "withdrawn":
        from libcoop.knowledge.services import withdraw_article

        withdraw_article(item, acting_user=SYSTEM)
    expected = reader_name in READS_DRAFTS
    assert can(reader, "knowledge.read", item) is expected
    assert visible_to(reader).filter(pk=item.pk).exists() is expected
    assert _page_status(reader, item.pk) == (200 if expected else 404)


@pytest.mark.django_db
def test_an_ended_membership_ends_network_reading() -> None:
    world = make_world()
    item = _make(world, "network")
    reader = world.users["member_librarian"]
    assert can(reader, "knowledge.read", item)
    membership = world.member.memberships.get(network=world.network)
    network_services.end_membership(
        membership,
        PartialDate(datetime.date.today() - datetime.timedelta(days=1), DatePrecision.DAY),
        acting_user=SYSTEM,
    )
    assert not can(reader, "knowledge.read", item)
    assert not visible_to(reader).filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_a_coordinator_of_a_parent_network_reads_its_parts() -> None:
    world = make_world()
    world.network.parent = world.other_network
    world.network.save()
    item = _make(world, "network")
    reader = world.users["other_coordinator"]
    assert can(reader, "knowledge.read", item)
    assert visible_to(reader).filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_search_results_are_filtered_too() -> None:
    world = make_world()
    secret = article(
        world.own, visibility="institution", title_th="แผนลดขยะภายในห้องสมุด", title_en=""
    )
    shared = article(
        world.own,
        visibility="network",
        network=world.network,
        title_th="การคัดแยกขยะในห้องสมุด",
    )
    own = Client()
    own.force_login(world.users["own_librarian"])
    member = Client()
    member.force_login(world.users["member_librarian"])
    ids_own = {a["id"] for a in own.get("/api/knowledge/articles", {"q": "ขยะ"}).json()}
    ids_member = {a["id"] for a in member.get("/api/knowledge/articles", {"q": "ขยะ"}).json()}
    ids_anon = {a["id"] for a in Client().get("/api/knowledge/articles", {"q": "ขยะ"}).json()}
    assert ids_own == {secret.pk, shared.pk}
    assert ids_member == {shared.pk}
    assert ids_anon == set()
    page = member.get("/knowledge/", {"q": "ขยะ"}).content.decode()
    assert "การคัดแยกขยะในห้องสมุด" in page
    assert "แผนลดขยะภายในห้องสมุด" not in page
