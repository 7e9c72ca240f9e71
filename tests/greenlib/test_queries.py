"""The read contract other apps (reports) rely on: names, fields and behaviour."""

from __future__ import annotations

import dataclasses
import inspect
from decimal import Decimal

import pytest

from libcoop.greenlib import queries, services, workflow
from libcoop.network.abilities import SYSTEM
from tests.factories import InstitutionFactory, MembershipFactory
from tests.greenlib.conftest import World
from tests.greenlib.factories import criterion

# Written from docs/contracts.md.
CRITERION_RESULT = [
    "category_number", "category_title", "code", "title", "requirement", "max_points",
    "narrative", "self_status", "score", "assessor_comment", "evidence_files", "linked",
]  # fmt: skip
ASSESSMENT_SUMMARY = [
    "pk", "institution_code", "year", "standard_code", "standard_title", "status",
    "status_label", "total_score", "max_points", "url",
]  # fmt: skip
SIGNATURES = {
    "assessment_for": "(institution: 'Institution', year: 'int') -> 'AssessmentSummary | None'",
    "criterion_results": (
        "(institution: 'Institution', year: 'int', *, lang: 'str' = 'th', "
        "reader: 'Actor | None' = None) -> 'list[CriterionResult]'"
    ),
    "category_requirement": (
        "(standard_code: 'str', category_number: 'str', *, lang: 'str' = 'th') "
        "-> 'tuple[str, str] | None'"
    ),
    "assessments_of_network": ("(network: 'Network', year: 'int') -> 'list[AssessmentSummary]'"),
    "env_series": (
        "(institution: 'Institution', *, metric: 'str', years: 'Iterable[int]') "
        "-> 'dict[int, list[Decimal | None]]'"
    ),
}


def test_dataclasses_and_signatures_match_the_contract() -> None:
    for cls, names in (
        (queries.CriterionResult, CRITERION_RESULT),
        (queries.AssessmentSummary, ASSESSMENT_SUMMARY),
    ):
        assert [f.name for f in dataclasses.fields(cls)] == names
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    for name, signature in SIGNATURES.items():
        assert str(inspect.signature(getattr(queries, name))) == signature


@pytest.mark.django_db
def test_results_hide_scores_until_published(world: World) -> None:
    services.save_response(
        world.assessment,
        world.item,
        narrative_th="มีนโยบาย",
        narrative_en="There is a policy",
        self_status="met",
        acting_user=SYSTEM,
    )
    assert queries.criterion_results(world.own, 2023) == []
    summary = queries.assessment_for(world.own, 2024)
    assert summary is not None
    assert (summary.status, summary.total_score, summary.max_points) == ("draft", None, 20)
    assert summary.url == f"/greenlib/assessments/{world.assessment.pk}/"
    for action in ("submit", "start_review"):
        workflow.perform(world.assessment, action, acting_user=SYSTEM)
    response = world.assessment.responses.get()
    services.score_response(response, Decimal("5.5"), comment="ดี", acting_user=SYSTEM)
    (hidden,) = queries.criterion_results(world.own, 2024, lang="en")
    assert hidden.score is None and hidden.assessor_comment == ""
    workflow.perform(world.assessment, "publish", acting_user=SYSTEM)
    (result,) = queries.criterion_results(world.own, 2024, lang="en")
    assert result == queries.CriterionResult(
        category_number="1",
        category_title="Category one",
        code="1.1",
        title="First item",
        requirement="Do the first thing.",  # the item has none: its category's
        max_points=Decimal(6),
        narrative="There is a policy",
        self_status="met",
        score=Decimal("5.5"),
        assessor_comment="ดี",
        evidence_files=[],
        linked=[],
    )
    (th,) = queries.criterion_results(world.own, 2024, lang="th")
    assert th.narrative == "มีนโยบาย" and th.category_title == "หมวดหนึ่ง"
    summary = queries.assessment_for(world.own, 2024)
    assert summary is not None and summary.total_score == Decimal("5.5")


@pytest.mark.django_db
def test_unanswered_criteria_are_left_out(world: World) -> None:
    services.save_response(world.assessment, world.item, narrative_en="x", acting_user=SYSTEM)
    services.save_response(
        world.assessment, criterion(world.standard, "1.2"), narrative_en="", acting_user=SYSTEM
    )
    assert [r.code for r in queries.criterion_results(world.own, 2024)] == ["1.1"]


@pytest.mark.django_db
def test_category_requirement_reads_the_newest_version(world: World) -> None:
    assert queries.category_requirement("TEST-STD", "1", lang="en") == (
        "Category one",
        "Do the first thing.",
    )
    assert queries.category_requirement("TEST-STD", "1", lang="th") == (
        "หมวดหนึ่ง",
        "Do the first thing.",  # no Thai text: falls back to English
    )
    assert queries.category_requirement("TEST-STD", "9") is None
    assert queries.category_requirement("NOPE", "1") is None


@pytest.mark.django_db
def test_assessments_of_network_one_per_member_with_one(world: World) -> None:
    outsider = InstitutionFactory()
    services.open_assessment(outsider, 2024, world.standard, acting_user=SYSTEM)
    services.open_assessment(world.other, 2024, world.standard, acting_user=SYSTEM)
    services.open_assessment(world.other, 2023, world.standard, acting_user=SYSTEM)
    codes = [s.institution_code for s in queries.assessments_of_network(world.network, 2024)]
    assert codes == sorted([world.own.code, world.other.code])
    late = InstitutionFactory()
    MembershipFactory(institution=late, network=world.network, start="2030-01-01")
    services.open_assessment(late, 2024, world.standard, acting_user=SYSTEM)
    assert late.code not in [
        s.institution_code for s in queries.assessments_of_network(world.network, 2024)
    ]


@pytest.mark.django_db
def test_env_series_twelve_months_per_year(world: World) -> None:
    services.record_env_figures(
        world.own, 2019, {(3, "paper_reams"): Decimal(40)}, acting_user=SYSTEM
    )
    series = queries.env_series(world.own, metric="paper_reams", years=range(2018, 2020))
    assert series == {2018: [None] * 12, 2019: [None, None, Decimal(40)] + [None] * 9}
