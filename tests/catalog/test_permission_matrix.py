"""Catalog permissions as a matrix: role × action (split, move, merge) × whose records move ×
interface (service, web, API), and who sees an import job (role × own/other library × page/API).

The expected outcomes are written from the rules in docs/security.md, not from the code: a
member library's staff act on their own library's records only (a merge moves a whole cluster,
so it is theirs only when every record in it is); a network coordinator acts on the records of
the network's member libraries; nobody else but a superuser. The database, not the response,
says whether a write happened. The probe's attack — a librarian merging a cluster that holds
other libraries' records by posting one of their own — is the cell ("librarian", "merge",
"own_mixed").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client

from libcoop.catalog import services
from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import BibRecord, Cluster, ImportJob, ImportProblem
from libcoop.core.tokens import issue_token
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
    staff,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "patron",
    "librarian",
    "library_admin",
    "coordinator",
    "assessor",
    "superuser",
]
# What is acted on: a record of the actor's library alone in its cluster, the same in a cluster
# with another member's record, another member's record (alone / with others), and a record of
# a library outside the coordinator's network (in a cluster with a member's record).
TARGETS = ["own_alone", "own_mixed", "other_alone", "other_mixed", "outside_mixed"]
# Splitting a record that is alone is no permission question (it is refused as pointless).
CASES = [
    (action, target)
    for action in ("split", "move", "merge")
    for target in TARGETS
    if not (action == "split" and target.endswith("_alone"))
]

STAFF = {"librarian", "library_admin"}
ALLOWED = (
    {(r, "split", "own_mixed") for r in STAFF}
    | {(r, "move", t) for r in STAFF for t in ("own_alone", "own_mixed")}
    # A merge moves the whole cluster: only a cluster of the library's own records.
    | {(r, "merge", "own_alone") for r in STAFF}
    | {("coordinator", a, t) for a, t in CASES if not t.startswith("outside")}
    | {("superuser", a, t) for a, t in CASES}
)

ISBN_MIXED, ISBN_OUT, ISBN_TARGET = "9780306406157", "9781861972712", "9780262033848"


@dataclass
class World:
    actor: Any
    records: dict[str, BibRecord]
    target: Cluster
    own: Any
    other: Any


def _load(tmp_path: Path, library: Any, name: str, *records: Any) -> None:
    import_file(write(tmp_path / f"{name}.mrc", *records), library, acting_user=SYSTEM)


def _world(role: str, tmp_path: Path) -> World:
    own, other, other2, outsider = (InstitutionFactory() for _ in range(4))
    network = NetworkFactory()
    for member in (own, other, other2):
        MembershipFactory(institution=member, network=network, end=None)
    MembershipFactory(institution=outsider, network=NetworkFactory(), end=None)
    _load(
        tmp_path,
        own,
        "own",
        book("o-mixed", "Human nutrition", isbn=ISBN_MIXED),
        book("o-alone", "Solar roofs for libraries", author="Chan, Mali.", year=2011),
    )
    _load(
        tmp_path,
        other,
        "other",
        book("x-mixed", "Human nutrition", isbn=ISBN_MIXED),
        book("x-alone", "Rainwater harvesting", author="Lee, Ann.", year=2012),
        book("x-out", "Composting at school", isbn=ISBN_OUT),
    )
    _load(tmp_path, other2, "other2", book("t", "Green buildings", isbn=ISBN_TARGET))
    _load(tmp_path, outsider, "outsider", book("out", "Composting at school", isbn=ISBN_OUT))
    records = {
        "own_alone": BibRecord.objects.get(library=own, local_id="o-alone"),
        "own_mixed": BibRecord.objects.get(library=own, local_id="o-mixed"),
        "other_alone": BibRecord.objects.get(library=other, local_id="x-alone"),
        "other_mixed": BibRecord.objects.get(library=other, local_id="x-mixed"),
        "outside_mixed": BibRecord.objects.get(library=outsider, local_id="out"),
    }
    # The world is what the cells assume: check it, so a matching change cannot empty a cell.
    assert records["own_mixed"].cluster_id == records["other_mixed"].cluster_id
    assert BibRecord.objects.get(local_id="x-out").cluster_id == records["outside_mixed"].cluster_id
    for key in ("own_alone", "other_alone"):
        assert BibRecord.objects.filter(cluster_id=records[key].cluster_id).count() == 1
    target = Cluster.objects.get(records__local_id="t")
    if role == "anonymous":
        actor: Any = AnonymousUser()
    elif role == "superuser":
        actor = UserFactory(is_superuser=True, is_staff=True)
        actor.save()
    else:
        staff_role = {
            "patron": StaffRole.PATRON,
            "librarian": StaffRole.LIBRARIAN,
            "library_admin": StaffRole.LIBRARY_ADMIN,
            "coordinator": StaffRole.NETWORK_COORDINATOR,
            "assessor": StaffRole.ASSESSOR,
        }[role]
        net = network if staff_role in (StaffRole.NETWORK_COORDINATOR, StaffRole.ASSESSOR) else None
        actor = staff(staff_role, own, network=net)
    return World(actor, records, target, own, other)


def _clusters() -> dict[int, int | None]:
    return dict(BibRecord.objects.values_list("pk", "cluster_id"))


def _act_service(world: World, action: str, record: BibRecord) -> None:
    if action == "split":
        services.split_record(record, acting_user=world.actor)
    elif action == "move":
        services.move_record(record, world.target, acting_user=world.actor)
    else:
        services.merge_clusters(record, world.target, acting_user=world.actor)


def _act_web(world: World, action: str, record: BibRecord) -> int:
    client = Client()
    if not isinstance(world.actor, AnonymousUser):
        client.force_login(world.actor)
    data = {} if action == "split" else {"target": world.target.pk}
    return client.post(f"/catalog/records/{record.pk}/{action}/", data).status_code


def _act_api(world: World, action: str, record: BibRecord) -> int:
    headers = {}
    if not isinstance(world.actor, AnonymousUser):
        key = issue_token(world.actor, "matrix", acting_user=SYSTEM)
        headers["Authorization"] = f"Bearer {key}"
    body = {} if action == "split" else {"target": world.target.pk}
    return (
        Client()
        .post(
            f"/api/catalog/records/{record.pk}/{action}",
            body,
            content_type="application/json",
            headers=headers,
        )
        .status_code
    )


@pytest.mark.parametrize("interface", ["service", "web", "api"])
@pytest.mark.parametrize(("action", "target"), CASES)
@pytest.mark.parametrize("role", ROLES)
def test_cluster_edits(role: str, action: str, target: str, interface: str, tmp_path: Path) -> None:
    world = _world(role, tmp_path)
    record = world.records[target]
    before = _clusters()
    allowed = (role, action, target) in ALLOWED
    if interface == "service":
        if allowed:
            _act_service(world, action, record)
        else:
            with pytest.raises(PermissionDenied):
                _act_service(world, action, record)
    elif interface == "web":
        status = _act_web(world, action, record)
        if allowed:
            assert status == 302
        else:
            assert status in (302, 403)  # 302: to the login page
    else:
        status = _act_api(world, action, record)
        assert status == (200 if allowed else 401 if role == "anonymous" else 403)
    after = _clusters()
    record.refresh_from_db()
    assert (record.cluster_id != before[record.pk]) == allowed
    if not allowed:
        assert after == before  # a refused edit moves nothing at all
    elif action == "move":
        # Only the record moved; its former cluster-mates stayed where they were.
        assert {pk for pk in after if after[pk] != before[pk]} == {record.pk}


def test_the_probe_merge_is_refused_and_moves_nothing(tmp_path: Path) -> None:
    """The finding as reported: a member's librarian posts their own record's merge into an
    unrelated cluster; the other libraries' records of that cluster used to move with it."""
    world = _world("librarian", tmp_path)
    mine, theirs = world.records["own_mixed"], world.records["other_mixed"]
    client = Client()
    client.force_login(world.actor)
    response = client.post(f"/catalog/records/{mine.pk}/merge/", {"target": world.target.pk})
    assert response.status_code == 403
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.cluster_id == mine.cluster_id != world.target.pk
    # What the librarian may do instead: move their own record alone.
    response = client.post(f"/catalog/records/{mine.pk}/move/", {"target": world.target.pk})
    assert response.status_code == 302
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert mine.cluster_id == world.target.pk != theirs.cluster_id


