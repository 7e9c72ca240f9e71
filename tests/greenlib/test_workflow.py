"""The assessment workflow table: every transition, its audit event, its guards, atomicity."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.greenlib import services, workflow
from libcoop.greenlib.models import AssessmentStatus, CriterionResponse, Score
from libcoop.network.abilities import SYSTEM
from tests.greenlib.conftest import World
from tests.greenlib.factories import criterion

S = AssessmentStatus


def _answer(world: World, text: str = "We have a written policy.") -> CriterionResponse:
    return services.save_response(
        world.assessment,
        world.item,
        narrative_en=text,
        self_status="met",
        acting_user=world.users["librarian_own"],
    )


def _to(world: World, status: AssessmentStatus) -> None:
    """Walk the assessment to *status* the way people do."""
    librarian, assessor = world.users["librarian_own"], world.users["assessor_network"]
    if status == S.DRAFT:
        return
    _answer(world)
    workflow.perform(world.assessment, "submit", acting_user=librarian)
    if status == S.SUBMITTED:
        return
    workflow.perform(world.assessment, "start_review", acting_user=assessor)
    if status == S.IN_REVIEW:
        return
    response = world.assessment.responses.get()
    services.score_response(response, Decimal(5), comment="Good.", acting_user=assessor)
    workflow.perform(world.assessment, "publish", acting_user=assessor)


ACTORS = {
    "submit": "librarian_own",
    "start_review": "assessor_network",
    "return": "assessor_network",
    "publish": "assessor_network",
    "reopen": "assessor_network",
}


@pytest.mark.parametrize(("source", "action"), list(workflow.TRANSITIONS))
def test_every_transition_of_the_table_moves_and_is_audited(
    world: World, source: AssessmentStatus, action: str
) -> None:
    _to(world, source)
    if action == "submit":  # the guard wants something answered
        _answer(world)
    if action == "publish":  # the guard wants every answer scored
        response = world.assessment.responses.get()
        services.score_response(response, Decimal(4), acting_user=world.users["assessor_network"])
    before = AuditEvent.objects.count()
    moved = workflow.perform(world.assessment, action, acting_user=world.users[ACTORS[action]])
    expected = workflow.TRANSITIONS[(source, action)]
    moved.refresh_from_db()
    assert moved.status == expected.target
    event = AuditEvent.objects.first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None and event.verb == expected.verb
    assert event.data == {"action": action, "status": [source, expected.target]}
    assert event.actor == world.users[ACTORS[action]]


@pytest.mark.parametrize("status", list(S))
def test_actions_outside_the_table_are_refused_and_change_nothing(
    world: World, status: AssessmentStatus
) -> None:
    _to(world, status)
    allowed = {a for (s, a) in workflow.TRANSITIONS if s == status}
    for action in sorted(workflow.ACTIONS - allowed):
        before = AuditEvent.objects.count()
        with pytest.raises(ValidationError):
            workflow.perform(world.assessment, action, acting_user=SYSTEM)
        world.assessment.refresh_from_db()
        assert world.assessment.status == status
        assert AuditEvent.objects.count() == before


def test_unknown_action_is_an_error(world: World) -> None:
    with pytest.raises(ValidationError, match="Unknown action"):
        workflow.perform(world.assessment, "approve", acting_user=SYSTEM)


def test_an_empty_self_assessment_cannot_be_submitted(world: World) -> None:
    with pytest.raises(ValidationError):
        workflow.perform(world.assessment, "submit", acting_user=world.users["librarian_own"])
    world.assessment.refresh_from_db()
    assert world.assessment.status == S.DRAFT


def test_publishing_needs_every_answer_scored_and_leaves_nothing_when_refused(
    world: World,
) -> None:
    _to(world, S.IN_REVIEW)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=r"1\.1"):
        workflow.perform(world.assessment, "publish", acting_user=world.users["assessor_network"])
    world.assessment.refresh_from_db()
    assert world.assessment.status == S.IN_REVIEW
    assert AuditEvent.objects.count() == before


def test_a_transition_that_fails_while_writing_its_audit_leaves_nothing(
    world: World, monkeypatch: Any
) -> None:
    _answer(world)
    before = AuditEvent.objects.count()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(workflow, "record", broken)
    with pytest.raises(RuntimeError):
        workflow.perform(world.assessment, "submit", acting_user=world.users["librarian_own"])
    world.assessment.refresh_from_db()
    assert world.assessment.status == S.DRAFT
    assert AuditEvent.objects.count() == before


def test_a_failing_score_write_leaves_no_score(world: World, monkeypatch: Any) -> None:
    _to(world, S.IN_REVIEW)
    response = world.assessment.responses.get()
    monkeypatch.setattr(services, "record", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    with pytest.raises(OSError):
        services.score_response(response, Decimal(3), acting_user=world.users["assessor_network"])
    assert not Score.objects.exists()


def test_the_library_cannot_change_answers_once_submitted_not_even_as_system(
    world: World,
) -> None:
    _to(world, S.SUBMITTED)
    for actor in (world.users["librarian_own"], SYSTEM):
        with pytest.raises((PermissionDenied, ValidationError)):
            services.save_response(
                world.assessment, world.item, narrative_en="changed", acting_user=actor
            )
    assert world.assessment.responses.get().narrative_en == "We have a written policy."


def test_returned_assessment_can_be_edited_and_resubmitted(world: World) -> None:
    _to(world, S.IN_REVIEW)
    workflow.perform(world.assessment, "return", acting_user=world.users["assessor_network"])
    _answer(world, "More evidence added.")
    workflow.perform(world.assessment, "submit", acting_user=world.users["librarian_own"])
    world.assessment.refresh_from_db()
    assert world.assessment.status == S.SUBMITTED
    verbs = list(
        AuditEvent.objects.filter(object_id=str(world.assessment.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs.count(AuditVerb.ASSESSMENT_SUBMITTED) == 2
    assert AuditVerb.ASSESSMENT_RETURNED in verbs


def test_scores_respect_the_points_of_the_criterion_and_of_its_category(world: World) -> None:
    _answer(world)
    services.save_response(
        world.assessment,
        criterion(world.standard, "1.2"),
        narrative_en="Second item done.",
        acting_user=world.users["librarian_own"],
    )
    workflow.perform(world.assessment, "submit", acting_user=world.users["librarian_own"])
    assessor = world.users["assessor_network"]
    with pytest.raises(ValidationError, match=r"while the assessment is in review"):
        services.score_response(
            world.assessment.responses.first(), Decimal(1), acting_user=assessor
        )
    workflow.perform(world.assessment, "start_review", acting_user=assessor)
    first = world.assessment.responses.get(criterion__code="1.1")
    second = world.assessment.responses.get(criterion__code="1.2")
    with pytest.raises(ValidationError, match="At most 6"):
        services.score_response(first, Decimal("6.5"), acting_user=assessor)
    services.score_response(first, Decimal(6), acting_user=assessor)
    with pytest.raises(ValidationError, match="10"):  # 6 + 5 > category 1's 10 points
        services.score_response(second, Decimal(5), acting_user=assessor)
    services.score_response(second, Decimal(4), acting_user=assessor)
    with pytest.raises(ValidationError):
        services.score_response(second, Decimal(-1), acting_user=assessor)
    # a new score replaces the old one; the old one stays as history
    services.score_response(first, Decimal(5), comment="Corrected", acting_user=assessor)
    first.refresh_from_db()
    current = first.current_score()
    assert current is not None and (current.points, current.comment) == (5, "Corrected")
    assert first.scores.count() == 2


def test_nobody_scores_their_own_library(world: World, tmp_path: Any) -> None:
    from libcoop.network.models import StaffRole
    from tests.factories import staff

    own_assessor = staff(StaffRole.ASSESSOR, world.own, network=world.network)
    _to(world, S.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        services.score_response(
            world.assessment.responses.get(), Decimal(1), acting_user=own_assessor
        )


def test_only_members_of_the_issuing_network_in_that_year_are_scored(world: World) -> None:
    _to(world, S.IN_REVIEW)
    world.own.memberships.filter(network=world.network).update(
        start="2025-01-01", start_precision="year"
    )
    world.assessment.refresh_from_db()  # the assessment is for 2024
    with pytest.raises(PermissionDenied):
        services.score_response(
            world.assessment.responses.get(),
            Decimal(1),
            acting_user=world.users["assessor_network"],
        )


def test_available_actions_follow_the_table_and_the_user(world: World) -> None:
    librarian, assessor = world.users["librarian_own"], world.users["assessor_network"]
    assert [t.action for t in workflow.available(world.assessment, librarian)] == ["submit"]
    assert workflow.available(world.assessment, assessor) == []
    _to(world, S.SUBMITTED)
    assert workflow.available(world.assessment, librarian) == []
    assert {t.action for t in workflow.available(world.assessment, assessor)} == {
        "start_review",
        "return",
    }
