"""An embargo ends by the calendar, with no manual step (a moved clock; SQLite and
PostgreSQL): before the date the file is refused on its URL and its body text is not found
anonymously; the daily job run by the operations scheduler after the date indexes the text
publicly, and records it once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.ops import services as ops_services
from libcoop.ops.jobs import all_jobs
from libcoop.repository import access, periodic, search
from libcoop.repository.models import Access, Item
from tests.repository.deposit_world import World, make_world
from tests.repository.test_search import BODY_WORD, deposit_pdf

pytestmark = pytest.mark.django_db

ENDS = datetime.date(2031, 3, 1)


@pytest.fixture
def world(db: None) -> World:
    return make_world()


class Clock:
    """Moves the day the access rule judges on (``access.today``) and the scheduler's time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.day = datetime.date.today()

    def set(self, day: datetime.date) -> None:
        self.day = day
        self.monkeypatch.setattr(access, "today", lambda: day)

    def now(self) -> datetime.datetime:
        return datetime.datetime.combine(self.day, datetime.time(3, 0), tzinfo=datetime.UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _file_url(item: Item) -> str:
    file = item.files.get()
    return f"/repository/{item.pk}/files/{file.pk}/"


def _scheduler_runs(clock: Clock) -> list[str]:
    """What the worker's keeper does every minute: queue the due schedules (tests run a
    queued task at once)."""
    ops_services.ensure_schedules(clock.now())
    return ops_services.queue_due(clock.now())


def _ended_events(item: Item) -> Any:
    return AuditEvent.objects.filter(
        verb=AuditVerb.REPO_EMBARGO_ENDED, object_id=str(item.pk), object_type="repository.item"
    )


def test_the_job_is_registered_as_a_daily_periodic_job() -> None:
    job = all_jobs()["repository.end_embargoes"]
    assert job.every_minutes == 24 * 60
    assert job.run is periodic.end_embargoes


def test_an_embargoed_file_is_refused_until_its_date_then_served_and_found(
    world: World, clock: Clock
) -> None:
    clock.set(ENDS - datetime.timedelta(days=1))
    item = deposit_pdf(world, access=Access.EMBARGO, embargo_until=ENDS.isoformat())
    anonymous = Client()

    # the day before: refused on the file URL, not found by its body word, nothing to do
    assert anonymous.get(_file_url(item)).status_code in (403, 404)
    assert search.search(BODY_WORD).hits == []
    assert search._public().search(BODY_WORD) == []
    assert "repository.end_embargoes" in _scheduler_runs(clock)
    assert search.search(BODY_WORD).hits == []
    assert not _ended_events(item).exists()

    # the day it ends: served at once (the rule reads the date), found after the daily job
    clock.set(ENDS)
    before = Item.objects.get(pk=item.pk).updated
    response = anonymous.get(_file_url(item))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert "repository.end_embargoes" in _scheduler_runs(clock)
    result = search.search(BODY_WORD)
    assert [hit.item.pk for hit in result.hits] == [item.pk]
    assert f"<mark>{BODY_WORD}</mark>" in result.hits[0].snippet_html
    events = list(_ended_events(item))
    assert len(events) == 1
    assert events[0].data["embargo_until"] == ENDS.isoformat()
    assert events[0].data["access_now"] == "open"
    assert Item.objects.get(pk=item.pk).updated > before  # harvesters see the change

    # the next day: the job runs again and changes nothing, audits nothing more
    clock.set(ENDS + datetime.timedelta(days=1))
    assert periodic.end_embargoes() == "0 embargo(es) ended"
    assert _ended_events(item).count() == 1
    assert [hit.item.pk for hit in search.search(BODY_WORD).hits] == [item.pk]


def test_an_embargo_that_ends_in_a_restricted_level(world: World, clock: Clock) -> None:
    clock.set(ENDS - datetime.timedelta(days=1))
    item = deposit_pdf(
        world,
        access=Access.EMBARGO,
        embargo_until=ENDS.isoformat(),
        access_after_embargo=Access.INSTITUTION,
    )
    patron = world.user("patron_own")
    assert search.search(BODY_WORD, user=patron).hits == []  # embargoed for everyone
    clock.set(ENDS + datetime.timedelta(days=3))  # a missed run or two: handled the same
    assert periodic.end_embargoes() == "1 embargo(es) ended"
    assert [h.item.pk for h in search.search(BODY_WORD, user=patron).hits] == [item.pk]
    assert search.search(BODY_WORD).hits == []  # anonymous: still not public
    assert search._public().search(BODY_WORD) == []
    assert _ended_events(item).get().data["access_now"] == "institution"


def test_an_embargo_moved_later_is_handled_again_on_its_new_date(
    world: World, clock: Clock
) -> None:
    clock.set(ENDS)
    item = deposit_pdf(world, access=Access.EMBARGO, embargo_until=ENDS.isoformat())
    assert periodic.end_embargoes() == "1 embargo(es) ended"
    later = ENDS + datetime.timedelta(days=30)
    Item.objects.filter(pk=item.pk).update(embargo_until=later)
    search.index_item(item.pk)  # what the access change's service does after commit
    assert search.search(BODY_WORD).hits == []
    clock.set(later)
    assert periodic.end_embargoes() == "1 embargo(es) ended"
    assert [h.item.pk for h in search.search(BODY_WORD).hits] == [item.pk]
    assert _ended_events(item).count() == 2
