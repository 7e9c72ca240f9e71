"""Green-library services: every change to standards, assessments, evidence, scores and figures.

Each function takes ``acting_user`` (keyword-only), checks a named ability
(:mod:`libcoop.greenlib.abilities`), runs in one transaction and writes an audit event, so
pages, the API, the CLI and the demo loader share the same rules. Workflow transitions
(submit, review, publish …) are in :mod:`libcoop.greenlib.workflow`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record, user_of
from libcoop.core import attachments
from libcoop.greenlib.evidence import belongs_to
from libcoop.greenlib.models import (
    Assessment,
    AssessmentStatus,
    Category,
    Criterion,
    CriterionResponse,
    EnvFigure,
    EnvMetric,
    EvidenceFile,
    EvidenceKind,
    EvidenceLink,
    Score,
    SelfStatus,
    Standard,
)
from libcoop.greenlib.standard import CategorySpec, CriterionSpec, StandardSpec, read_standard
from libcoop.network.abilities import Actor, require
from libcoop.network.models import Institution, Network

# ---------------------------------------------------------------------------------------------
# Standards


def load_standard(path: Path, *, acting_user: Actor) -> Standard:
    """Load a standard file; idempotent. See :func:`load_standard_spec` for versioning."""
    return load_standard_spec(read_standard(path), acting_user=acting_user)


@transaction.atomic
def load_standard_spec(spec: StandardSpec, *, acting_user: Actor) -> Standard:
    """Store *spec* as the current version of its standard.

    * The same file again (same SHA-256 as the current version): nothing changes.
    * An edited file while no assessment uses the current version: that version's tree is
      replaced in place (its number stays).
    * An edited file while assessments use the current version: a new version is created;
      existing assessments keep the version they answered, new ones use the new version.
    """
    issuer = None
    if spec.issuer:
        issuer = Network.objects.filter(code=spec.issuer).first()
        if issuer is None:
            raise ValidationError(f"{spec.source_name}: issuer network {spec.issuer} is unknown")
    require(acting_user, "greenlib.load_standard", issuer)
    current = (
        Standard.objects.select_for_update().filter(code=spec.code).order_by("-version").first()
    )
    if current is not None and current.source_sha256 == spec.sha256:
        return current
    if current is not None and not current.assessments.exists():
        action = "replaced"
        standard = current
        standard.categories.all().delete()  # criteria go with them (nothing answers them)
    else:
        action = "created" if current is None else "new_version"
        standard = Standard(code=spec.code, version=(current.version + 1) if current else 1)
    _fill_standard(standard, spec, issuer)
    standard.save()
    for category_spec in spec.categories:
        _store_category(standard, category_spec)
    record(
        AuditVerb.STANDARD_LOADED,
        standard,
        acting_user=acting_user,
        institution_code="",
        action=action,
        code=standard.code,
        version=standard.version,
        sha256=spec.sha256,
        file=spec.source_name,
        categories=len(spec.categories),
        criteria=spec.criterion_count(),
    )
    return standard


def _fill_standard(standard: Standard, spec: StandardSpec, issuer: Network | None) -> None:
    standard.title_th = spec.title_th
    standard.title_en = spec.title_en
    standard.issuer = issuer
    standard.effective_year = spec.effective_year
    standard.total_points = spec.total_points
    standard.total_points_status = spec.total_points_status
    standard.description_th = spec.description_th
    standard.description_en = spec.description_en
    standard.sources = spec.sources
    standard.source_name = spec.source_name
    standard.source_sha256 = spec.sha256
    standard.loaded_at = timezone.now()


def _part_fields(spec: CategorySpec | CriterionSpec) -> dict[str, Any]:
    """The fields of ``StandardPart`` (requirement, points, references), from a spec."""
    return {
        "requirement_th": spec.requirement_th,
        "requirement_en": spec.requirement_en,
        "requirement_wording": spec.requirement_wording,
        "max_points": spec.max_points,
        "points_status": spec.points_status,
        "interview_points": spec.audit.interview,
        "document_points": spec.audit.documents,
        "onsite_points": spec.audit.onsite,
        "go_ref": spec.go_ref,
        "note_th": spec.note_th,
        "note_en": spec.note_en,
        "sources": spec.sources,
    }


def _store_category(standard: Standard, spec: CategorySpec) -> None:
    category = Category.objects.create(
        standard=standard,
        number=spec.number,
        position=spec.position,
        title_th=spec.title_th,
        title_en=spec.title_en,
        title_status=spec.title_status,
        audit_items=spec.audit_items,
        **_part_fields(spec),
    )
    for criterion_spec in spec.criteria:
        _store_criterion(standard, category, None, criterion_spec)


def _store_criterion(
    standard: Standard, category: Category, parent: Criterion | None, spec: CriterionSpec
) -> None:
    node = Criterion.objects.create(
        standard=standard,
        category=category,
        parent=parent,
        code=spec.code,
        level=spec.level,
        position=spec.position,
        assessable=spec.assessable,
        title_th=spec.title_th,
        title_en=spec.title_en,
        status=spec.status,
        evidence_items=spec.evidence,
        **_part_fields(spec),
    )
    for child in spec.children:
        _store_criterion(standard, category, node, child)


def current_standards() -> list[Standard]:
    """The newest version of each standard (what a new assessment is opened under)."""
    latest: dict[str, Standard] = {}
    for s in Standard.objects.select_related("issuer").order_by("code", "-version"):
        latest.setdefault(s.code, s)
    return list(latest.values())


# ---------------------------------------------------------------------------------------------
# Assessments


@transaction.atomic
def open_assessment(
    institution: Institution,
    year: int,
    standard: Standard,
    *,
    note_th: str = "",
    note_en: str = "",
    acting_user: Actor,
) -> Assessment:
    """Start the institution's self-assessment for *year* (CE) under *standard*, with an
    optional note on it (shown with the assessment and in its report)."""
    require(acting_user, "greenlib.open_assessment", institution)
    if Assessment.objects.filter(institution=institution, year=year).exists():
        raise ValidationError(_("There is already a self-assessment for this year."))
    newest = Standard.objects.filter(code=standard.code).order_by("-version").first()
    if newest is not None and newest.pk != standard.pk:
        raise ValidationError(_("Use the current version of the standard."))
    assessment = Assessment(
        institution=institution,
        year=year,
        standard=standard,
        note_th=note_th.strip(),
        note_en=note_en.strip(),
    )
    assessment.full_clean()
    assessment.save()
    record(
        AuditVerb.ASSESSMENT_OPENED,
        assessment,
        acting_user=acting_user,
        institution_code=institution.code,
        year=year,
        standard=f"{standard.code} v{standard.version}",
        note_th=assessment.note_th,
        note_en=assessment.note_en,
    )
    return assessment


def _require_editable(assessment: Assessment, acting_user: Actor) -> None:
    """The library's answers change only while it is a draft — for everyone, SYSTEM included."""
    require(acting_user, "greenlib.edit_assessment", assessment)
    # Read the status again under a lock: a submission may have happened since the page loaded.
    status = (
        Assessment.objects.select_for_update()
        .values_list("status", flat=True)
        .get(pk=assessment.pk)
    )
    if status != AssessmentStatus.DRAFT:
        raise ValidationError(_("The self-assessment can be changed only while it is a draft."))


