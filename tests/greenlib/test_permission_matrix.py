"""Permissions as a matrix: role × action on one library's self-assessment × interface.

The expected outcome is written from the issue's rules — "a library edits only its own
self-assessment; only an assessor of that network scores it"; the library sees its result;
other libraries never see a draft — not from the code under test. Each cell is tried through
the service layer, the web pages and the JSON API, and the database is checked afterwards:
a refused write leaves no trace.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from libcoop.core.tokens import issue_token
from libcoop.greenlib import services, workflow
from libcoop.greenlib.models import AssessmentStatus, EvidenceLink, Score
from libcoop.network.abilities import SYSTEM, can
from tests.greenlib.conftest import ROLES, World, make_world

ACTIONS = (
    "view_draft",
    "view_submitted",
    "view_scores",
    "edit_narrative",
    "add_evidence",
    "submit",
    "score",
    "publish",
)
OWN_STAFF = {"library_admin_own", "librarian_own"}
ALLOWED = (
    {(r, a) for r in OWN_STAFF for a in ("view_draft", "view_submitted", "view_scores")}
    | {(r, a) for r in OWN_STAFF for a in ("edit_narrative", "add_evidence", "submit")}
    | {(r, "view_submitted") for r in ("coordinator_network", "assessor_network")}
    | {("coordinator_network", "view_scores"), ("assessor_network", "view_scores")}
    | {("assessor_network", "score"), ("assessor_network", "publish")}
    | {("superuser", a) for a in ACTIONS}
)
STATE_FOR = {
    "view_draft": AssessmentStatus.DRAFT,
    "view_submitted": AssessmentStatus.SUBMITTED,
    "view_scores": AssessmentStatus.PUBLISHED,
    "edit_narrative": AssessmentStatus.DRAFT,
    "add_evidence": AssessmentStatus.DRAFT,
    "submit": AssessmentStatus.DRAFT,
    "score": AssessmentStatus.IN_REVIEW,
    "publish": AssessmentStatus.IN_REVIEW,
}


def _prepare(world: World, action: str) -> None:
    """Answer as the library and walk (as SYSTEM) to the state the action needs."""
    services.save_response(
        world.assessment, world.item, narrative_en="Initial answer.", acting_user=SYSTEM
    )
    target = STATE_FOR[action]
    if target == AssessmentStatus.DRAFT:
        return
    workflow.perform(world.assessment, "submit", acting_user=SYSTEM)
    if target == AssessmentStatus.SUBMITTED:
        return
    workflow.perform(world.assessment, "start_review", acting_user=SYSTEM)
    if action == "publish" or target == AssessmentStatus.PUBLISHED:
        services.score_response(
            world.assessment.responses.get(), Decimal(2), comment="Hidden until published",
            acting_user=SYSTEM,
        )  # fmt: skip
    if target == AssessmentStatus.PUBLISHED:
        workflow.perform(world.assessment, "publish", acting_user=SYSTEM)


def _done(world: World, action: str) -> bool:
    """Did the write happen? Read from the database."""
    world.assessment.refresh_from_db()
    if action == "edit_narrative":
        return world.assessment.responses.get().narrative_en == "Matrix text"
    if action == "add_evidence":
        return EvidenceLink.objects.filter(response__assessment=world.assessment).exists()
    if action == "submit":
        return world.assessment.status == AssessmentStatus.SUBMITTED
    if action == "score":
        return Score.objects.filter(points=3).exists()
    if action == "publish":
        return world.assessment.status == AssessmentStatus.PUBLISHED
    raise AssertionError(action)


def _membership_pk(world: World) -> int:
    return world.own.memberships.get(network=world.network).pk


def _via_service(world: World, actor: Any, action: str) -> None:
    a = world.assessment
    if action == "edit_narrative":
        services.save_response(a, world.item, narrative_en="Matrix text", acting_user=actor)
    elif action == "add_evidence":
        services.add_evidence_link(
            a, world.item, "membership", _membership_pk(world), acting_user=actor
        )
    elif action == "score":
        services.score_response(a.responses.get(), Decimal(3), acting_user=actor)
    else:
        workflow.perform(a, action, acting_user=actor)


def _client(actor: Any) -> Client:
    client = Client()
    if not isinstance(actor, AnonymousUser):
        client.force_login(actor)
    return client


def _via_web(world: World, actor: Any, action: str) -> int:
    a, client = world.assessment, _client(actor)
    base = f"/greenlib/assessments/{a.pk}/"
    if action == "edit_narrative":
        return client.post(
            f"{base}criteria/{world.item.pk}/", {"narrative_en": "Matrix text"}
        ).status_code
    if action == "add_evidence":
        return client.post(
            f"{base}criteria/{world.item.pk}/links/",
            {"record": f"membership:{_membership_pk(world)}"},
        ).status_code
    if action == "score":
        return client.post(
            f"/greenlib/responses/{a.responses.get().pk}/score/", {"points": "3"}
        ).status_code
    return client.post(f"{base}actions/{action}/").status_code


def _headers(actor: Any) -> dict[str, str]:
    if isinstance(actor, AnonymousUser):
        return {}
    return {"Authorization": f"Bearer {issue_token(actor, 'matrix', acting_user=SYSTEM)}"}


def _via_api(world: World, actor: Any, action: str) -> int:
    a, client, headers = world.assessment, Client(), _headers(actor)
    if action in ("edit_narrative", "add_evidence"):
        body: dict[str, Any] = {"criterion": "1.1"}
        if action == "edit_narrative":
            body["narrative_en"] = "Matrix text"
        else:
            body["links"] = [{"kind": "membership", "object_id": _membership_pk(world)}]
        return client.post(
            f"/api/greenlib/assessments/{a.pk}/responses",
            body,
            content_type="application/json",
            headers=headers,
        ).status_code
    return client.post(
        f"/api/greenlib/assessments/{a.pk}/actions/{action}", headers=headers
    ).status_code


WRITES = ("edit_narrative", "add_evidence", "submit", "score", "publish")
CELLS = [(r, a) for r in ROLES for a in WRITES]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action"), CELLS)
def test_service_layer(tmp_path: Path, role: str, action: str) -> None:
    world = make_world(tmp_path)
    _prepare(world, action)
    actor = world.users[role]
    if (role, action) in ALLOWED:
        _via_service(world, actor, action)
        assert _done(world, action)
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            _via_service(world, actor, action)
        assert not _done(world, action)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action"), CELLS)
def test_web_pages(tmp_path: Path, role: str, action: str) -> None:
    world = make_world(tmp_path)
    _prepare(world, action)
    status = _via_web(world, world.users[role], action)
    if (role, action) in ALLOWED:
        assert status == 302 and _done(world, action)
    else:
        assert status in (302, 403, 404) and not _done(world, action)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action"), [c for c in CELLS if c[1] != "score"])
def test_json_api(tmp_path: Path, role: str, action: str) -> None:
    world = make_world(tmp_path)
    _prepare(world, action)
    status = _via_api(world, world.users[role], action)
    if (role, action) in ALLOWED:
        assert status == 200 and _done(world, action)
    else:
        assert status in (401, 403, 404) and not _done(world, action)


READS = [(r, a) for r in ROLES for a in ("view_draft", "view_submitted", "view_scores")]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action"), READS)
def test_who_sees_what(tmp_path: Path, role: str, action: str) -> None:
    world = make_world(tmp_path)
    _prepare(world, action)
    actor = world.users[role]
    allowed = (role, action) in ALLOWED
    page = _client(actor).get(f"/greenlib/assessments/{world.assessment.pk}/")
    if action == "view_scores":
        assert can(actor, "greenlib.view_scores", world.assessment) == allowed
        seen = page.status_code == 200 and "Hidden until published" in page.content.decode()
        assert seen == allowed
        return
    assert can(actor, "greenlib.view_assessment", world.assessment) == allowed
    assert (page.status_code == 200) == allowed
    if not allowed:
        assert page.status_code in (302, 404)  # a draft's existence is not revealed
    api = Client().get(f"/api/greenlib/assessments/{world.assessment.pk}", headers=_headers(actor))
    assert (api.status_code == 200) == allowed


@pytest.mark.django_db
def test_scores_are_hidden_from_the_library_until_published(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    _prepare(world, "publish")  # in review, scored, not yet published
    librarian = world.users["librarian_own"]
    assert not can(librarian, "greenlib.view_scores", world.assessment)
    page = _client(librarian).get(f"/greenlib/assessments/{world.assessment.pk}/")
    assert page.status_code == 200 and "Hidden until published" not in page.content.decode()
    assessor_page = _client(world.users["assessor_network"]).get(
        f"/greenlib/assessments/{world.assessment.pk}/"
    )
    assert "Hidden until published" in assessor_page.content.decode()
