"""A small lending network: three member libraries holding the same book, one that does not,
their staff and a patron; messages between them go through the ISO 18626 code in process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import Cluster
from libcoop.ill import services
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import InstitutionFactory, MembershipFactory, NetworkFactory, staff

ISBN = "9780306406157"


@dataclass
class Net:
    borrower: Any
    lenders: list[Any]
    outsider: Any
    cluster: Cluster
    librarian: Any  # of the borrower
    lender_staff: list[Any]
    outsider_staff: Any
    patron: Any
    network: Any


@pytest.fixture(autouse=True)
def _messages_in_english(english: None) -> None:
    """Refusals are asserted in English; Thai is the site's default."""


@pytest.fixture
def net(db: None, tmp_path: Path) -> Net:
    network = NetworkFactory(code="ILLNET")
    borrower = InstitutionFactory(code="BOR-LIB")
    lenders = [InstitutionFactory(code=f"LEN{n}-LIB") for n in (1, 2)]
    outsider = InstitutionFactory(code="OUT-LIB")
    for library in (borrower, *lenders, outsider):
        MembershipFactory(institution=library, network=network, end=None)
        services.agency_for(library)
    for n, library in enumerate(lenders):
        path = write(tmp_path / f"{n}.mrc", book(f"L{n}", "Green libraries", isbn=ISBN))
        import_file(path, library, acting_user=SYSTEM)
    cluster = Cluster.objects.get(records__local_id="L0")
    return Net(
        borrower=borrower,
        lenders=lenders,
        outsider=outsider,
        cluster=cluster,
        librarian=staff(StaffRole.LIBRARIAN, borrower),
        lender_staff=[staff(StaffRole.LIBRARIAN, library) for library in lenders],
        outsider_staff=staff(StaffRole.LIBRARIAN, outsider),
        patron=staff(StaffRole.PATRON, borrower),
        network=network,
    )


@pytest.fixture
def act(django_capture_on_commit_callbacks: Any) -> Any:
    """``services.perform`` whose after-commit work (sending the messages, and what they
    cause on the other side) runs when the action's transaction would commit, as in a real
    request; the tests' own transaction never commits."""

    def run(obj: Any, action: str, actor: Any, **params: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return services.perform(obj, action, acting_user=actor, **params)

    return run