def _criterion_of(assessment: Assessment, criterion: Criterion) -> Criterion:
    if criterion.standard_id != assessment.standard_id:
        raise ValidationError(_("This criterion belongs to another standard."))
    if not criterion.assessable:
        raise ValidationError(_("This heading is not answered itself; answer its criteria."))
    return criterion


def _response(assessment: Assessment, criterion: Criterion) -> CriterionResponse:
    response, _created = CriterionResponse.objects.get_or_create(
        assessment=assessment, criterion=_criterion_of(assessment, criterion)
    )
    return response


@transaction.atomic
def save_response(
    assessment: Assessment,
    criterion: Criterion,
    *,
    acting_user: Actor,
    narrative_th: str | None = None,
    narrative_en: str | None = None,
    self_status: str | None = None,
) -> CriterionResponse:
    """Change the library's narrative and self-judgement on one criterion (None = unchanged)."""
    _require_editable(assessment, acting_user)
    if self_status not in (None, "", *SelfStatus.values):
        raise ValidationError(f"Unknown self status: {self_status!r}")
    response = _response(assessment, criterion)
    changes: dict[str, list[str]] = {}
    for field, value in (
        ("narrative_th", narrative_th),
        ("narrative_en", narrative_en),
        ("self_status", self_status),
    ):
        if value is None:
            continue
        value = value.strip().replace("\r\n", "\n")
        old = getattr(response, field)
        if old != value:
            setattr(response, field, value)
            changes[field] = [old, value]
    if changes:
        response.save()
        record(
            AuditVerb.ASSESSMENT_CHANGED,
            assessment,
            acting_user=acting_user,
            institution_code=assessment.institution.code,
            criterion=criterion.code,
            changes=changes,
        )
    return response


