"""The cross-app read contract of knowledge (docs/contracts.md) and the demo loader."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest

from libcoop.knowledge import services
from libcoop.knowledge.demo import load_demo
from libcoop.knowledge.models import Comment, KnowledgeArticle
from libcoop.knowledge.queries import (
    ArticleFact,
    article_exists_for,
    contributions_of,
    growth_of_network,
)
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Network
from tests.factories import MembershipFactory
from tests.knowledge.factories import World, article, make_world

pytestmark = pytest.mark.django_db

THIS_YEAR = datetime.date.today().year


@pytest.fixture
def world() -> World:
    return make_world()


def test_contributions_of(world: World) -> None:
    old = article(
        world.own,
        kind="practice",
        title_th="คัดแยกขยะ",
        title_en="Waste sorting",
        tags=["waste", "outreach"],
        on=datetime.date(2022, 3, 1),
    )
    internal = article(
        world.own, visibility="institution", title_th="แผนภายใน", on=datetime.date(2023, 5, 1)
    )
    article(world.own, title_th="ร่าง", publish=False)
    withdrawn = article(world.own, title_th="ถอนแล้ว", on=datetime.date(2023, 1, 1))
    services.withdraw_article(withdrawn, acting_user=SYSTEM)
    article(world.member, title_th="ของห้องสมุดอื่น", on=datetime.date(2022, 1, 1))

    facts = contributions_of(world.own)
    assert [f.pk for f in facts] == [old.pk, internal.pk]  # oldest first, any visibility
    first = facts[0]
    assert isinstance(first, ArticleFact) and dataclasses.is_dataclass(first)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.title = "x"  # type: ignore[misc]
    assert first.title == "คัดแยกขยะ" and first.kind == "practice"
    assert first.tags == ["ขยะและของเสีย", "การบริการวิชาการและชุมชน"]
    assert first.published == datetime.date(2022, 3, 1)
    assert first.institution_code == "OWN-LIB" and first.url == f"/knowledge/{old.pk}/"
    english = contributions_of(world.own, lang="en")[0]
    assert english.title == "Waste sorting" and english.kind_label == "Practice"
    assert english.tags == ["Waste", "Outreach"]
    fallback = contributions_of(world.own, lang="en")[1]
    assert fallback.title == "แผนภายใน"  # no English title: the Thai one
    assert [f.pk for f in contributions_of(world.own, year=2023)] == [internal.pk]


def test_growth_of_network(world: World) -> None:
    network = world.network
    for year, institution in [
        (THIS_YEAR, world.own),
        (THIS_YEAR, world.member),
        (THIS_YEAR - 2, world.own),
        (THIS_YEAR - 9, world.own),  # before the window
    ]:
        article(institution, on=datetime.date(year, 2, 1))
    article(world.outsider, on=datetime.date(THIS_YEAR, 2, 1))  # not a member
    article(world.own, publish=False)
    # joined last year: its earlier articles do not count for the network
    late = Institution.objects.create(code="LATE-LIB", kind="university_library", name_en="Late")
    MembershipFactory(institution=late, network=network, start=datetime.date(THIS_YEAR - 1, 1, 1))
    article(late, on=datetime.date(THIS_YEAR - 3, 6, 1))
    article(late, on=datetime.date(THIS_YEAR - 1, 6, 1))

    growth = growth_of_network(network)
    assert growth == [
        (THIS_YEAR - 4, 0),
        (THIS_YEAR - 3, 0),
        (THIS_YEAR - 2, 1),
        (THIS_YEAR - 1, 1),
        (THIS_YEAR, 2),
    ]
    assert growth_of_network(network, years=2) == [(THIS_YEAR - 1, 1), (THIS_YEAR, 2)]
    assert growth_of_network(world.other_network, years=1) == [(THIS_YEAR, 1)]


def test_article_exists_for(world: World) -> None:
    mine = article(world.own)
    draft = article(world.own, publish=False)
    theirs = article(world.member)
    assert article_exists_for(world.own, mine.pk)
    assert not article_exists_for(world.own, draft.pk)
    assert not article_exists_for(world.own, theirs.pk)
    assert not article_exists_for(world.own, 999999)


def test_demo_knowledge_loads_once(demo_registry: None, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    summary = load_demo()
    assert summary.startswith("Knowledge: 10 new of 10 articles")
    assert load_demo() == "Knowledge: 0 new of 10 articles, 0 new comments, 0 new files"
    assert KnowledgeArticle.objects.count() == 10
    assert KnowledgeArticle.objects.filter(status="published").count() == 10
    assert set(KnowledgeArticle.objects.values_list("visibility", flat=True)) == {
        "public",
        "network",
        "institution",
    }
    mfu = Institution.objects.get(code="MFU-LIB")
    titles = [f.title for f in contributions_of(mfu, lang="en")]
    assert any("Green Corner" in t for t in titles)
    assert Comment.objects.filter(parent__isnull=False).exists()  # questions were answered
    assert sum(n for _, n in growth_of_network(Network.objects.get(code="GLN"))) > 0


def test_contributions_of_for_a_reader(world: World) -> None:
    """With ``reader``, only what that reader may read is named (a public page's titles)."""
    from django.contrib.auth.models import AnonymousUser

    public = article(world.own, title_en="Public")
    shared = article(world.own, visibility="network", network=world.network, title_en="Shared")
    internal = article(world.own, visibility="institution", title_en="Internal")

    def pks(reader: Any) -> list[int]:
        return [f.pk for f in contributions_of(world.own, reader=reader)]

    assert pks(None) == [public.pk, shared.pk, internal.pk]
    assert pks(AnonymousUser()) == [public.pk]
    assert pks(world.users["member_librarian"]) == [public.pk, shared.pk]
    assert pks(world.users["outsider_librarian"]) == [public.pk]
    assert pks(world.users["own_librarian"]) == [public.pk, shared.pk, internal.pk]
