"""Environmental figures: recording, year-on-year change, charts as valid SVG, the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from lxml import etree

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.core import charts
from libcoop.greenlib import envfigures, services
from libcoop.greenlib.models import EnvFigure
from libcoop.greenlib.queries import env_series
from libcoop.network.abilities import SYSTEM
from tests.greenlib.conftest import World

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"


def test_percent_change() -> None:
    assert envfigures.percent_change(D(110), D(100)) == D("10.0")
    assert envfigures.percent_change(D(90), D(120)) == D("-25.0")
    assert envfigures.percent_change(D(1), D(3)) == D("-66.7")
    assert envfigures.percent_change(None, D(3)) is None
    assert envfigures.percent_change(D(3), D(0)) is None


def test_year_on_year_compares_only_months_recorded_in_both_years() -> None:
    now: list[D | None] = [D(90), D(110), None] + [None] * 9
    before: list[D | None] = [D(100), D(100), D(100)] + [None] * 9
    row = envfigures.year_on_year("electricity_kwh", 2019, now, before)
    assert row.monthly_change[:3] == [D("-10.0"), D("10.0"), None]
    assert row.total == D(200) and row.previous_total == D(300)
    assert row.months_compared == 2
    assert row.change == D("0.0")  # 200 against the 200 of the same two months, not 300


@pytest.mark.django_db
def test_recording_figures_is_idempotent_audited_and_refused_to_others(world: World) -> None:
    librarian = world.users["librarian_own"]
    values = {(1, "electricity_kwh"): D(1000), (2, "electricity_kwh"): D("1100.5")}
    assert services.record_env_figures(world.own, 2019, values, acting_user=librarian) == 2
    assert services.record_env_figures(world.own, 2019, values, acting_user=librarian) == 0
    assert AuditEvent.objects.filter(verb=AuditVerb.ENV_FIGURE_RECORDED).count() == 1
    series = env_series(world.own, metric="electricity_kwh", years=[2019, 2020])
    assert series[2019][:3] == [D(1000), D("1100.5"), None] and series[2020] == [None] * 12
    # None removes a figure
    services.record_env_figures(
        world.own, 2019, {(2, "electricity_kwh"): None}, acting_user=librarian
    )
    assert EnvFigure.objects.count() == 1
    for user in ("librarian_other", "coordinator_network", "assessor_network", "patron"):
        with pytest.raises(PermissionDenied):
            services.record_env_figures(world.own, 2019, values, acting_user=world.users[user])
    with pytest.raises(ValidationError):
        services.record_env_figures(
            world.own, 2019, {(1, "water_m3"): D(-1)}, acting_user=librarian
        )
    with pytest.raises(ValidationError):
        services.record_env_figures(world.own, 2019, {(13, "water_m3"): D(1)}, acting_user=SYSTEM)


def _parse(svg: str) -> etree._Element:
    root = etree.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg"
    return root


def test_line_chart_is_valid_svg_with_a_break_for_missing_values() -> None:
    svg = charts.line_chart(
        [("2561", [D(10), D(20), None, D(40)]), ("<b>&", [D(5), None, None, None])],
        ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย."],
        title="ไฟฟ้า & <น้ำ>",
        unit="kWh",
    )
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == "ไฟฟ้า & <น้ำ>"
    assert len(root.findall(f"{SVG}polyline")) == 1  # 10→20, then a gap, then 40 alone
    assert len(root.findall(f"{SVG}circle")) == 4
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<b>&" in texts and "ม.ค." in texts and "40" in texts


def test_bar_chart_is_valid_svg_and_scales_to_the_largest_value() -> None:
    root = _parse(
        charts.bar_chart([("a", [1, 2, None]), ("b", [3, 0, 4])], ["x", "y", "z"], title="t")
    )
    rects = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(rects) == 5
    heights = {r.find(f"{SVG}title").text: float(r.get("height")) for r in rects}
    assert heights["b: 4"] == pytest.approx(2 * heights["a: 2"])
    assert heights["b: 0"] == 0
    _parse(charts.bar_chart([("empty", [None, None])], ["x", "y"], title="nothing"))


def test_nice_ticks() -> None:
    assert charts.nice_ticks(82100) == [0, 20000, 40000, 60000, 80000, 100000]
    assert charts.nice_ticks(4) == [0, 1, 2, 3, 4]
    assert charts.nice_ticks(0) == [0, 1]


@pytest.mark.django_db
def test_figures_page_shows_table_charts_and_year_on_year(world: World) -> None:
    values_2018 = {(m, "water_m3"): D(100) for m in range(1, 13)}
    values_2019 = {(m, "water_m3"): D(90) for m in range(1, 13)}
    services.record_env_figures(world.own, 2018, values_2018, acting_user=SYSTEM)
    services.record_env_figures(world.own, 2019, values_2019, acting_user=SYSTEM, illustrative=True)
    client = Client()
    client.force_login(world.users["librarian_own"])
    page = client.get(f"/greenlib/env/{world.own.code}/2019/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "-10.0" in html and "illustrative-note" in html
    assert html.count("<svg") >= 2
    assert client.get(f"/greenlib/env/{world.own.code}/").status_code == 302
    # the coordinator of a network the library belongs to sees it; another library does not
    coordinator = Client()
    coordinator.force_login(world.users["coordinator_network"])
    assert coordinator.get(f"/greenlib/env/{world.own.code}/2019/").status_code == 200
    other = Client()
    other.force_login(world.users["librarian_other"])
    assert other.get(f"/greenlib/env/{world.own.code}/2019/").status_code == 404


@pytest.mark.django_db
def test_figures_form_records_a_year(world: World) -> None:
    client = Client()
    client.force_login(world.users["library_admin_own"])
    url = f"/greenlib/env/{world.own.code}/2024/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"electricity_kwh__1": "1234.5", "waste_organic_kg__12": "7"})
    assert response.status_code == 302
    assert {(f.month, f.metric, f.value) for f in EnvFigure.objects.all()} == {
        (1, "electricity_kwh", D("1234.5")),
        (12, "waste_organic_kg", D(7)),
    }
    assert client.post(url, {"water_m3__3": "-5"}).status_code == 200  # form error, nothing saved
    assert EnvFigure.objects.count() == 2
    other = Client()
    other.force_login(world.users["library_admin_other"])
    assert other.post(url, {"water_m3__3": "5"}).status_code == 404
