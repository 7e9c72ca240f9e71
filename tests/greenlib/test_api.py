"""JSON API: standards (public), assessments and figures (token), writes through services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from libcoop.core.tokens import issue_token
from libcoop.greenlib.models import AssessmentStatus, EnvFigure
from libcoop.network.abilities import SYSTEM
from tests.greenlib.conftest import World

pytestmark = pytest.mark.django_db


def _auth(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user, 'test', acting_user=SYSTEM)}"}


def test_standards_are_public(world: World) -> None:
    listing = Client().get("/api/greenlib/standards").json()
    assert [s["code"] for s in listing] == ["TEST-STD"]
    detail = Client().get("/api/greenlib/standards/TEST-STD").json()
    assert detail["total_points"] == "20.00"
    (_first, cat2) = detail["categories"]
    assert [c["code"] for c in cat2["criteria"]] == ["2.1", "2.1.1"]
    assert cat2["criteria"][1]["parent"] == "2.1" and not cat2["criteria"][0]["assessable"]
    assert Client().get("/api/greenlib/standards/NOPE").status_code == 404


def test_library_answers_links_and_submits_through_the_api(world: World) -> None:
    headers = _auth(world.users["librarian_own"])
    client = Client()
    base = f"/api/greenlib/assessments/{world.assessment.pk}"
    membership = world.own.memberships.get(network=world.network)
    saved = client.post(
        f"{base}/responses",
        {
            "criterion": "1.1",
            "narrative_th": "มีนโยบาย",
            "self_status": "met",
            "links": [{"kind": "membership", "object_id": membership.pk}],
        },
        content_type="application/json",
        headers=headers,
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["narrative_th"] == "มีนโยบาย" and body["links"] == [
        {"kind": "membership", "object_id": membership.pk}
    ]
    assert body["score"] is None
    listing = client.get(f"{base}/responses", headers=headers).json()
    assert [r["criterion"] for r in listing] == ["1.1"]
    unknown = client.post(
        f"{base}/responses", {"criterion": "9.9"}, content_type="application/json", headers=headers
    )
    assert unknown.status_code == 404
    submitted = client.post(f"{base}/actions/submit", headers=headers)
    assert submitted.json() == {"id": world.assessment.pk, "status": AssessmentStatus.SUBMITTED}
    again = client.post(f"{base}/actions/submit", headers=headers)
    assert again.status_code == 400


def test_a_bad_link_rolls_back_the_text_sent_with_it(world: World) -> None:
    headers = _auth(world.users["librarian_own"])
    other_membership = world.other.memberships.get(network=world.network)
    response = Client().post(
        f"/api/greenlib/assessments/{world.assessment.pk}/responses",
        {
            "criterion": "1.1",
            "narrative_en": "should not stay",
            "links": [{"kind": "membership", "object_id": other_membership.pk}],
        },
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400
    assert not world.assessment.responses.filter(narrative_en="should not stay").exists()


def test_open_an_assessment_through_the_api(world: World) -> None:
    response = Client().post(
        "/api/greenlib/assessments",
        {"institution": world.own.code, "year": 2023, "standard": "TEST-STD"},
        content_type="application/json",
        headers=_auth(world.users["library_admin_own"]),
    )
    assert response.status_code == 201 and response.json()["year"] == 2023
    refused = Client().post(
        "/api/greenlib/assessments",
        {"institution": world.own.code, "year": 2022, "standard": "TEST-STD"},
        content_type="application/json",
        headers=_auth(world.users["library_admin_other"]),
    )
    assert refused.status_code == 403


def test_env_figures_read_and_write(world: World) -> None:
    url = f"/api/greenlib/env/{world.own.code}/2019"
    headers = _auth(world.users["librarian_own"])
    body = {"figures": [{"month": 1, "metric": "water_m3", "value": "12.5"}]}
    written = Client().post(url, body, content_type="application/json", headers=headers)
    assert written.status_code == 200
    assert written.json()["figures"] == [{"month": 1, "metric": "water_m3", "value": "12.500"}]
    assert Client().get(url, headers=headers).json()["figures"][0]["metric"] == "water_m3"
    assert Client().get(url).status_code == 401
    other = _auth(world.users["librarian_other"])
    assert Client().get(url, headers=other).status_code == 404
    refused = Client().post(url, body, content_type="application/json", headers=other)
    assert refused.status_code == 403
    bad = {"figures": [{"month": 13, "metric": "water_m3", "value": "1"}]}
    invalid = Client().post(url, bad, content_type="application/json", headers=headers)
    assert invalid.status_code == 422
    assert EnvFigure.objects.count() == 1
