"""People and libraries for the deposit, workflow and permission tests of the digital
collection: library A (own) and library B (other) are members of one network, library C is
outside it; a patron, a librarian and a library admin of A and of B, a patron of C, a
coordinator of the network (whose own institution is C, so that only the coordinator's role
counts), a superuser. Plain functions (and one fixture) so each test module imports them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from libcoop.repository import services
from libcoop.repository.models import Item
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
    staff,
)


@dataclass
class World:
    own: Any
    other: Any
    outside: Any
    network: Any
    people: dict[str, Any]

    def user(self, role: str) -> Any:
        return self.people[role]


ROLES = (
    "anonymous",
    "patron_own",
    "patron_other",
    "patron_outside",
    "librarian_own",
    "librarian_other",
    "admin_own",
    "admin_other",
    "coordinator",
    "superuser",
)


def make_world() -> World:
    own, other, outside = InstitutionFactory(), InstitutionFactory(), InstitutionFactory()
    network = NetworkFactory()
    MembershipFactory(institution=own, network=network)
    MembershipFactory(institution=other, network=network)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    superuser.save()
    people = {
        "anonymous": AnonymousUser(),
        "patron_own": staff(StaffRole.PATRON, own),
        "patron_other": staff(StaffRole.PATRON, other),
        "patron_outside": staff(StaffRole.PATRON, outside),
        "librarian_own": staff(StaffRole.LIBRARIAN, own),
        "librarian_other": staff(StaffRole.LIBRARIAN, other),
        "admin_own": staff(StaffRole.LIBRARY_ADMIN, own),
        "admin_other": staff(StaffRole.LIBRARY_ADMIN, other),
        "coordinator": staff(StaffRole.NETWORK_COORDINATOR, outside, network=network),
        "superuser": superuser,
    }
    return World(own, other, outside, network, people)


@pytest.fixture
def world(db: None) -> World:
    return make_world()


METADATA: dict[str, Any] = {
    "title": "การจัดการขยะในห้องสมุดสีเขียว จังหวัดเชียงราย",
    "title_alternative": "Waste management in green libraries of Chiang Rai",
    "type": "thesis",
    "creators": "สมชาย ใจดี; Jane Doe",
    "advisors": "รศ.ดร. สมหญิง รักษ์โลก",
    "degree": "master",
    "discipline": "สารสนเทศศาสตร์",
    "abstract_th": "งานวิจัยนี้ศึกษาการคัดแยกขยะ",
    "abstract_en": "This study examines waste sorting.",
    "keywords_th": "ขยะ; ห้องสมุดสีเขียว",
    "keywords_en": "waste; green library",
    "language": "tha",
    "year": "2562",
    "licence": "CC-BY-4.0",
}


def pdf_bytes(text: str = "hello") -> bytes:
    """A small valid PDF (one page with *text*), made with the PDF library the project has."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def deposit(library: Any, *, files: int = 0, acting_user: Any = SYSTEM, **access: Any) -> Item:
    """An item of *library* deposited through the service (a draft)."""
    uploads = [services.Upload(f"thesis-{n}.pdf", pdf_bytes(f"file {n}")) for n in range(files)]
    return services.create_item(library, METADATA, uploads, acting_user=acting_user, **access)


def published(library: Any, *, files: int = 1, **access: Any) -> Item:
    item = deposit(library, files=files, **access)
    return services.publish_through(item, acting_user=SYSTEM, metadata_only=files == 0)
