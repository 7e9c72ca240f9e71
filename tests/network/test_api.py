"""The registry's JSON API: reads, OpenAPI, and clear 4xx errors for bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from libcoop.audit.models import AuditEvent
from libcoop.core.tokens import issue_token
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Membership, StaffRole
from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfu_admin_headers(demo_registry: None) -> dict[str, str]:
    user = staff(StaffRole.LIBRARY_ADMIN, Institution.objects.get(code="MFU-LIB"))
    return {"Authorization": f"Bearer {issue_token(user, 't', acting_user=SYSTEM)}"}


def test_openapi_lists_the_registry() -> None:
    schema = Client().get("/api/openapi.json").json()
    assert "/api/networks/{code}" in schema["paths"]
    assert "patch" in schema["paths"]["/api/institutions/{code}"]


def test_network_detail(demo_registry: None) -> None:
    data = Client().get("/api/networks/GLN").json()
    assert data["name_th"] == "เครือข่ายห้องสมุดสีเขียว"
    mfu = [m for m in data["memberships"] if m["institution"] == "MFU-LIB"]
    assert mfu and mfu[0]["start"] == "2014-01-01" and mfu[0]["start_precision"] == "year"
    assert "green_library" in data["purposes"]
    assert any(wg["code"] == "GLN-COMMITTEE" for wg in data["working_groups"])


def test_list_filters_by_kind(demo_registry: None) -> None:
    schools = Client().get("/api/institutions", {"kind": "school"}).json()
    assert schools and all(s["kind"] == "school" for s in schools)
    assert Client().get("/api/institutions", {"kind": "castle"}).status_code == 422


def test_patch_with_token(mfu_admin_headers: dict[str, str]) -> None:
    response = Client().patch(
        "/api/institutions/MFU-LIB",
        {"website": "https://library.mfu.ac.th/", "province": "TH-57"},
        content_type="application/json",
        headers=mfu_admin_headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["website"] == "https://library.mfu.ac.th/"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"website": "not a url"}, 400, "URL"),
        ({"province": "TH-99"}, 404, "Province"),
        ({"name_th": "", "name_en": ""}, 400, "name"),
        ({"name_en": 5}, 422, ""),
    ],
)
def test_bad_input_gets_a_clear_error(
    mfu_admin_headers: dict[str, str], body: dict[str, object], status: int, message: str
) -> None:
    before = AuditEvent.objects.count()
    response = Client().patch(
        "/api/institutions/MFU-LIB",
        body,
        content_type="application/json",
        headers=mfu_admin_headers,
    )
    assert response.status_code == status
    assert message.lower() in response.content.decode().lower()
    assert AuditEvent.objects.count() == before


def test_bad_dates_and_unknown_codes(demo_registry: None) -> None:
    from tests.factories import UserFactory

    root = UserFactory(is_superuser=True)
    root.save()
    headers = {"Authorization": f"Bearer {issue_token(root, 't', acting_user=SYSTEM)}"}
    client = Client()
    bad_date = client.post(
        "/api/networks/GLN/memberships",
        {"institution": "CMU-LIB", "start": "2014-13"},
        content_type="application/json",
        headers=headers,
    )
    assert bad_date.status_code == 400 and "start" in bad_date.json()["detail"]
    unknown = client.post(
        "/api/networks/GLN/memberships",
        {"institution": "NOPE"},
        content_type="application/json",
        headers=headers,
    )
    assert unknown.status_code == 404
    membership = Membership.objects.filter(network__code="GLN").first()
    assert membership is not None
    no_end = client.post(
        f"/api/memberships/{membership.pk}/end",
        {"end": ""},
        content_type="application/json",
        headers=headers,
    )
    assert no_end.status_code == 400 and "end" in no_end.json()["detail"]  # was a 500


def test_revoked_or_wrong_token_is_401(demo_registry: None) -> None:
    response = Client().patch(
        "/api/institutions/MFU-LIB",
        {"website": "https://x.example/"},
        content_type="application/json",
        headers={"Authorization": "Bearer lc_wrong"},
    )
    assert response.status_code == 401
    assert "token" in response.json()["detail"]
