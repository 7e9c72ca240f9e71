"""JSON API of green-library assessment.

Standards are public. Assessments and environmental figures are not: reading them needs a
token too, and an assessment the token's user may not see is a 404. Writes go through the same
services as the pages.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema, Status

from libcoop.core.api import Amount, Error, Id, PageNumber, Year, token_auth
from libcoop.greenlib import services, workflow
from libcoop.greenlib.models import (
    Assessment,
    Category,
    Criterion,
    CriterionResponse,
    EnvFigure,
    EnvMetric,
    EvidenceKind,
    SelfStatus,
    Standard,
)
from libcoop.network.abilities import can, require
from libcoop.network.models import Institution

router = Router(tags=["greenlib"])


class StandardOut(Schema):
    code: str
    version: int
    title_th: str
    title_en: str
    issuer: str | None
    effective_year: int | None
    total_points: Decimal | None
    total_points_status: str
    source_sha256: str

    @staticmethod
    def resolve_issuer(obj: Standard) -> str | None:
        return obj.issuer.code if obj.issuer else None


class CriterionOut(Schema):
    code: str
    parent: str | None
    level: str
    assessable: bool
    title_th: str
    title_en: str
    status: str
    requirement_th: str
    requirement_en: str
    max_points: Decimal | None
    points_status: str
    evidence_items: list[dict[str, str]]
    go_ref: str
    sources: list[dict[str, str]]

    @staticmethod
    def resolve_parent(obj: Criterion) -> str | None:
        return obj.parent.code if obj.parent else None


class CategoryOut(Schema):
    number: str
    title_th: str
    title_en: str
    title_status: str
    requirement_th: str
    requirement_en: str
    max_points: Decimal | None
    points_status: str
    interview_points: Decimal | None
    document_points: Decimal | None
    onsite_points: Decimal | None
    go_ref: str
    note_en: str
    sources: list[dict[str, str]]
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj: Category) -> list[Criterion]:
        return list(obj.criteria.select_related("parent").order_by("position"))


class StandardDetailOut(StandardOut):
    categories: list[CategoryOut]

    @staticmethod
    def resolve_categories(obj: Standard) -> list[Category]:
        return list(obj.categories.order_by("position"))


class LinkOut(Schema):
    kind: str
    object_id: int


class ScoreOut(Schema):
    points: Decimal
    comment: str
    illustrative: bool


class ResponseOut(Schema):
    criterion: str
    narrative_th: str
    narrative_en: str
    self_status: str
    links: list[LinkOut]
    files: list[str]
    score: ScoreOut | None = None


class AssessmentOut(Schema):
    id: int
    institution: str
    year: int
    standard: str
    standard_version: int
    status: str
    responses: list[ResponseOut]


class OpenIn(Schema):
    institution: str
    year: Year
    standard: str = Field(..., description="standard code, e.g. TLA-2558 (current version)")


class LinkIn(Schema):
    kind: EvidenceKind
    object_id: Id


class ResponseIn(Schema):
    criterion: str = Field(..., description="criterion code, e.g. 7.1 or 1.1.1")
    narrative_th: str | None = None
    narrative_en: str | None = None
    self_status: SelfStatus | None = None
    links: list[LinkIn] = Field(default_factory=list, description="records linked as evidence")


class FigureIO(Schema):
    month: int = Field(..., ge=1, le=12)
    metric: EnvMetric
    value: Amount | None = Field(None, description="null removes the figure")


class FiguresOut(Schema):
    institution: str
    year: int
    figures: list[FigureIO]
    illustrative: bool


class FiguresIn(Schema):
    figures: list[FigureIO]


class TransitionOut(Schema):
    id: int
    status: str


def _response_out(r: CriterionResponse, with_score: bool) -> dict[str, object]:
    score = r.current_score() if with_score else None
    return {
        "criterion": r.criterion.code,
        "narrative_th": r.narrative_th,
        "narrative_en": r.narrative_en,
        "self_status": r.self_status,
        "links": [{"kind": k.kind, "object_id": k.object_id} for k in r.links.all()],
        "files": [f.attachment.original_name for f in r.files.all()],
        "score": (
            {"points": score.points, "comment": score.comment, "illustrative": score.illustrative}
            if score
            else None
        ),
    }


def _assessment_out(request: HttpRequest, a: Assessment) -> dict[str, object]:
    with_scores = can(request.user, "greenlib.view_scores", a)
    responses = a.responses.select_related("criterion").prefetch_related(
        "links", "files__attachment", "scores"
    )
    return {
        "id": a.pk,
        "institution": a.institution.code,
        "year": a.year,
        "standard": a.standard.code,
        "standard_version": a.standard.version,
        "status": a.status,
        "responses": [_response_out(r, with_scores) for r in responses],
    }


def _visible(request: HttpRequest, pk: int) -> Assessment:
    a = Assessment.objects.select_related("institution", "standard", "standard__issuer").filter(
        pk=pk
    )
    assessment = a.first()
    if assessment is None or not can(request.user, "greenlib.view_assessment", assessment):
        raise Http404("No such assessment")
    return assessment


@router.get("/greenlib/standards", response=list[StandardOut])
def list_standards(request: HttpRequest) -> object:
    return Standard.objects.select_related("issuer").order_by("code", "-version")


@router.get("/greenlib/standards/{code}", response={200: StandardDetailOut, 404: Error})
def standard_detail(request: HttpRequest, code: str, version: PageNumber | None = None) -> object:
    versions = Standard.objects.select_related("issuer").filter(code=code).order_by("-version")
    standard = versions.filter(version=version).first() if version else versions.first()
    if standard is None:
        raise Http404(f"No standard {code}")
    return standard


@router.post(
    "/greenlib/assessments",
    auth=token_auth,
    response={201: AssessmentOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def open_assessment(request: HttpRequest, payload: OpenIn) -> object:
    institution = get_object_or_404(Institution, code=payload.institution)
    standard = Standard.objects.filter(code=payload.standard).order_by("-version").first()
    if standard is None:
        raise Http404(f"No standard {payload.standard}")
    assessment = services.open_assessment(
        institution, payload.year, standard, acting_user=request.user
    )
    return Status(201, _assessment_out(request, assessment))


@router.get(
    "/greenlib/assessments/{pk}",
    auth=token_auth,
    response={200: AssessmentOut, 401: Error, 404: Error},
)
def assessment_detail(request: HttpRequest, pk: int) -> object:
    return _assessment_out(request, _visible(request, pk))


@router.get(
    "/greenlib/assessments/{pk}/responses",
    auth=token_auth,
    response={200: list[ResponseOut], 401: Error, 404: Error},
)
def list_responses(request: HttpRequest, pk: int) -> object:
    out = _assessment_out(request, _visible(request, pk))
    return out["responses"]


@router.post(
    "/greenlib/assessments/{pk}/responses",
    auth=token_auth,
    response={200: ResponseOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def save_response(request: HttpRequest, pk: int, payload: ResponseIn) -> object:
    assessment = _visible(request, pk)
    criterion = get_object_or_404(Criterion, standard=assessment.standard, code=payload.criterion)
    with transaction.atomic():  # the text and the links together, or nothing
        response = services.save_response(
            assessment,
            criterion,
            acting_user=request.user,
            narrative_th=payload.narrative_th,
            narrative_en=payload.narrative_en,
            self_status=payload.self_status,
        )
        for link in payload.links:
            services.add_evidence_link(
                assessment, criterion, link.kind, link.object_id, acting_user=request.user
            )
    response = CriterionResponse.objects.select_related("criterion").get(pk=response.pk)
    return _response_out(response, can(request.user, "greenlib.view_scores", assessment))


@router.post(
    "/greenlib/assessments/{pk}/actions/{action}",
    auth=token_auth,
    response={200: TransitionOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def take_action(request: HttpRequest, pk: int, action: str) -> object:
    assessment = workflow.perform(_visible(request, pk), action, acting_user=request.user)
    return {"id": assessment.pk, "status": assessment.status}


def _figures_out(institution: Institution, year: int) -> dict[str, object]:
    figures = EnvFigure.objects.filter(institution=institution, year=year).order_by(
        "metric", "month"
    )
    return {
        "institution": institution.code,
        "year": year,
        "figures": [{"month": f.month, "metric": f.metric, "value": f.value} for f in figures],
        "illustrative": any(f.illustrative for f in figures),
    }


def _env_institution(request: HttpRequest, code: str) -> Institution:
    institution = get_object_or_404(Institution, code=code)
    if not can(request.user, "greenlib.view_env", institution):
        raise Http404("No figures")
    return institution


@router.get(
    "/greenlib/env/{code}/{year}",
    auth=token_auth,
    response={200: FiguresOut, 401: Error, 404: Error},
)
def env_figures(request: HttpRequest, code: str, year: Path[Year]) -> object:
    return _figures_out(_env_institution(request, code), year)


@router.post(
    "/greenlib/env/{code}/{year}",
    auth=token_auth,
    response={200: FiguresOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def record_env_figures(
    request: HttpRequest, code: str, year: Path[Year], payload: FiguresIn
) -> object:
    institution = get_object_or_404(Institution, code=code)
    require(request.user, "greenlib.record_env", institution)
    services.record_env_figures(
        institution,
        year,
        {(f.month, f.metric.value): f.value for f in payload.figures},
        acting_user=request.user,
    )
    return _figures_out(institution, year)
