"""Rows of the ability table (``network.abilities``) for knowledge exchange.

Superusers and ``SYSTEM`` pass every check (``can`` handles them). Who reads what is
explained in :mod:`libcoop.knowledge.access`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from libcoop.knowledge.access import readable
from libcoop.knowledge.models import ArticleStatus
from libcoop.network.abilities import Actor, profile_of, staff_of
from libcoop.network.models import StaffRole

# Comments are exchanged between libraries (and partner schools): a patron's account reads
# public articles but does not write in the threads.
COMMENTER_ROLES = frozenset(
    {
        StaffRole.LIBRARY_ADMIN,
        StaffRole.LIBRARIAN,
        StaffRole.NETWORK_COORDINATOR,
        StaffRole.ASSESSOR,
        StaffRole.SCHOOL_CONTACT,
    }
)


def _read(user: Actor, article: Any) -> bool:
    return readable(user, article)


def _create(user: Actor, institution: Any) -> bool:
    return staff_of(user, institution.pk)


def _edit(user: Actor, article: Any) -> bool:
    return staff_of(user, article.institution_id)


def _comment(user: Actor, article: Any) -> bool:
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role in COMMENTER_ROLES
        and article.status == ArticleStatus.PUBLISHED
        and readable(user, article)
    )


def _remove_comment(user: Actor, comment: Any) -> bool:
    is_author = getattr(user, "pk", None) is not None and comment.author_id == user.pk  # type: ignore[union-attr]
    return is_author or staff_of(user, comment.article.institution_id)


ABILITIES: dict[str, Callable[[Any, Any], bool]] = {
    # obj: KnowledgeArticle. Read it (public / network members / own institution; drafts: own).
    "knowledge.read": _read,
    # obj: Institution. Its library admin and librarians write articles in its name.
    "knowledge.create": _create,
    # obj: KnowledgeArticle. The contributing institution's staff edit, publish, withdraw it
    # and attach files to it.
    "knowledge.edit": _edit,
    # obj: KnowledgeArticle. Library and school staff who can read a published article ask and
    # answer questions on it (never anonymous, never a patron account).
    "knowledge.comment": _comment,
    # obj: KnowledgeArticle. The contributing institution's staff remove any comment on it.
    "knowledge.moderate_comments": _edit,
    # obj: Comment. Its author, or the staff of the article's institution, remove it.
    "knowledge.remove_comment": _remove_comment,
}
