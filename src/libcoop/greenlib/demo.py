"""Demo data of greenlib (loaded by ``libcoop demo`` after the registry, events and outreach).

Loads both bundled standards, MFU-LIB's 2019 self-assessment under TLA-2558 (category 7 from
the seed, with its records linked as evidence, published with an illustrative score), a 2024
draft under GL-2566, and illustrative environmental figures for 2018–2019. What is true and
what is illustrative is said in ``data/demo_greenlib.yaml``.

Idempotent: standards load by checksum, an assessment that exists is left as it is, links are
added once and figures are only written when they differ. Everything goes through the services
as SYSTEM, in one transaction.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from libcoop.greenlib import services, workflow
from libcoop.greenlib.models import Assessment, Criterion, CriterionResponse, Standard
from libcoop.greenlib.standard import bundled_standards
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Membership, Network, Seat

DEMO_FILE = Path(__file__).parent / "data" / "demo_greenlib.yaml"


def _link_targets(
    institution: Institution, year: int, links: dict[str, Any]
) -> list[tuple[str, int]]:
    """(kind, pk) of each record named in the file, found through the owning apps."""
    from libcoop.events.queries import events_attended
    from libcoop.outreach.queries import activities_of

    out: list[tuple[str, int]] = []
    for code in links.get("memberships") or []:
        for m in Membership.objects.filter(institution=institution, network__code=code):
            out.append(("membership", m.pk))
    for code in links.get("seats") or []:
        for s in Seat.objects.filter(institution=institution, working_group__code=code):
            out.append(("seat", s.pk))
    networks = set(links.get("event_networks") or [])
    if networks:
        for e in events_attended(institution):
            if e.network_code in networks and e.start.year <= year:
                out.append(("event", e.pk))
    programmes = set(links.get("outreach_programmes") or [])
    if programmes:
        for a in activities_of(institution):
            if a.programme_code in programmes and a.date.year <= year:
                out.append(("outreach", a.pk))
    return out


def _assessment(row: dict[str, Any]) -> bool:
    """Create one demo assessment and walk it to its status; False when it already exists."""
    institution = Institution.objects.get(code=row["institution"])
    year = int(row["year"])
    if Assessment.objects.filter(institution=institution, year=year).exists():
        return False
    standard = Standard.objects.filter(code=row["standard"]).order_by("-version").first()
    assert standard is not None, row["standard"]
    assessment = services.open_assessment(
        institution,
        year,
        standard,
        note_th=row.get("note_th", ""),
        note_en=row.get("note_en", ""),
        acting_user=SYSTEM,
    )
    for answer in row.get("responses") or []:
        criterion = Criterion.objects.get(standard=standard, code=answer["criterion"])
        services.save_response(
            assessment,
            criterion,
            narrative_th=answer.get("narrative_th", ""),
            narrative_en=answer.get("narrative_en", ""),
            self_status=answer.get("self_status", ""),
            acting_user=SYSTEM,
        )
        for kind, pk in _link_targets(institution, year, answer.get("links") or {}):
            services.add_evidence_link(assessment, criterion, kind, pk, acting_user=SYSTEM)
    if row.get("status", "draft") == "draft":
        return True
    for action in ("submit", "start_review"):
        assessment = workflow.perform(assessment, action, acting_user=SYSTEM)
    for given in row.get("scores") or []:
        response = CriterionResponse.objects.select_related("criterion__category").get(
            assessment=assessment, criterion__code=given["criterion"]
        )
        services.score_response(
            response,
            Decimal(str(given["points"])),
            comment=given.get("comment_th") or given.get("comment_en", ""),
            acting_user=SYSTEM,
            illustrative=True,
        )
    if row["status"] == "published":
        workflow.perform(assessment, "publish", acting_user=SYSTEM)
    return True


def _figures(data: dict[str, Any]) -> int:
    institution = Institution.objects.get(code=data["institution"])
    changed = 0
    for year, metrics in (data.get("years") or {}).items():
        values = {
            (month, metric): Decimal(str(v))
            for metric, months in metrics.items()
            for month, v in enumerate(months, start=1)
            if v is not None
        }
        changed += services.record_env_figures(
            institution,
            int(year),
            values,
            acting_user=SYSTEM,
            illustrative=bool(data.get("illustrative")),
        )
    return changed


@transaction.atomic
def load_demo(path: Path = DEMO_FILE) -> str:
    """Load the demo standards, assessments and figures; return a one-line summary."""
    if not Network.objects.filter(code="GLN").exists():
        return "Green library: skipped (the demo registry is not loaded)"
    standards = [services.load_standard(p, acting_user=SYSTEM) for p in bundled_standards()]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = sum(_assessment(row) for row in data.get("assessments") or [])
    figures = _figures(data["env_figures"]) if data.get("env_figures") else 0
    return (
        f"Green library: {len(standards)} standards, {created} assessments created, "
        f"{figures} environmental figures changed"
    )
