"""The green-library pages by the one calendar rule (#16): B.E. on Thai pages, C.E. on
English ones, either accepted; report addresses in C.E. with B.E. redirected; the report
picker starts at the reader's own library and honours ``?institution=`` for any kind."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from libcoop.greenlib.models import Assessment
from tests.factories import InstitutionFactory
from tests.greenlib.conftest import World

pytestmark = pytest.mark.django_db
THIS_YEAR = datetime.date.today().year


def _login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_buddhist_era_year_in_a_report_address_redirects_to_the_canonical_one(
    world: World,
) -> None:
    code = world.own.code
    response = Client().get(f"/greenlib/reports/{code}/2562/")
    assert response.status_code == 301
    assert response["Location"] == f"/greenlib/reports/{code}/2019/"
    assert Client().get(response["Location"]).status_code == 200
    pdf = Client().get(f"/greenlib/reports/{code}/2562.pdf", {"lang": "en"})
    assert (
        pdf.status_code == 301 and pdf["Location"] == f"/greenlib/reports/{code}/2019.pdf?lang=en"
    )
    # environmental figures are addressed the same way
    env = Client().get(f"/greenlib/env/{code}/2567/")
    assert env.status_code == 301 and env["Location"] == f"/greenlib/env/{code}/2024/"


def test_report_picker_reads_either_era(world: World) -> None:
    for typed in ("2562", "2019"):
        response = Client().get(
            "/greenlib/reports/", {"institution": world.own.code, "year": typed}
        )
        assert response.status_code == 302
        assert response["Location"] == f"/greenlib/reports/{world.own.code}/2019/"
    page = (
        Client()
        .get("/greenlib/reports/", {"institution": world.own.code, "year": "2300"})
        .content.decode()
    )
    assert 'id="year-problem"' in page


def test_report_picker_starts_at_the_readers_own_library(world: World) -> None:
    first = InstitutionFactory(code="AAAA-LIB")  # first by code: the old default for everyone
    assert first.code < world.own.code
    page = _login(world.users["librarian_own"]).get("/greenlib/reports/")
    assert page.context["selected"] == world.own.code
    assert f'<option value="{world.own.code}" selected>' in page.content.decode()


@pytest.mark.parametrize("kind", ["school", "association"])
def test_report_picker_honours_the_institution_asked_for_of_any_kind(
    world: World, kind: str
) -> None:
    institution = InstitutionFactory(kind=kind)
    page = Client().get("/greenlib/reports/", {"institution": institution.code})
    assert page.context["selected"] == institution.code
    assert f'<option value="{institution.code}" selected>' in page.content.decode()


def test_self_assessment_year_in_the_pages_era(world: World) -> None:
    client = _login(world.users["library_admin_own"])
    th = client.get("/greenlib/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "ค.ศ." not in th.split('id="open-assessment"')[1].split("</form>")[0]
    assert f'value="{THIS_YEAR + 543}"' in th
    en = client.get("/greenlib/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'value="{THIS_YEAR}"' in en
    client.post("/greenlib/assessments/new/", {"year": "2568", "standard": world.standard.pk})
    assert Assessment.objects.filter(institution=world.own, year=2025).exists()
    assert not Assessment.objects.filter(year=2568).exists()


def test_dashboard_year_in_the_pages_era(world: World) -> None:
    client = _login(world.users["coordinator_network"])
    url = f"/greenlib/networks/{world.network.code}/dashboard/"
    response = client.get(url, {"year": "2567"}, HTTP_ACCEPT_LANGUAGE="th")
    assert response.context["data"].year == 2024
    html = response.content.decode()
    assert "(ค.ศ.)" not in html and 'name="year" value="2567"' in html
    response = client.get(url, {"year": "2024"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["data"].year == 2024 and 'name="year" value="2024"' in (
        response.content.decode()
    )


def test_the_apis_years_stay_common_era(world: World) -> None:
    """Only pages redirect a B.E. year: the API declares C.E. and answers as declared."""
    response = Client().get(f"/api/greenlib/env/{world.own.code}/2567")
    assert response.status_code != 301


def test_a_year_the_rule_cannot_read_is_explained_on_the_page(world: World) -> None:
    client = _login(world.users["library_admin_own"])
    response = client.post(
        "/greenlib/assessments/new/",
        {"year": "2300", "standard": world.standard.pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert "ค.ศ. 2300" in html and "* year" not in html
    assert not Assessment.objects.filter(institution=world.own, year__in=(2300, 1757)).exists()
