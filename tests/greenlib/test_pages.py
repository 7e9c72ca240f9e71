"""Pages: overview, standards, the assessment page with HTMX editing, dashboard access."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from libcoop.greenlib import services, workflow
from libcoop.greenlib.models import Assessment, AssessmentStatus
from libcoop.network.abilities import SYSTEM
from tests.greenlib.conftest import ROLES, World

pytestmark = pytest.mark.django_db


def _login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_home_lists_the_librarys_years_and_opens_a_new_one(world: World) -> None:
    client = _login(world.users["library_admin_own"])
    page = client.get("/greenlib/")
    assert page.status_code == 200
    assert f"/greenlib/assessments/{world.assessment.pk}/" in page.content.decode()
    response = client.post(
        "/greenlib/assessments/new/", {"year": "2025", "standard": world.standard.pk}
    )
    opened = Assessment.objects.get(institution=world.own, year=2025)
    assert response.status_code == 302 and response["Location"].endswith(f"/{opened.pk}/")
    # a second one for the same year is refused with a message
    client.post("/greenlib/assessments/new/", {"year": "2025", "standard": world.standard.pk})
    assert Assessment.objects.filter(institution=world.own, year=2025).count() == 1


def test_other_roles_cannot_open_an_assessment_for_a_library(world: World) -> None:
    for role in ("patron", "school_contact", "coordinator_network"):
        client = _login(world.users[role])
        client.post("/greenlib/assessments/new/", {"year": "2026", "standard": world.standard.pk})
    assert not Assessment.objects.filter(year=2026).exists()


def test_assessor_sees_the_review_queue_and_scores_on_the_page(world: World) -> None:
    services.save_response(world.assessment, world.item, narrative_en="Done", acting_user=SYSTEM)
    workflow.perform(world.assessment, "submit", acting_user=SYSTEM)
    assessor = _login(world.users["assessor_network"])
    assert (
        f"/greenlib/assessments/{world.assessment.pk}/"
        in assessor.get("/greenlib/").content.decode()
    )
    url = f"/greenlib/assessments/{world.assessment.pk}/"
    assert "start_review" in assessor.get(url).content.decode()
    assessor.post(f"{url}actions/start_review/")
    page = assessor.get(url).content.decode()
    assert "score-form" in page
    response = world.assessment.responses.get()
    assessor.post(f"/greenlib/responses/{response.pk}/score/", {"points": "5", "comment": "ok"})
    assessor.post(f"{url}actions/publish/")
    world.assessment.refresh_from_db()
    assert world.assessment.status == AssessmentStatus.PUBLISHED
    library = _login(world.users["librarian_own"]).get(url).content.decode()
    assert "5" in library and "ok" in library


def test_htmx_edit_swaps_one_criterion(world: World) -> None:
    client = _login(world.users["librarian_own"])
    url = f"/greenlib/assessments/{world.assessment.pk}/criteria/{world.item.pk}/"
    form = client.get(url, headers={"HX-Request": "true"})
    assert form.status_code == 200 and "<html" not in form.content.decode()
    saved = client.post(
        url,
        {"narrative_th": "ทำแล้ว", "narrative_en": "Done", "self_status": "partly"},
        headers={"HX-Request": "true"},
    )
    html = saved.content.decode()
    assert saved.status_code == 200 and f'id="c-{world.item.pk}"' in html and "ทำแล้ว" in html
    plain = client.post(url, {"narrative_th": "แก้", "self_status": ""})
    assert plain.status_code == 302
    response = world.assessment.responses.get()
    assert (response.narrative_th, response.self_status) == ("แก้", "")


def test_standard_pages_are_public_and_show_unconfirmed_gaps(world: World) -> None:
    page = Client().get(f"/greenlib/standards/{world.standard.code}/")
    assert page.status_code == 200 and "1.1" in page.content.decode()
    assert Client().get("/greenlib/standards/").status_code == 200
    assert Client().get("/greenlib/standards/NOPE/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_only_for_the_networks_coordinators_and_assessors(
    world: World, role: str
) -> None:
    user = world.users[role]
    client = Client()
    if role != "anonymous":
        client.force_login(user)
    response = client.get(f"/greenlib/networks/{world.network.code}/dashboard/?year=2024")
    if role in ("coordinator_network", "assessor_network", "superuser"):
        assert response.status_code == 200
        html = response.content.decode()
        assert world.own.name in html and html.count("<svg") == 4
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 403


def test_dashboard_counts_members_status_and_scores(world: World) -> None:
    services.save_response(world.assessment, world.item, narrative_en="x", acting_user=SYSTEM)
    for action in ("submit", "start_review"):
        workflow.perform(world.assessment, action, acting_user=SYSTEM)
    services.score_response(world.assessment.responses.get(), Decimal(4), acting_user=SYSTEM)
    workflow.perform(world.assessment, "publish", acting_user=SYSTEM)
    from libcoop.greenlib.dashboard import network_dashboard

    data = network_dashboard(world.network, 2024, lang="en")
    counts = {status: n for status, _label, n in data.status_counts}
    assert counts["published"] == 1 and counts["none"] == 2  # other + assessor's home library
    (row,) = [m for m in data.members if m.institution == world.own]
    assert row.assessment is not None and row.assessment.total_score == 4


@pytest.mark.parametrize("year", ["0", "99999", "²", "abc", ""])
def test_dashboard_takes_this_year_for_a_year_no_date_can_have(world: World, year: str) -> None:
    import datetime

    client = _login(world.users["coordinator_network"])
    response = client.get(f"/greenlib/networks/{world.network.code}/dashboard/", {"year": year})
    assert response.status_code == 200
    assert response.context["data"].year == datetime.date.today().year


@pytest.mark.parametrize("version", ["²", "abc", "99999999999999999999999"])
def test_standard_page_with_an_odd_version_shows_the_newest(world: World, version: str) -> None:
    response = Client().get(f"/greenlib/standards/{world.standard.code}/", {"version": version})
    assert response.status_code == 200 and response.context["standard"] == world.standard
    assert (
        Client().get(f"/greenlib/standards/{world.standard.code}/", {"version": "7"}).status_code
        == 404
    )


def test_report_form_with_an_odd_year_or_code_is_not_an_error(world: World) -> None:
    code = world.own.code
    odd_year = Client().get("/greenlib/reports/", {"institution": code, "year": "²"})
    assert odd_year.status_code == 200  # the form again
    slash = Client().get("/greenlib/reports/", {"institution": "A/B", "year": "2024"})
    assert slash.status_code == 404
    good = Client().get("/greenlib/reports/", {"institution": code, "year": "2024"})
    assert good.status_code == 302 and good["Location"] == f"/greenlib/reports/{code}/2024/"
