"""Holdings worth clicking (#16): call number and location from 852/949, the library's OPAC link
from the template its admin sets, availability through the connector interface — through the
cluster page, the API's cluster JSON, the institution edit page and its API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from pymarc import Field, Indicators, Record, Subfield

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.catalog import availability
from libcoop.catalog.models import BibRecord, Holding
from libcoop.core.tokens import issue_token
from libcoop.network import services
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, StaffRole
from libcoop.network.opac import opac_url, validate_opac_template
from tests.catalog.marcdata import book, write
from tests.factories import NetworkFactory, staff

pytestmark = pytest.mark.django_db
ISBN = "9780306406157"
TEMPLATE = "https://opac.example.ac.th/record={local_id}?isbn={isbn}"


def _with(record: Record, tag: str, *pairs: tuple[str, str]) -> Record:
    record.add_field(
        Field(
            tag=tag, indicators=Indicators("0", " "), subfields=[Subfield(c, v) for c, v in pairs]
        )
    )
    return record


@pytest.fixture
def cluster(libraries, tmp_path: Path) -> int:
    """One work held by AAA-LIB (852 with prefix, class, item part; a local id needing escaping)
    and BBB-LIB (949 local item field, the common Thai library system's export)."""
    a = _with(
        book("a 1/ก", "Green libraries", isbn=ISBN),
        "852",
        ("a", "AAA-LIB"),
        ("b", "หอสมุดกลาง"),
        ("c", "ชั้น 3"),
        ("k", "Ref"),
        ("h", "Z675.G7"),
        ("i", "S65 2019"),
        ("p", "30001"),
    )
    b = _with(
        book("b1", "Green libraries", isbn=ISBN),
        "949",
        ("a", "Z675.G7 S65 2019"),
        ("i", "40001"),
        ("l", "Main Library"),
    )
    for code, rec in (("AAA-LIB", a), ("BBB-LIB", b)):
        path = write(tmp_path / f"{code}.mrc", rec)
        call_command("catalog", "import", str(path), "--library", code, stdout=io.StringIO())
    first = BibRecord.objects.get(library__code="AAA-LIB")
    assert BibRecord.objects.get(library__code="BBB-LIB").cluster_id == first.cluster_id
    return first.cluster_id


def _set_template(code: str, template: str) -> None:
    services.update_institution(
        Institution.objects.get(code=code), acting_user=SYSTEM, opac_url_template=template
    )


def test_852_and_949_read_in_cataloguing_order(cluster) -> None:
    a = Holding.objects.get(library__code="AAA-LIB")
    assert (a.location, a.call_number) == ("หอสมุดกลาง ชั้น 3", "Ref Z675.G7 S65 2019")
    assert a.barcode == "30001"
    b = Holding.objects.get(library__code="BBB-LIB")
    assert (b.location, b.call_number, b.barcode) == ("Main Library", "Z675.G7 S65 2019", "40001")


def test_852_of_the_shared_sample_files(tmp_path: Path) -> None:
    """Real records (../shared/data/marc): $k prefix first; $a (the institution) only as a
    last resort."""
    from libcoop.catalog.marc import read_marc
    from libcoop.catalog.prepare import holdings_of

    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "marc"
    music = shared / "file_marc" / "music.xml"
    if not music.exists():
        pytest.skip(f"shared sample not found at {music}")
    with open(music, "rb") as fh:
        items = [i for i in read_marc(fh) if hasattr(i, "record")]
    found = [h for i in items for h in holdings_of(i)]
    assert (found[0]["location"], found[0]["call_number"]) == ("MUSIC MAIN", "folio M1366 M62")


def test_cluster_page_shows_call_number_location_and_escaped_opac_link(cluster) -> None:
    _set_template("AAA-LIB", TEMPLATE)
    html = Client().get(f"/catalog/clusters/{cluster}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ref Z675.G7 S65 2019" in html and "หอสมุดกลาง ชั้น 3" in html
    assert "Z675.G7 S65 2019" in html and "Main Library" in html
    link = "https://opac.example.ac.th/record=a%201%2F%E0%B8%81?isbn=9780306406157"
    assert html.count('class="opac-link"') == 1  # BBB-LIB has no template: no link
    assert f'href="{link}"' in html
    assert "See the item and whether it is on the shelf" in html


def test_cluster_api_has_holdings_with_link_and_availability(cluster) -> None:
    _set_template("BBB-LIB", "http://lib.example.org/item?barcode={barcode}&id={local_id}")
    data = Client().get(f"/api/catalog/clusters/{cluster}").json()
    by_lib = {r["library"]: r["holdings"] for r in data["records"]}
    assert by_lib["AAA-LIB"] == [
        {
            "location": "หอสมุดกลาง ชั้น 3",
            "call_number": "Ref Z675.G7 S65 2019",
            "opac_url": None,
            "availability": "unknown",
        }
    ]
    assert by_lib["BBB-LIB"][0]["opac_url"] == "http://lib.example.org/item?barcode=40001&id=b1"


def test_no_link_when_the_template_needs_a_value_the_holding_lacks(libraries, tmp_path) -> None:
    path = write(tmp_path / "c.mrc", book("c1", "Brown libraries", isbn=None))
    call_command("catalog", "import", str(path), "--library", "CCC-LIB", stdout=io.StringIO())
    _set_template("CCC-LIB", "https://opac.example.ac.th/isbn/{isbn}")
    rec = BibRecord.objects.get(library__code="CCC-LIB")
    data = Client().get(f"/api/catalog/clusters/{rec.cluster_id}").json()
    assert data["records"][0]["holdings"][0]["opac_url"] is None


class _Shelf:
    def availability(self, items):
        return {i.holding_id: availability.Availability(availability.Status.ON_LOAN) for i in items}


class _Down:
    def availability(self, items):
        raise TimeoutError("the library's server did not answer")


def test_a_registered_connector_shows_availability_and_a_failing_one_is_ignored(cluster) -> None:
    availability.register("AAA-LIB", _Shelf())
    availability.register("BBB-LIB", _Down())
    try:
        data = Client().get(f"/api/catalog/clusters/{cluster}").json()
        html = Client().get(f"/catalog/clusters/{cluster}/", HTTP_ACCEPT_LANGUAGE="en").content
    finally:
        availability.unregister("AAA-LIB")
        availability.unregister("BBB-LIB")
    by_lib = {r["library"]: r["holdings"][0]["availability"] for r in data["records"]}
    assert by_lib == {"AAA-LIB": "on_loan", "BBB-LIB": "unknown"}
    assert b"availability-on_loan" in html and b"On loan" in html


@pytest.mark.parametrize(
    ("template", "english"),
    [
        ("javascript:alert(1)//{local_id}", "must start with http:// or https://"),
        ("ftp://opac.example.ac.th/{local_id}", "must start with http:// or https://"),
        ("https://opac.example.ac.th/{title}", "unknown placeholder {title}"),
        ("https://opac.example.ac.th/{local_id.__class__}", "unknown placeholder"),
        ("https://opac.example.ac.th/{local_id!r}", "unknown placeholder"),
        ("https://opac.example.ac.th/record={local_id", "unmatched { or }"),
        ("https://opac.example.ac.th/", "needs a placeholder"),
        ("https://{local_id}.example.ac.th/", "only after the host name"),
        ("https://opac.example.ac.th/a b/{local_id}", "may not contain spaces"),
    ],
)
def test_bad_templates_refused(template: str, english: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_opac_template(template)
    assert english in " ".join(caught.value.messages)
    assert opac_url(template, local_id="1", isbn="1", barcode="1") is None


def test_bad_template_refused_on_the_edit_page_in_both_languages(libraries) -> None:
    inst = libraries["AAA-LIB"]
    client = Client()
    client.force_login(staff(StaffRole.LIBRARY_ADMIN, inst))
    form = {"name_en": inst.name_en or "A", "name_th": inst.name_th}
    bad = {**form, "opac_url_template": "https://opac.example.ac.th/{title}"}
    en = client.post(f"/institutions/{inst.code}/edit/", bad, HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == 200
    assert "unknown placeholder {title}" in en.content.decode()
    th = client.post(f"/institutions/{inst.code}/edit/", bad, HTTP_ACCEPT_LANGUAGE="th")
    with translation.override("th"):
        expected = str(
            ValidationError(
                translation.gettext(
                    "The OPAC link template uses an unknown placeholder {%(name)s}; "
                    "use {local_id}, {isbn} or {barcode}."
                )
                % {"name": "title"}
            ).messages[0]
        )
    assert expected in th.content.decode()
    inst.refresh_from_db()
    assert inst.opac_url_template == ""
    good = {**form, "opac_url_template": TEMPLATE}
    assert client.post(f"/institutions/{inst.code}/edit/", good).status_code == 302
    inst.refresh_from_db()
    assert inst.opac_url_template == TEMPLATE
    event = AuditEvent.objects.filter(verb=AuditVerb.INSTITUTION_CHANGED).latest("id")
    assert event.data["changes"]["opac_url_template"] == ["", TEMPLATE]


def test_bad_template_refused_by_the_api(libraries) -> None:
    inst = libraries["AAA-LIB"]
    key = issue_token(staff(StaffRole.LIBRARY_ADMIN, inst), "t", acting_user=SYSTEM)
    response = Client().patch(
        f"/api/institutions/{inst.code}",
        {"opac_url_template": "ftp://x/{local_id}"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "http:// or https://" in response.json()["detail"]


ROLES = [
    ("library_admin", "own", True),
    ("library_admin", "other", False),
    ("librarian", "own", False),
    ("network_coordinator", "own", False),
    ("patron", "own", False),
    ("anonymous", "own", False),
]


@pytest.mark.parametrize(("role", "target", "allowed"), ROLES)
@pytest.mark.parametrize("path", ["service", "web", "api"])
def test_who_may_set_the_template(libraries, role, target, allowed, path) -> None:
    own, other = libraries["AAA-LIB"], libraries["BBB-LIB"]
    inst = own if target == "own" else other
    user = None
    if role != "anonymous":
        network = NetworkFactory() if role == "network_coordinator" else None
        user = staff(StaffRole(role), own, network=network)
    if path == "service":

        def change() -> None:
            services.update_institution(
                inst, acting_user=user or AnonymousUser(), opac_url_template=TEMPLATE
            )

        if allowed:
            change()
        else:
            with pytest.raises(PermissionDenied):
                change()
    elif path == "web":
        client = Client()
        if user:
            client.force_login(user)
        data = {"name_en": inst.name_en, "name_th": inst.name_th, "opac_url_template": TEMPLATE}
        status = client.post(f"/institutions/{inst.code}/edit/", data).status_code
        assert (status == 302) if allowed else status in (302, 403)
    else:
        headers = {}
        if user:
            headers["Authorization"] = f"Bearer {issue_token(user, 't', acting_user=SYSTEM)}"
        status = (
            Client()
            .patch(
                f"/api/institutions/{inst.code}",
                {"opac_url_template": TEMPLATE},
                content_type="application/json",
                headers=headers,
            )
            .status_code
        )
        assert status == (200 if allowed else 401 if user is None else 403)
    inst.refresh_from_db()
    assert (inst.opac_url_template == TEMPLATE) is allowed
