"""The outreach JSON API: filtered reads, token writes, clear 4xx errors."""

from __future__ import annotations

import pytest
from django.test import Client

from libcoop.core.tokens import issue_token
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, StaffRole
from libcoop.outreach.demo import load_demo
from libcoop.outreach.models import Activity
from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_registry: None) -> None:
    load_demo()


@pytest.fixture
def mfu_headers(demo: None) -> dict[str, str]:
    user = staff(StaffRole.LIBRARIAN, Institution.objects.get(code="MFU-LIB"))
    return {
        "Authorization": f"Bearer {issue_token(user, 't', acting_user=SYSTEM)}",
        "Accept-Language": "en",  # error messages are checked in English
    }


def test_list_and_filters(demo: None) -> None:
    client = Client()
    rows = client.get("/api/outreach/activities").json()
    assert [r["date"][:4] for r in rows] == ["2017", "2018", "2019"]
    assert rows[1]["schools"] == ["ANUBAN-NANGLAE-SCH", "HUAIHANGPASA-SCH"]
    assert rows[1]["pupils"] is None and rows[1]["precision"] == "year"
    by_school = client.get("/api/outreach/activities", {"school": "HUAIHANGPASA-SCH"}).json()
    assert [r["title_th"] for r in by_school] == ["สอนน้องแยกขยะก่อนทิ้ง"]
    assert len(client.get("/api/outreach/activities", {"year": 2017}).json()) == 1
    typed = client.get("/api/outreach/activities", {"activity_type": "service_objective"}).json()
    assert len(typed) == 1 and typed[0]["schools"] == []
    assert client.get("/api/outreach/activities", {"activity_type": "party"}).status_code == 422
    programmes = client.get("/api/outreach/programmes").json()
    assert programmes[0]["code"] == "MFU-BIGSIB" and programmes[0]["network"] == "MFU-BIGSIB"


def test_create_with_token(mfu_headers: dict[str, str]) -> None:
    response = Client().post(
        "/api/outreach/activities",
        {
            "programme": "MFU-BIGSIB",
            "title_th": "อ่านนิทานรักษ์โลก",
            "activity_type": "reading",
            "date": "2026-06",
            "schools": ["THANTHIP-SCH"],
            "pupils": 25,
        },
        content_type="application/json",
        headers=mfu_headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["precision"] == "month" and body["schools"] == ["THANTHIP-SCH"]
    assert Client().get(body["url"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"programme": "NOPE"}, 404, ""),
        ({"date": "next year"}, 400, "date"),
        ({"schools": ["CMU-LIB"]}, 400, "not a school"),
        ({"schools": ["NO-SUCH-SCH"]}, 400, "Unknown institution"),
        ({"title_th": ""}, 400, "title"),
        ({"pupils": -1}, 422, ""),
    ],
)
def test_create_errors(
    mfu_headers: dict[str, str], body: dict[str, object], status: int, message: str
) -> None:
    payload = {
        "programme": "MFU-BIGSIB",
        "title_th": "x",
        "activity_type": "talk",
        "date": "2026",
    } | body
    before = Activity.objects.count()
    response = Client().post(
        "/api/outreach/activities", payload, content_type="application/json", headers=mfu_headers
    )
    assert response.status_code == status, response.content
    assert message.lower() in response.content.decode().lower()
    assert Activity.objects.count() == before


@pytest.mark.parametrize("year", ["0", "-5", "99999"])
def test_list_refuses_a_year_no_date_can_have(year: str) -> None:
    assert Client().get("/api/outreach/activities", {"year": year}).status_code == 422
