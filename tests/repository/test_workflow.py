"""The item's life (repository/workflow.py): every pair of state × action, allowed or refused;
who may take each step; the guards (publish needs a file or the metadata-only flag, withdraw
needs a reason); one audit entry per step; published_at; the row unchanged when refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.network.abilities import SYSTEM
from libcoop.repository import workflow
from libcoop.repository.models import Item, ItemStatus
from tests.repository.deposit_world import World, deposit, world

__all__ = ["world"]

S = ItemStatus
STATES = [S.DRAFT, S.SUBMITTED, S.APPROVED, S.PUBLISHED, S.WITHDRAWN]
ACTIONS = ["submit", "approve", "return", "publish", "withdraw"]

# (from, action) → to: written from the life of an item, not read from the table.
EXPECTED = {
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "approve"): S.APPROVED,
    (S.SUBMITTED, "return"): S.DRAFT,
    (S.APPROVED, "return"): S.DRAFT,
    (S.APPROVED, "publish"): S.PUBLISHED,
    (S.DRAFT, "withdraw"): S.WITHDRAWN,
    (S.SUBMITTED, "withdraw"): S.WITHDRAWN,
    (S.APPROVED, "withdraw"): S.WITHDRAWN,
    (S.PUBLISHED, "withdraw"): S.WITHDRAWN,
}
# The shortest way to each state from a fresh draft.
PATH = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.APPROVED: ["submit", "approve"],
    S.PUBLISHED: ["submit", "approve", "publish"],
    S.WITHDRAWN: ["withdraw"],
}


def _item_in(world: World, state: str) -> Item:
    item = deposit(world.own)
    for action in PATH[state]:
        workflow.perform(item, action, acting_user=SYSTEM, reason="test", metadata_only=True)
    item.refresh_from_db()
    assert item.status == state
    return item


def _verb(action: str) -> str:
    return {
        "submit": AuditVerb.REPO_ITEM_SUBMITTED,
        "approve": AuditVerb.REPO_ITEM_APPROVED,
        "return": AuditVerb.REPO_ITEM_RETURNED,
        "publish": AuditVerb.REPO_ITEM_PUBLISHED,
        "withdraw": AuditVerb.REPO_ITEM_WITHDRAWN,
    }[action]


def test_the_table_is_the_expected_one() -> None:
    got = {(s, a): t.target for (s, a), t in workflow.TRANSITIONS.items()}
    assert got == EXPECTED


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_state_and_action(world: World, english: None, state: str, action: str) -> None:
    item = _item_in(world, state)
    before = AuditEvent.objects.count()
    admin = world.user("admin_own")
    if (state, action) in EXPECTED:
        workflow.perform(
            item, action, acting_user=admin, reason="Copyright complaint", metadata_only=True
        )
        item.refresh_from_db()
        assert item.status == EXPECTED[(state, action)]
        events = AuditEvent.objects.order_by("-pk")[: AuditEvent.objects.count() - before]
        assert [e.verb for e in events] == [_verb(action)]
        assert events[0].data["status"] == [state, EXPECTED[(state, action)]]
        assert events[0].actor == admin
    else:
        with pytest.raises(ValidationError, match="cannot be done while the item is"):
            workflow.perform(item, action, acting_user=admin, reason="x")
        item.refresh_from_db()
        assert item.status == state
        assert AuditEvent.objects.count() == before


def test_unknown_action_is_an_error(world: World) -> None:
    item = deposit(world.own)
    with pytest.raises(ValidationError, match="Unknown action"):
        workflow.perform(item, "delete", acting_user=SYSTEM)


def test_publish_needs_a_file_or_the_metadata_only_flag(world: World, english: None) -> None:
    item = deposit(world.own, files=0)
    workflow.perform(item, "submit", acting_user=SYSTEM)
    workflow.perform(item, "approve", acting_user=SYSTEM)
    with pytest.raises(ValidationError, match="at least one file"):
        workflow.perform(item, "publish", acting_user=SYSTEM)
    item.refresh_from_db()
    assert item.status == S.APPROVED and item.published_at is None
    workflow.perform(item, "publish", acting_user=SYSTEM, metadata_only=True)
    item.refresh_from_db()
    assert item.status == S.PUBLISHED and item.published_at is not None
    event = AuditEvent.objects.filter(verb=AuditVerb.REPO_ITEM_PUBLISHED).get()
    assert event.data["metadata_only"] is True


def test_publish_sets_published_at(world: World) -> None:
    item = _item_in(world, S.APPROVED)
    assert item.published_at is None
    returned = workflow.perform(
        item, "publish", acting_user=world.user("admin_own"), metadata_only=True
    )
    assert returned.published_at is not None
    assert item.published_at == returned.published_at  # the instance passed in too
    item.refresh_from_db()
    assert item.published_at == returned.published_at


def test_withdraw_needs_a_reason_that_stays(world: World, english: None) -> None:
    item = _item_in(world, S.PUBLISHED)
    for blank in ("", "   "):
        with pytest.raises(ValidationError, match="reason"):
            workflow.perform(item, "withdraw", acting_user=SYSTEM, reason=blank)
    with pytest.raises(ValidationError, match="too long"):
        workflow.perform(item, "withdraw", acting_user=SYSTEM, reason="x" * 2001)
    item.refresh_from_db()
    assert item.status == S.PUBLISHED
    workflow.perform(item, "withdraw", acting_user=SYSTEM, reason=" ละเมิดลิขสิทธิ์ ")
    item.refresh_from_db()
    assert item.status == S.WITHDRAWN and item.withdrawn_reason == "ละเมิดลิขสิทธิ์"
    event = AuditEvent.objects.filter(verb=AuditVerb.REPO_ITEM_WITHDRAWN).get()
    assert event.data["reason"] == "ละเมิดลิขสิทธิ์"


# Who may take each action on library A's item (from the rules in repository/abilities.py's
# docstring: staff submit; the library admin reviews; the admin withdraws, and a coordinator
# of the library's network withdraws a published item). Everyone else is refused.
WHO = {
    "submit": {"librarian_own", "admin_own", "superuser"},
    "approve": {"admin_own", "superuser"},
    "return": {"admin_own", "superuser"},
    "publish": {"admin_own", "superuser"},
    "withdraw": {"admin_own", "superuser"},
}
WITHDRAW_PUBLISHED = {"admin_own", "coordinator", "superuser"}
PEOPLE = [
    "anonymous",
    "patron_own",
    "patron_other",
    "librarian_own",
    "librarian_other",
    "admin_own",
    "admin_other",
    "coordinator",
    "superuser",
]


@pytest.mark.parametrize("role", PEOPLE)
@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.DRAFT, "submit"),
        (S.SUBMITTED, "approve"),
        (S.SUBMITTED, "return"),
        (S.APPROVED, "publish"),
        (S.DRAFT, "withdraw"),
        (S.PUBLISHED, "withdraw"),
    ],
)
def test_who_may_take_each_step(world: World, role: str, state: str, action: str) -> None:
    item = _item_in(world, state)
    allowed = WITHDRAW_PUBLISHED if (state, action) == (S.PUBLISHED, "withdraw") else WHO[action]
    before = AuditEvent.objects.count()
    if role in allowed:
        workflow.perform(item, action, acting_user=world.user(role), reason="r", metadata_only=True)
        item.refresh_from_db()
        assert item.status == EXPECTED[(state, action)]
    else:
        with pytest.raises(PermissionDenied):
            workflow.perform(item, action, acting_user=world.user(role), reason="r")
        item.refresh_from_db()
        assert item.status == state
        assert AuditEvent.objects.count() == before


def test_an_outsider_learns_nothing_about_the_state(world: World) -> None:
    """A step not allowed in the state is refused for permission first, not for the state."""
    item = _item_in(world, S.PUBLISHED)
    with pytest.raises(PermissionDenied):
        workflow.perform(item, "approve", acting_user=world.user("librarian_other"))


def test_coordinator_of_another_network_may_not_withdraw(world: World) -> None:
    from libcoop.network.models import StaffRole
    from tests.factories import NetworkFactory, staff

    stranger = staff(StaffRole.NETWORK_COORDINATOR, world.outside, network=NetworkFactory())
    item = _item_in(world, S.PUBLISHED)
    with pytest.raises(PermissionDenied):
        workflow.perform(item, "withdraw", acting_user=stranger, reason="r")


def test_available_lists_the_buttons(world: World) -> None:
    item = _item_in(world, S.SUBMITTED)
    assert [t.action for t in workflow.available(item, world.user("admin_own"))] == [
        "approve",
        "return",
        "withdraw",
    ]
    assert workflow.available(item, world.user("librarian_own")) == []
    assert workflow.available(item, world.user("librarian_other")) == []


def test_each_step_reindexes_after_commit(
    world: World, django_capture_on_commit_callbacks: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search entry is asked for after the commit (what anonymous search reads changes
    with the status)."""
    from libcoop.repository import search

    indexed: list[int] = []
    monkeypatch.setattr(search, "index_item", indexed.append)
    item = deposit(world.own)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        workflow.perform(item, "submit", acting_user=SYSTEM)
    assert indexed == [item.pk]
