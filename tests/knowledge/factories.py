"""Test data for knowledge exchange: articles made through the services, as SYSTEM."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from libcoop.knowledge import services
from libcoop.knowledge.models import KnowledgeArticle
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Network, StaffRole
from tests.factories import InstitutionFactory, MembershipFactory, NetworkFactory, staff

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def article(
    institution: Institution,
    *,
    visibility: str = "public",
    network: Network | None = None,
    publish: bool = True,
    on: datetime.date | None = None,
    **fields: Any,
) -> KnowledgeArticle:
    fields.setdefault("kind", "practice")
    if not fields.get("title_th") and not fields.get("title_en"):
        fields["title_th"] = "แนวปฏิบัติทดสอบ"
    made = services.create_article(
        institution, visibility=visibility, network=network, acting_user=SYSTEM, **fields
    )
    if publish:
        services.publish_article(made, on=on, acting_user=SYSTEM)
    return made


@dataclass
class World:
    """One network with two member libraries, an outsider, and a user in every role."""

    network: Network
    other_network: Network
    own: Institution
    member: Institution
    outsider: Institution
    users: dict[str, Any]


def make_world() -> World:
    network, other_network = NetworkFactory(code="GREEN"), NetworkFactory(code="OTHERNET")
    own, member, outsider = (
        InstitutionFactory(code="OWN-LIB"),
        InstitutionFactory(code="MEMBER-LIB"),
        InstitutionFactory(code="OUT-LIB"),
    )
    school = InstitutionFactory(code="A-SCH", kind="school")
    MembershipFactory(institution=own, network=network)
    MembershipFactory(institution=member, network=network)
    MembershipFactory(institution=outsider, network=other_network)
    MembershipFactory(institution=school, network=network, role="partner")
    users = {
        "patron": staff(StaffRole.PATRON, own),
        "own_admin": staff(StaffRole.LIBRARY_ADMIN, own),
        "own_librarian": staff(StaffRole.LIBRARIAN, own),
        "member_librarian": staff(StaffRole.LIBRARIAN, member),
        "outsider_librarian": staff(StaffRole.LIBRARIAN, outsider),
        # profile at a non-member institution, coordinating the network: reads as coordinator
        "coordinator": staff(StaffRole.NETWORK_COORDINATOR, outsider, network=network),
        "assessor": staff(StaffRole.ASSESSOR, outsider, network=network),
        "other_coordinator": staff(StaffRole.NETWORK_COORDINATOR, outsider, network=other_network),
        "school_contact": staff(StaffRole.SCHOOL_CONTACT, school),
    }
    return World(network, other_network, own, member, outsider, users)