def test_cluster_page_offers_merge_only_to_who_may(tmp_path: Path) -> None:
    world = _world("librarian", tmp_path)
    client = Client()
    client.force_login(world.actor)
    mixed = client.get(f"/catalog/clusters/{world.records['own_mixed'].cluster_id}/")
    assert b'id="merge-cluster"' not in mixed.content
    assert f"/catalog/records/{world.records['own_mixed'].pk}/move/".encode() in mixed.content
    alone = client.get(f"/catalog/clusters/{world.records['own_alone'].cluster_id}/")
    assert b'id="merge-cluster"' in alone.content


# --- import jobs: who sees a job and its problem report -------------------------------------

JOB_ROLES = [*ROLES, "school_contact", "other_coordinator"]
# The library's own catalog staff and superusers; nobody else (not its network's coordinator).
JOB_ALLOWED = {("librarian", "own"), ("library_admin", "own"), ("superuser", "own")} | {
    ("superuser", "other")
}


def _job_world(role: str, tmp_path: Path) -> tuple[Any, dict[str, ImportJob]]:
    own, other = InstitutionFactory(), InstitutionFactory()
    network, elsewhere = NetworkFactory(), NetworkFactory()
    for member in (own, other):
        MembershipFactory(institution=member, network=network, end=None)
    jobs = {}
    for name, library in (("own", own), ("other", other)):
        bad = tmp_path / f"{name}.mrc"
        bad.write_bytes(b"01234not a marc record\x1d")
        jobs[name] = import_file(bad, library, acting_user=SYSTEM)
        assert ImportProblem.objects.filter(job=jobs[name]).exists()
    roles = {
        "patron": (StaffRole.PATRON, None),
        "librarian": (StaffRole.LIBRARIAN, None),
        "library_admin": (StaffRole.LIBRARY_ADMIN, None),
        "coordinator": (StaffRole.NETWORK_COORDINATOR, network),
        "other_coordinator": (StaffRole.NETWORK_COORDINATOR, elsewhere),
        "assessor": (StaffRole.ASSESSOR, network),
        "school_contact": (StaffRole.SCHOOL_CONTACT, None),
    }
    if role == "anonymous":
        return AnonymousUser(), jobs
    if role == "superuser":
        user = UserFactory(is_superuser=True, is_staff=True)
        user.save()
        return user, jobs
    staff_role, net = roles[role]
    return staff(staff_role, own, network=net), jobs


@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("role", JOB_ROLES)
def test_import_job_visibility(role: str, whose: str, tmp_path: Path) -> None:
    actor, jobs = _job_world(role, tmp_path)
    job = jobs[whose]
    allowed = (role, whose) in JOB_ALLOWED
    web, api = Client(), Client()
    headers = {}
    if not isinstance(actor, AnonymousUser):
        web.force_login(actor)
        headers["Authorization"] = f"Bearer {issue_token(actor, 'm', acting_user=SYSTEM)}"
    page = web.get(f"/catalog/imports/{job.pk}/")
    answer = api.get(f"/api/catalog/imports/{job.pk}", headers=headers)
    problem = ImportProblem.objects.filter(job=job).first()
    assert problem is not None
    if allowed:
        assert page.status_code == 200 and answer.status_code == 200
        assert problem.message in page.content.decode()
        assert answer.json()["problems"][0]["reason"] == problem.reason
    else:
        # Never a 500 and never the report; 404 (as for a job that does not exist).
        assert page.status_code == (302 if role == "anonymous" else 404)
        assert answer.status_code == (401 if role == "anonymous" else 404)
        assert problem.message not in page.content.decode()
        assert problem.reason not in answer.content.decode()