@transaction.atomic
def add_evidence_link(
    assessment: Assessment,
    criterion: Criterion,
    kind: str,
    object_id: int,
    *,
    acting_user: Actor,
) -> EvidenceLink:
    """Link one of the library's own records (membership, seat, event, …) as evidence."""
    _require_editable(assessment, acting_user)
    if kind not in EvidenceKind.values:
        raise ValidationError(f"Unknown kind of evidence: {kind!r}")
    if not belongs_to(assessment.institution, kind, object_id):
        raise ValidationError(_("Only the library's own records can be linked as evidence."))
    response = _response(assessment, criterion)
    link, created = EvidenceLink.objects.get_or_create(
        response=response, kind=kind, object_id=object_id
    )
    if created:
        record(
            AuditVerb.EVIDENCE_ADDED,
            assessment,
            acting_user=acting_user,
            institution_code=assessment.institution.code,
            criterion=criterion.code,
            kind=kind,
            object_id=object_id,
        )
    return link


@transaction.atomic
def remove_evidence_link(link: EvidenceLink, *, acting_user: Actor) -> None:
    assessment = link.response.assessment
    _require_editable(assessment, acting_user)
    record(
        AuditVerb.EVIDENCE_REMOVED,
        assessment,
        acting_user=acting_user,
        institution_code=assessment.institution.code,
        criterion=link.response.criterion.code,
        kind=link.kind,
        object_id=link.object_id,
    )
    link.delete()


@transaction.atomic
def add_evidence_file(
    assessment: Assessment,
    criterion: Criterion,
    upload: IO[bytes] | Iterable[bytes],
    *,
    name: str,
    acting_user: Actor,
) -> EvidenceFile:
    """Store an uploaded document or photo as evidence (checked by ``core.attachments``)."""
    _require_editable(assessment, acting_user)
    response = _response(assessment, criterion)
    attachment = attachments.store_upload(
        upload, name=name, acting_user=acting_user, institution=assessment.institution
    )
    evidence = EvidenceFile.objects.create(response=response, attachment=attachment)
    record(
        AuditVerb.EVIDENCE_ADDED,
        assessment,
        acting_user=acting_user,
        institution_code=assessment.institution.code,
        criterion=criterion.code,
        kind="file",
        name=attachment.original_name,
        sha256=attachment.sha256,
    )
    return evidence


@transaction.atomic
def remove_evidence_file(evidence: EvidenceFile, *, acting_user: Actor) -> None:
    assessment = evidence.response.assessment
    _require_editable(assessment, acting_user)
    attachment = evidence.attachment
    record(
        AuditVerb.EVIDENCE_REMOVED,
        assessment,
        acting_user=acting_user,
        institution_code=assessment.institution.code,
        criterion=evidence.response.criterion.code,
        kind="file",
        name=attachment.original_name,
    )
    evidence.delete()
    attachments.remove(attachment, acting_user=acting_user)


