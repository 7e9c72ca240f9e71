"""A green-library world: a network issuing a small standard, two member libraries, staff."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from libcoop.greenlib.models import Assessment, Criterion, Standard
from libcoop.network.models import Institution, Network, StaffRole
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
    staff,
)
from tests.greenlib.factories import criterion, member_assessment, small_standard


@dataclass
class World:
    network: Network  # issues the standard; its assessors score
    other_network: Network
    standard: Standard
    own: Institution  # the assessed library
    other: Institution  # another member library
    assessor_home: Institution
    school: Institution
    assessment: Assessment
    item: Criterion  # "1.1", max 6 points, category 1 has 10
    users: dict[str, Any]


ROLES = (
    "library_admin_own",
    "library_admin_other",
    "librarian_own",
    "librarian_other",
    "coordinator_network",
    "coordinator_other",
    "assessor_network",
    "assessor_other",
    "school_contact",
    "patron",
    "anonymous",
    "superuser",
)


def make_world(tmp_path: Path) -> World:
    network, other_network = NetworkFactory(), NetworkFactory()
    standard = small_standard(tmp_path, network)
    own, other, assessor_home = InstitutionFactory(), InstitutionFactory(), InstitutionFactory()
    school = InstitutionFactory(kind="school")
    for library in (own, other, assessor_home):
        MembershipFactory(institution=library, network=network)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    superuser.save()
    users: dict[str, Any] = {
        "library_admin_own": staff(StaffRole.LIBRARY_ADMIN, own),
        "library_admin_other": staff(StaffRole.LIBRARY_ADMIN, other),
        "librarian_own": staff(StaffRole.LIBRARIAN, own),
        "librarian_other": staff(StaffRole.LIBRARIAN, other),
        "coordinator_network": staff(StaffRole.NETWORK_COORDINATOR, other, network=network),
        "coordinator_other": staff(StaffRole.NETWORK_COORDINATOR, other, network=other_network),
        "assessor_network": staff(StaffRole.ASSESSOR, assessor_home, network=network),
        "assessor_other": staff(StaffRole.ASSESSOR, assessor_home, network=other_network),
        "school_contact": staff(StaffRole.SCHOOL_CONTACT, school),
        "patron": staff(StaffRole.PATRON, own),
        "anonymous": AnonymousUser(),
        "superuser": superuser,
    }
    assessment = member_assessment(tmp_path, institution=own, standard=standard)
    return World(
        network=network,
        other_network=other_network,
        standard=standard,
        own=own,
        other=other,
        assessor_home=assessor_home,
        school=school,
        assessment=assessment,
        item=criterion(standard, "1.1"),
        users=users,
    )


@pytest.fixture
def world(db: None, tmp_path: Path) -> World:
    return make_world(tmp_path)


@pytest.fixture(autouse=True)
def _messages_in_english(english: None) -> None:
    """Validation messages are asserted in English; Thai is the default language."""
