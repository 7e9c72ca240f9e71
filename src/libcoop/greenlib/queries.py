"""Read functions other apps (reports) use to read green-library assessments.

The signatures and dataclasses follow the cross-app contract (``docs/contracts.md``) exactly.
Scores and assessor comments are given only for published results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.urls import reverse

from libcoop.greenlib import evidence
from libcoop.greenlib.models import (
    Assessment,
    AssessmentStatus,
    Category,
    CriterionResponse,
    EnvFigure,
    Standard,
)
from libcoop.network.abilities import Actor
from libcoop.network.models import Institution, Membership, Network


@dataclass(frozen=True)
class CriterionResult:
    category_number: str  # "7"
    category_title: str
    code: str  # criterion / indicator code, e.g. "7.1" or "1.1.1"
    title: str
    requirement: str  # the criterion text of the standard, in lang
    max_points: Decimal | None
    narrative: str  # the library's self-assessment text, in lang
    self_status: str  # "met", "partly", "not_met", "na", "" (not answered)
    score: Decimal | None  # the assessor's score if published
    assessor_comment: str
    evidence_files: list[tuple[str, str]]  # (file name, url)
    linked: list[tuple[str, str, str]]  # (kind, label, url)


@dataclass(frozen=True)
class AssessmentSummary:
    pk: int
    institution_code: str
    year: int  # CE
    standard_code: str  # "TLA-2558" | "GL-2566"
    standard_title: str
    status: str  # draft, submitted, in_review, published
    status_label: str
    total_score: Decimal | None
    max_points: Decimal | None
    url: str


def _with_scores() -> Any:  # a Prefetch of the responses with what the results need
    return Prefetch(
        "responses",
        queryset=CriterionResponse.objects.select_related(
            "criterion", "criterion__category"
        ).prefetch_related("scores", "links", "files__attachment"),
    )


def _summary(assessment: Assessment) -> AssessmentSummary:
    published = assessment.status == AssessmentStatus.PUBLISHED
    total: Decimal | None = None
    if published:
        total = sum(
            (s.points for r in assessment.responses.all() if (s := r.current_score())),
            Decimal(0),
        )
    return AssessmentSummary(
        pk=assessment.pk,
        institution_code=assessment.institution.code,
        year=assessment.year,
        standard_code=assessment.standard.code,
        standard_title=assessment.standard.title,
        status=assessment.status,
        status_label=str(assessment.get_status_display()),
        total_score=total,
        max_points=assessment.standard.total_points,
        url=reverse("greenlib:assessment", args=[assessment.pk]),
    )


def assessment_for(institution: Institution, year: int) -> AssessmentSummary | None:
    assessment = (
        Assessment.objects.select_related("institution", "standard")
        .prefetch_related(_with_scores())
        .filter(institution=institution, year=year)
        .first()
    )
    return _summary(assessment) if assessment is not None else None


def _answered(response: CriterionResponse) -> bool:
    return bool(
        response.narrative_th.strip()
        or response.narrative_en.strip()
        or response.self_status
        or response.links.all()
        or response.files.all()
        or response.scores.all()
    )


def criterion_results(
    institution: Institution, year: int, *, lang: str = "th", reader: Actor | None = None
) -> list[CriterionResult]:
    """Every criterion of that year's assessment with a narrative, evidence, links or a score.

    *reader*: a linked knowledge article that reader may not read is named by its number only
    (None: by its title)."""
    assessment = (
        Assessment.objects.select_related("institution", "standard")
        .prefetch_related(_with_scores())
        .filter(institution=institution, year=year)
        .first()
    )
    if assessment is None:
        return []
    published = assessment.status == AssessmentStatus.PUBLISHED
    responses = [r for r in assessment.responses.all() if _answered(r)]
    responses.sort(key=lambda r: (r.criterion.category.position, r.criterion.position))
    linked = any(r.links.all() for r in responses)
    known = evidence.index(institution, lang=lang, reader=reader) if linked else {}
    out: list[CriterionResult] = []
    for r in responses:
        criterion, category = r.criterion, r.criterion.category
        score = r.current_score() if published else None
        out.append(
            CriterionResult(
                category_number=category.number,
                category_title=category.title_in(lang),
                code=criterion.code,
                title=criterion.title_in(lang),
                requirement=criterion.requirement_in(lang) or category.requirement_in(lang),
                max_points=criterion.max_points,
                narrative=r.narrative_in(lang),
                self_status=r.self_status,
                score=score.points if score else None,
                assessor_comment=score.comment if score else "",
                evidence_files=[
                    (
                        f.attachment.original_name,
                        reverse("greenlib:evidence_file", args=[f.pk]),
                    )
                    for f in r.files.all()
                ],
                linked=evidence.describe(r.links.all(), known),
            )
        )
    return out


def category_requirement(
    standard_code: str, category_number: str, *, lang: str = "th"
) -> tuple[str, str] | None:
    """(category title, requirement text) from the newest version of the standard's data."""
    standard = Standard.objects.filter(code=standard_code).order_by("-version").first()
    if standard is None:
        return None
    category = Category.objects.filter(standard=standard, number=category_number).first()
    if category is None:
        return None
    return category.title_in(lang), category.requirement_in(lang)


def members_in_year(network: Network, year: int) -> list[Institution]:
    """Institutions that belonged to *network* at some time in *year*, by code."""
    ids = (
        Membership.objects.filter(network=network)
        .filter(Q(start__isnull=True) | Q(start__year__lte=year))
        .filter(Q(end__isnull=True) | Q(end__year__gte=year))
        .values("institution_id")
    )
    return list(Institution.objects.filter(pk__in=ids).order_by("code"))


def assessments_of_network(network: Network, year: int) -> list[AssessmentSummary]:
    """One summary per member institution (in that year) that has an assessment for it."""
    members = members_in_year(network, year)
    assessments = (
        Assessment.objects.select_related("institution", "standard")
        .prefetch_related(_with_scores())
        .filter(institution__in=members, year=year)
        .order_by("institution__code")
    )
    return [_summary(a) for a in assessments]


def env_series(
    institution: Institution, *, metric: str, years: Iterable[int]
) -> dict[int, list[Decimal | None]]:
    """CE year → 12 monthly values (None when not recorded)."""
    years = list(years)
    series: dict[int, list[Decimal | None]] = {y: [None] * 12 for y in years}
    figures = EnvFigure.objects.filter(institution=institution, metric=metric, year__in=years)
    for f in figures:
        series[f.year][f.month - 1] = f.value
    return series
