"""What the assessment pages show: the standard's tree with the library's answers beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from libcoop.greenlib import evidence
from libcoop.greenlib.models import (
    Assessment,
    AssessmentStatus,
    Category,
    Criterion,
    CriterionResponse,
    Score,
    Standard,
)
from libcoop.network.abilities import Actor, can, profile_of
from libcoop.network.models import Network


@dataclass
class CriterionRow:
    criterion: Criterion
    response: CriterionResponse | None = None
    links: list[tuple[int, str, str, str]] = field(default_factory=list)  # pk, kind, label, url
    score: Score | None = None
    score_history: list[Score] = field(default_factory=list)

    @property
    def indent(self) -> int:
        depth, node = 0, self.criterion
        while node.parent_id is not None and node.parent is not None:
            depth, node = depth + 1, node.parent
        return depth


@dataclass
class CategoryBlock:
    category: Category
    rows: list[CriterionRow]
    score: Decimal | None = None


def assessment_with_tree(pk: int) -> Assessment | None:
    return (
        Assessment.objects.select_related("institution", "standard", "standard__issuer")
        .filter(pk=pk)
        .first()
    )


def responses_of(assessment: Assessment) -> QuerySet[CriterionResponse]:
    return assessment.responses.select_related("criterion").prefetch_related(
        "links",
        "files__attachment",
        Prefetch("scores", queryset=Score.objects.select_related("assessor")),
    )


def category_blocks(
    assessment: Assessment, *, lang: str, show_scores: bool, only: Criterion | None = None
) -> list[CategoryBlock]:
    """Every category of the assessment's standard, its criteria in order, answers beside them."""
    responses = {r.criterion_id: r for r in responses_of(assessment)}
    need_index = any(r.links.all() for r in responses.values())
    known = evidence.index(assessment.institution, lang=lang) if need_index else {}
    criteria = Criterion.objects.filter(standard=assessment.standard).select_related("parent")
    if only is not None:
        criteria = criteria.filter(pk=only.pk)
    by_category: dict[int, list[CriterionRow]] = {}
    for c in criteria.order_by("position"):
        row = CriterionRow(criterion=c, response=responses.get(c.pk))
        if row.response is not None:
            links = sorted(
                row.response.links.all(),
                key=lambda k: (evidence.KIND_ORDER.index(k.kind), k.pk),
            )
            row.links = [
                (link.pk, *described)
                for link, described in zip(links, evidence.describe(links, known), strict=True)
            ]
            if show_scores:
                row.score_history = list(row.response.scores.all())
                row.score = row.response.current_score()
        by_category.setdefault(c.category_id, []).append(row)
    blocks = []
    for category in Category.objects.filter(standard=assessment.standard).order_by("position"):
        rows = by_category.get(category.pk, [])
        if only is not None and not rows:
            continue
        scores = [r.score.points for r in rows if r.score]
        blocks.append(CategoryBlock(category, rows, sum(scores, Decimal(0)) if scores else None))
    return blocks


def total_score(blocks: list[CategoryBlock]) -> Decimal | None:
    scores = [b.score for b in blocks if b.score is not None]
    return sum(scores, Decimal(0)) if scores else None


def standard_tree(standard: Standard) -> list[tuple[Category, list[Criterion]]]:
    criteria = list(
        Criterion.objects.filter(standard=standard).select_related("parent").order_by("position")
    )
    return [
        (cat, [c for c in criteria if c.category_id == cat.pk])
        for cat in Category.objects.filter(standard=standard).order_by("position")
    ]


def review_queue(user: Actor) -> list[Assessment]:
    """Assessments an assessor or coordinator may see (not drafts) under their networks."""
    profile = profile_of(user)
    if profile is None or profile.network_id is None:
        return []
    network = profile.network
    assert network is not None
    issuers = [
        n for n in Network.objects.filter(standards__isnull=False).distinct() if _under(n, network)
    ]
    candidates = (
        Assessment.objects.select_related("institution", "standard", "standard__issuer")
        .filter(standard__issuer__in=issuers)
        .exclude(status=AssessmentStatus.DRAFT)
        .order_by("status", "-year", "institution__code")
    )
    return [a for a in candidates if can(user, "greenlib.view_assessment", a)]


def _under(network: Network, top: Network) -> bool:
    return network.pk == top.pk or any(a.pk == top.pk for a in network.ancestors())
