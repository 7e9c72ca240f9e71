"""The life of a digital-collection item as a table: states, actions, who may take them, what is
logged.

::

    draft ──submit──► submitted ──approve──► approved ──publish──► published
      ▲                  │                      │                      │
      └──────return──────┴────────return────────┘                      │
    (any of these) ──────────────────withdraw──────────────────────► withdrawn

* ``submit`` (the library's staff): the draft goes to the library's reviewer.
* ``approve`` (the library admin): the metadata and files are checked.
* ``return`` (the library admin): back to draft for corrections, from submitted or approved.
* ``publish`` (the library admin): the item enters the shared collection (its metadata public,
  its files by their access level). It needs at least one file, or the explicit
  ``metadata_only`` flag (a record of a work whose file the library may not share). Sets
  ``published_at``.
* ``withdraw`` (the library admin at any stage; a coordinator of one of the library's networks
  once it is published): needs a reason, which stays visible on the item's page as a tombstone
  (title, library, reason); OAI-PMH reports the item as deleted.

A published item is edited in place (each edit is a new version, ``services.py``); it never
goes back to draft, so what was public stays answerable in its history. A withdrawn item stays
withdrawn.

Every transition runs in one transaction, writes one audit event (from, to, action) and, after
the commit, asks search to index the item again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
from libcoop.core.workflow import Table, Transition
from libcoop.network.abilities import Actor, can, require
from libcoop.repository.models import Item, ItemStatus

S = ItemStatus

TABLE: Final = Table(
    [
        Transition(
            "submit", (S.DRAFT,), S.SUBMITTED, "repository.submit",
            gettext_lazy("Submit for review"), AuditVerb.REPO_ITEM_SUBMITTED,
        ),
        Transition(
            "approve", (S.SUBMITTED,), S.APPROVED, "repository.review",
            gettext_lazy("Approve"), AuditVerb.REPO_ITEM_APPROVED,
        ),
        Transition(
            "return", (S.SUBMITTED, S.APPROVED), S.DRAFT, "repository.review",
            gettext_lazy("Return to draft"), AuditVerb.REPO_ITEM_RETURNED,
        ),
        Transition(
            "publish", (S.APPROVED,), S.PUBLISHED, "repository.review",
            gettext_lazy("Publish"), AuditVerb.REPO_ITEM_PUBLISHED,
        ),
        Transition(
            "withdraw", (S.DRAFT, S.SUBMITTED, S.APPROVED, S.PUBLISHED), S.WITHDRAWN,
            "repository.withdraw", gettext_lazy("Withdraw"), AuditVerb.REPO_ITEM_WITHDRAWN,
        ),
    ]
)  # fmt: skip
TRANSITIONS: Final = TABLE.pairs()
ACTIONS: Final = TABLE.actions
REASON_MAX = 2000


class Step:
    """What one ``perform`` was given besides the action (its guards read it)."""

    def __init__(self, *, reason: str, metadata_only: bool) -> None:
        self.reason = reason.strip()
        self.metadata_only = metadata_only


def _check_publish(item: Item, step: Step) -> None:
    if not step.metadata_only and not item.files.exists():
        raise ValidationError(
            _(
                "Add at least one file before publishing, or publish it as a record without "
                "files (metadata only)."
            )
        )


def _check_withdraw(item: Item, step: Step) -> None:
    if not step.reason:
        raise ValidationError(
            _("Give the reason for the withdrawal; it stays visible on the item's page.")
        )
    if len(step.reason) > REASON_MAX:
        raise ValidationError(
            _("The reason is too long (at most %(max)d characters).") % {"max": REASON_MAX}
        )


# Conditions on the item and the step's input, checked after the permission and the state.
GUARDS: Final[dict[str, Callable[[Item, Step], None]]] = {
    "publish": _check_publish,
    "withdraw": _check_withdraw,
}


def available(item: Item, user: Actor) -> list[Transition]:
    """The actions *user* may take on *item* now (for buttons; ``perform`` checks again)."""
    return [t for t in TABLE.from_state(item.status) if can(user, t.ability, item)]


def reindex_after_commit(item_id: int) -> None:
    """After the transaction commits, ask search to index the item again (its status, access
    or metadata changed: what anonymous search may read changes with them)."""

    def reindex() -> None:
        from libcoop.repository.search import index_item

        index_item(item_id)

    transaction.on_commit(reindex)


def perform(
    item: Item,
    action: str,
    *,
    acting_user: Actor,
    reason: str = "",
    metadata_only: bool = False,
) -> Item:
    """Take *action* on *item*: lock, permission, allowed in this state, guards, save, audit.

    ``reason`` is required by ``withdraw``; ``metadata_only`` lets ``publish`` go ahead without
    a file. Returns the item as stored; the instance passed in gets the new status too.
    """
    given = item
    step = Step(reason=reason, metadata_only=metadata_only)
    with transaction.atomic():
        # Lock the row so two people cannot move the same item at once.
        locked = Item.objects.select_for_update(of=("self",)).select_related("institution")
        item = locked.get(pk=item.pk)
        transition = TABLE.find(item.status, action)
        if transition is None:
            if action not in ACTIONS:
                raise ValidationError(f"Unknown action: {action!r}")
            # The permission first, so an outsider learns nothing about the state.
            for t in TABLE:
                if t.action == action:
                    require(acting_user, t.ability, item)
                    break
            raise ValidationError(
                _("This cannot be done while the item is %(status)s.")
                % {"status": item.get_status_display()}
            )
        require(acting_user, transition.ability, item)
        guard = GUARDS.get(action)
        if guard is not None:
            guard(item, step)
        old = item.status
        item.status = transition.target
        fields = ["status", "updated"]
        data: dict[str, object] = {"action": action, "status": [old, str(transition.target)]}
        if action == "publish":
            item.published_at = timezone.now()
            fields.append("published_at")
            if step.metadata_only and not item.files.exists():
                data["metadata_only"] = True
        if action == "withdraw":
            item.withdrawn_reason = step.reason
            fields.append("withdrawn_reason")
            data["reason"] = step.reason
        item.save(update_fields=fields)
        record(
            AuditVerb(transition.verb),
            item,
            acting_user=acting_user,
            institution_code=item.institution.code,
            **data,
        )
        reindex_after_commit(item.pk)
    given.status = item.status
    given.published_at = item.published_at
    given.withdrawn_reason = item.withdrawn_reason
    return item
