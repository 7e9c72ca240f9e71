"""A file added to or taken off a published item moves its datestamp on (harvesters working
by date see the change), and the collection page links the statistics for those who may see
them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from libcoop.network.abilities import SYSTEM
from libcoop.repository import services
from libcoop.repository.models import Item
from tests.repository.deposit_world import World, pdf_bytes, published, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db(transaction=True)


def _age(item: Item) -> datetime.datetime:
    """Pretend the item was last changed a day ago, and return that moment."""
    then = timezone.now() - datetime.timedelta(days=1)
    Item.objects.filter(pk=item.pk).update(updated=then)
    return then


def test_adding_a_file_moves_the_datestamp(world: World) -> None:
    item = published(world.own)
    then = _age(item)
    services.add_file(item, services.Upload("more.pdf", pdf_bytes("more")), acting_user=SYSTEM)
    assert Item.objects.get(pk=item.pk).updated > then


def test_removing_a_file_moves_the_datestamp(world: World) -> None:
    item = published(world.own, files=2)
    then = _age(item)
    services.remove_file(item.files.last(), acting_user=SYSTEM)
    assert Item.objects.get(pk=item.pk).updated > then


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("anonymous", False),
        ("patron_own", False),
        ("librarian_own", True),
        ("coordinator", True),
        ("superuser", True),
    ],
)
def test_the_collection_page_links_statistics_for_those_who_see_them(
    world: World, role: str, shown: bool
) -> None:
    published(world.own)
    client = Client()
    user = world.user(role)
    if user.is_authenticated:
        client.force_login(user)
    page = client.get(reverse("repository:collection")).content.decode()
    assert ('id="collection-stats"' in page) is shown
    if shown:
        assert client.get(reverse("repository_open:stats")).status_code == 200
