"""Factories and helpers for green-library tests."""

from __future__ import annotations

from typing import Any

from libcoop.greenlib import services
from libcoop.greenlib.models import Assessment, Criterion, Standard
from libcoop.greenlib.standard import STANDARDS_DIR
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Network
from tests.factories import MembershipFactory, NetworkFactory

TLA_FILE = STANDARDS_DIR / "tla-2558.yaml"
GL_FILE = STANDARDS_DIR / "gl-2566.yaml"

SMALL_STANDARD = """
code: TEST-STD
title_th: มาตรฐานทดสอบ
title_en: Test standard
issuer: {issuer}
effective_year: 2020
total_points: 20
total_points_status: confirmed
categories:
  - number: "1"
    title_th: หมวดหนึ่ง
    title_en: Category one
    title_status: confirmed
    max_points: 10
    points_status: confirmed
    requirement_en: Do the first thing.
    criteria:
      - code: "1.1"
        title_en: First item
        max_points: 6
        points_status: confirmed
      - code: "1.2"
        title_en: Second item
  - number: "2"
    title_en: Category two
    title_status: confirmed
    max_points: 10
    points_status: confirmed
    criteria:
      - code: "2.1"
        level: issue
        title_en: An issue
        children:
          - code: "2.1.1"
            level: indicator
            title_en: An indicator
            evidence:
              - {{en: (1) a document}}
"""


def small_standard_file(tmp_path: Any, issuer: Network, text: str | None = None) -> Any:
    path = tmp_path / "test-std.yaml"
    path.write_text(text or SMALL_STANDARD.format(issuer=issuer.code), encoding="utf-8")
    return path


def small_standard(tmp_path: Any, issuer: Network | None = None) -> Standard:
    issuer = issuer or NetworkFactory()
    return services.load_standard(small_standard_file(tmp_path, issuer), acting_user=SYSTEM)


def member_assessment(
    tmp_path: Any,
    *,
    institution: Institution,
    standard: Standard | None = None,
    year: int = 2024,
) -> Assessment:
    """A draft assessment of an institution that is a member of the standard's issuer."""
    standard = standard or small_standard(tmp_path)
    assert standard.issuer is not None
    if not institution.memberships.filter(network=standard.issuer).exists():
        MembershipFactory(institution=institution, network=standard.issuer)
    return services.open_assessment(institution, year, standard, acting_user=SYSTEM)


def criterion(standard: Standard, code: str) -> Criterion:
    return Criterion.objects.get(standard=standard, code=code)
