"""Who may read which knowledge article: one rule, as a predicate and as a queryset filter.

A published article is read by

* anyone, when its visibility is ``public``;
* when it is ``network``: the library admins, librarians, network coordinators and assessors
  whose institution is an active member of the article's network (any membership role, not
  ended), and the coordinators and assessors *of* that network (or of a network above it);
* the staff (library admin, librarian) of the contributing institution, whatever the
  visibility — they alone read drafts and withdrawn articles.

Patrons and school contacts read public articles only.  Superusers and ``SYSTEM`` read all.
``readable`` and ``visible_to`` state the same rule twice (one for one object, one for lists);
``tests/knowledge/test_visibility.py`` checks that they agree in every cell of the matrix.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from libcoop.knowledge.models import ArticleStatus, KnowledgeArticle, Visibility
from libcoop.network.abilities import (
    Actor,
    SystemActor,
    assessor_of,
    coordinator_of,
    profile_of,
    staff_of,
)
from libcoop.network.models import Membership, StaffRole
from libcoop.network.queries import network_and_below

# Roles whose holders read what is shared in the networks their institution belongs to.
NETWORK_READER_ROLES = frozenset(
    {
        StaffRole.LIBRARY_ADMIN,
        StaffRole.LIBRARIAN,
        StaffRole.NETWORK_COORDINATOR,
        StaffRole.ASSESSOR,
    }
)
NETWORK_SCOPED = frozenset({StaffRole.NETWORK_COORDINATOR, StaffRole.ASSESSOR})


def is_trusted(user: Actor) -> bool:
    return isinstance(user, SystemActor) or bool(getattr(user, "is_superuser", False))


def member_network_ids(institution_id: int, on: datetime.date | None = None) -> set[int]:
    """Networks *institution_id* belongs to on *on* (today): memberships not ended by then."""
    on = on or datetime.date.today()
    return set(
        Membership.objects.filter(institution_id=institution_id)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .values_list("network_id", flat=True)
    )


def readable(user: Actor, article: KnowledgeArticle) -> bool:
    """Whether *user* may read *article* (the rule in the module docstring)."""
    if is_trusted(user) or staff_of(user, article.institution_id):
        return True
    if article.status != ArticleStatus.PUBLISHED:
        return False
    if article.visibility == Visibility.PUBLIC:
        return True
    if article.visibility != Visibility.NETWORK or article.network is None:
        return False
    profile = profile_of(user)
    if profile is None or profile.role not in NETWORK_READER_ROLES:
        return False
    if coordinator_of(user, article.network) or assessor_of(user, article.network):
        return True
    return article.network_id in member_network_ids(profile.institution_id)


def visible_to(user: Actor, queryset: QuerySet[KnowledgeArticle] | None = None) -> QuerySet:
    """The articles of *queryset* (all by default) that *user* may read."""
    qs = queryset if queryset is not None else KnowledgeArticle.objects.all()
    if is_trusted(user):
        return qs
    published = Q(status=ArticleStatus.PUBLISHED)
    rule = published & Q(visibility=Visibility.PUBLIC)
    profile = profile_of(user)
    if profile is not None and profile.role in NETWORK_READER_ROLES:
        networks = member_network_ids(profile.institution_id)
        if profile.role in NETWORK_SCOPED and profile.network_id is not None:
            networks |= network_and_below(profile.network_id)
        rule |= published & Q(visibility=Visibility.NETWORK, network_id__in=networks)
        if profile.role in (StaffRole.LIBRARY_ADMIN, StaffRole.LIBRARIAN):
            rule |= Q(institution_id=profile.institution_id)
    return qs.filter(rule)