@transaction.atomic
def score_response(
    response: CriterionResponse,
    points: Decimal,
    *,
    comment: str = "",
    acting_user: Actor,
    illustrative: bool = False,
) -> Score:
    """An assessor scores one answered criterion while the assessment is in review."""
    assessment = Assessment.objects.select_for_update().get(pk=response.assessment_id)
    require(acting_user, "greenlib.score", assessment)
    if assessment.status != AssessmentStatus.IN_REVIEW:
        raise ValidationError(_("Scores are given while the assessment is in review."))
    points = Decimal(points)
    if points < 0:
        raise ValidationError(_("A score cannot be negative."))
    criterion = response.criterion
    if criterion.max_points is not None and points > criterion.max_points:
        raise ValidationError(
            _("At most %(max)s points for %(code)s.")
            % {"max": criterion.max_points, "code": criterion.code}
        )
    _check_category_cap(response, points)
    score = Score(
        response=response,
        assessor=user_of(acting_user),
        points=points,
        comment=comment.strip(),
        illustrative=illustrative,
    )
    score.full_clean(exclude=["assessor"])
    score.save()
    record(
        AuditVerb.ASSESSMENT_SCORED,
        assessment,
        acting_user=acting_user,
        institution_code=assessment.institution.code,
        criterion=criterion.code,
        points=str(points),
        illustrative=illustrative,
    )
    return score


def _check_category_cap(response: CriterionResponse, points: Decimal) -> None:
    """The scores of a category's criteria together stay within the category's points."""
    category = response.criterion.category
    if category.max_points is None:
        return
    others = CriterionResponse.objects.filter(
        assessment_id=response.assessment_id, criterion__category=category
    ).exclude(pk=response.pk)
    total = points + sum(
        (s.points for r in others.prefetch_related("scores") if (s := r.current_score())),
        Decimal(0),
    )
    if total > category.max_points:
        raise ValidationError(
            _("Category %(number)s has %(max)s points; these scores add up to %(total)s.")
            % {"number": category.number, "max": category.max_points, "total": total}
        )


# ---------------------------------------------------------------------------------------------
# Environmental figures


@transaction.atomic
def record_env_figures(
    institution: Institution,
    year: int,
    values: Mapping[tuple[int, str], Decimal | None],
    *,
    acting_user: Actor,
    illustrative: bool = False,
) -> int:
    """Set monthly figures {(month, metric): value}; None removes one. Returns how many changed."""
    require(acting_user, "greenlib.record_env", institution)
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Give the year in the Common Era (e.g. 2024)."))
    existing = {
        (f.month, f.metric): f
        for f in EnvFigure.objects.select_for_update().filter(institution=institution, year=year)
    }
    changes: dict[str, list[Any]] = {}
    for (month, metric), value in sorted(values.items()):
        if metric not in EnvMetric.values or not 1 <= month <= 12:
            raise ValidationError(f"Unknown month or metric: {month} {metric}")
        if value is not None and Decimal(value) < 0:
            raise ValidationError(_("Figures cannot be negative."))
        key = f"{month:02d}:{metric}"
        old = existing.get((month, metric))
        if value is None:
            if old is not None:
                changes[key] = [str(old.value), None]
                old.delete()
            continue
        value = Decimal(value).quantize(Decimal("0.001"))
        if old is None:
            EnvFigure.objects.create(
                institution=institution,
                year=year,
                month=month,
                metric=metric,
                value=value,
                illustrative=illustrative,
            )
            changes[key] = [None, str(value)]
        elif old.value != value or old.illustrative != illustrative:
            changes[key] = [str(old.value), str(value)]
            old.value, old.illustrative = value, illustrative
            old.save(update_fields=["value", "illustrative", "updated"])
    if changes:
        record(
            AuditVerb.ENV_FIGURE_RECORDED,
            institution,
            acting_user=acting_user,
            institution_code=institution.code,
            year=year,
            changes=changes,
        )
    return len(changes)
