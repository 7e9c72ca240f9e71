"""Loading the standard data files: what is confirmed is there, unknowns stay empty, versions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.greenlib import services
from libcoop.greenlib.models import Category, Criterion, FactStatus, Standard
from libcoop.greenlib.standard import parse_standard
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Network, StaffRole
from tests.factories import InstitutionFactory, NetworkFactory, staff
from tests.greenlib.factories import (
    GL_FILE,
    SMALL_STANDARD,
    TLA_FILE,
    criterion,
    member_assessment,
    small_standard,
    small_standard_file,
)

pytestmark = pytest.mark.django_db

# From shared/data/greenlib/standard-notes.md §1.1 (title, points, status) — written from the
# notes, not from the data file under test.
TLA_CATEGORIES = {
    "1": ("ทั่วไป", Decimal(10), FactStatus.CONFIRMED),
    "2": (
        "โครงสร้างพื้นฐานทางด้านกายภาพและเทคโนโลยีที่เป็นมิตรกับสิ่งแวดล้อม",
        Decimal(10),
        FactStatus.CONFIRMED,
    ),
    "3": ("การจัดการทรัพยากรและพลังงาน", Decimal(20), FactStatus.DERIVED),
    "4": ("การจัดการของเสียและมลพิษ", Decimal(10), FactStatus.CONFIRMED),
    "5": (
        "การบริหารจัดการและการให้บริการห้องสมุดเพื่อส่งเสริมการอนุรักษ์พลังงานและสิ่งแวดล้อม",
        Decimal(20),
        FactStatus.CONFIRMED,
    ),
    "6": ("บทบาทของบุคลากรห้องสมุดและผู้มีส่วนเกี่ยวข้อง", Decimal(10), FactStatus.CONFIRMED),
    "7": ("เครือข่ายและความร่วมมือระหว่างห้องสมุด", Decimal(10), FactStatus.CONFIRMED),
    "8": ("การประเมินคุณภาพห้องสมุดสีเขียว", Decimal(10), FactStatus.CONFIRMED),
}
GL_TITLES = {
    "1": "การกำหนดนโยบาย การวางแผนการดำเนินงานและการปรับปรุงอย่างต่อเนื่อง",
    "2": "การสื่อสารและสร้างจิตสำนึก",
    "3": "",
    "4": "",
    "5": "",
    "6": "การใช้ทรัพยากรและพลังงาน",
    "7": "การจัดการของเสีย",
    "8": "",
    "9": "การจัดซื้อและจัดจ้าง",
}
GL_INDICATORS = {
    "1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.1.5", "2.1.1", "3.1.1", "6.4.2", "7.1.1", "9.2.1",
    "9.2.3",
}  # fmt: skip


@pytest.fixture
def gln(db: None) -> Network:
    return NetworkFactory(code="GLN")


def test_tla_2558_has_every_confirmed_category_with_points_and_sources(gln: Network) -> None:
    standard = services.load_standard(TLA_FILE, acting_user=SYSTEM)
    assert (standard.code, standard.version, standard.issuer) == ("TLA-2558", 1, gln)
    assert standard.total_points == 100
    assert standard.total_points_status == FactStatus.CONFIRMED
    cats = {c.number: c for c in standard.categories.all()}
    assert set(cats) == set(TLA_CATEGORIES)
    for number, (title, points, status) in TLA_CATEGORIES.items():
        assert cats[number].title_th == title
        assert cats[number].max_points == points
        assert cats[number].points_status == status
        assert cats[number].sources, number
    assert sum(c.max_points or 0 for c in cats.values()) == 100
    # audit splits the notes confirm, and nulls where the source is cut off
    assert (cats["1"].interview_points, cats["1"].document_points) == (5, 5)
    assert (cats["4"].document_points, cats["4"].onsite_points) == (5, 5)
    assert cats["7"].interview_points == 5 and cats["7"].document_points is None
    assert cats["3"].interview_points is None and cats["3"].document_points is None
    # the seed's criterion is quoted word for word
    assert cats["7"].requirement_wording == "verbatim"
    assert cats["7"].requirement_th.startswith("ห้องสมุดจะต้องมีความร่วมมือกับห้องสมุดอื่นๆ")
    codes = set(Criterion.objects.filter(standard=standard).values_list("code", flat=True))
    assert {"3.1", "3.5", "3.9", "4.1", "5.1", "5.2", "6.1", "6.2", "6.3", "7.1"} <= codes
    assert {"8.1", "8.2", "2-new", "2-old"} <= codes
    assert not codes & {"3.2", "3.3", "3.4", "3.6", "3.7", "3.8"}  # not seen: not invented
    seven_one = criterion(standard, "7.1")
    assert seven_one.max_points == 10 and seven_one.points_status == FactStatus.DERIVED
    assert criterion(standard, "3.1").max_points is None
    for c in Criterion.objects.filter(standard=standard):
        assert c.sources, c.code


def test_gl_2566_three_levels_and_unconfirmed_titles_left_empty(gln: Network) -> None:
    standard = services.load_standard(GL_FILE, acting_user=SYSTEM)
    assert standard.total_points is None
    cats = {c.number: c for c in standard.categories.all()}
    assert {n: c.title_th for n, c in cats.items()} == GL_TITLES
    for number in ("3", "4", "5", "8"):
        assert cats[number].title_status == FactStatus.UNCONFIRMED
        assert cats[number].note_en  # says what is (not) known
    assert all(c.max_points is None for c in cats.values())
    assert (cats["6"].go_ref, cats["7"].go_ref, cats["9"].go_ref) == ("GO-3", "GO-4", "GO-6")
    indicators = Criterion.objects.filter(standard=standard, level="indicator")
    assert set(indicators.values_list("code", flat=True)) == GL_INDICATORS
    assert all(i.max_points is None for i in indicators)
    assert all(i.assessable and i.parent is not None for i in indicators)
    issue = criterion(standard, "1.1")
    assert not issue.assessable and issue.children.count() == 5
    assert criterion(standard, "1.2").assessable  # no indicator seen yet: the issue is answered
    assert criterion(standard, "7.1").title_th == ""  # issue title not seen
    waste = criterion(standard, "7.1.1")
    assert len(waste.evidence_items) == 6 and waste.go_ref == "GO-4.1.1"


def test_reloading_the_same_file_changes_nothing(gln: Network) -> None:
    first = services.load_standard(TLA_FILE, acting_user=SYSTEM)
    events = AuditEvent.objects.filter(verb=AuditVerb.STANDARD_LOADED).count()
    criteria = list(Criterion.objects.values_list("pk", flat=True))
    again = services.load_standard(TLA_FILE, acting_user=SYSTEM)
    assert again.pk == first.pk and again.version == 1
    assert list(Criterion.objects.values_list("pk", flat=True)) == criteria
    assert AuditEvent.objects.filter(verb=AuditVerb.STANDARD_LOADED).count() == events == 1


def test_edited_file_replaces_an_unused_version_in_place(tmp_path: Path) -> None:
    network = NetworkFactory()
    standard = small_standard(tmp_path, network)
    edited = SMALL_STANDARD.format(issuer=network.code).replace("First item", "First item, edited")
    path = small_standard_file(tmp_path, network, edited)
    again = services.load_standard(path, acting_user=SYSTEM)
    assert (again.pk, again.version) == (standard.pk, 1)
    assert criterion(again, "1.1").title_en == "First item, edited"
    assert Standard.objects.filter(code="TEST-STD").count() == 1
    event = AuditEvent.objects.filter(verb=AuditVerb.STANDARD_LOADED).first()
    assert event is not None and event.data["action"] == "replaced"


def test_edited_file_makes_a_new_version_and_keeps_existing_assessments(tmp_path: Path) -> None:
    network = NetworkFactory()
    standard = small_standard(tmp_path, network)
    library = InstitutionFactory()
    assessment = member_assessment(tmp_path, institution=library, standard=standard)
    services.save_response(
        assessment, criterion(standard, "1.1"), narrative_en="We did it.", acting_user=SYSTEM
    )
    edited = SMALL_STANDARD.format(issuer=network.code).replace("First item", "Renamed item")
    v2 = services.load_standard(small_standard_file(tmp_path, network, edited), acting_user=SYSTEM)
    assert v2.pk != standard.pk and v2.version == 2
    assessment.refresh_from_db()
    assert assessment.standard_id == standard.pk
    old_criterion = criterion(standard, "1.1")
    assert old_criterion.title_en == "First item"  # not touched
    response = assessment.responses.get()
    assert response.criterion_id == old_criterion.pk and response.narrative_en == "We did it."
    assert criterion(v2, "1.1").title_en == "Renamed item"
    # a new assessment must use the current version
    with pytest.raises(ValidationError):
        services.open_assessment(InstitutionFactory(), 2024, standard, acting_user=SYSTEM)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("max_points: 6\n        points_status: confirmed", "max_points: 6"), "unconfirmed"),
        (("max_points: 6", "max_points: 16"), "exceed"),
        (("title_en: Second item", "title_en: Second item\n        colour: red"), "unknown key"),
        (('code: "1.2"', 'code: "1.1"'), "appears twice"),
        (("total_points: 20", "total_points: 15"), "exceed"),
        (("points_status: confirmed", "points_status: maybe"), "must be one of"),
    ],
)
def test_a_broken_file_is_refused_with_its_problem(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    network = NetworkFactory()
    text = SMALL_STANDARD.format(issuer=network.code).replace(*change, 1)
    with pytest.raises(ValidationError) as exc:
        parse_standard(text.encode(), "broken.yaml")
    assert any(message in m for m in exc.value.messages), exc.value.messages
    with pytest.raises(ValidationError):
        services.load_standard(small_standard_file(tmp_path, network, text), acting_user=SYSTEM)
    assert not Standard.objects.exists() and not Category.objects.exists()


def test_only_a_coordinator_of_the_issuer_loads_a_standard(tmp_path: Path) -> None:
    network, other = NetworkFactory(), NetworkFactory()
    path = small_standard_file(tmp_path, network)
    home = InstitutionFactory()
    for user in (
        staff(StaffRole.NETWORK_COORDINATOR, home, network=other),
        staff(StaffRole.ASSESSOR, home, network=network),
        staff(StaffRole.LIBRARY_ADMIN, home),
    ):
        with pytest.raises(PermissionDenied):
            services.load_standard(path, acting_user=user)
    assert not Standard.objects.exists()
    coordinator = staff(StaffRole.NETWORK_COORDINATOR, home, network=network)
    assert services.load_standard(path, acting_user=coordinator).code == "TEST-STD"


def test_unknown_issuer_is_refused(tmp_path: Path) -> None:
    text = SMALL_STANDARD.format(issuer="NO-SUCH-NET")
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match="NO-SUCH-NET"):
        services.load_standard(path, acting_user=SYSTEM)


def test_both_bundled_versions_are_assessable(gln: Network) -> None:
    from libcoop.greenlib import workflow
    from tests.factories import MembershipFactory

    tla = services.load_standard(TLA_FILE, acting_user=SYSTEM)
    gl = services.load_standard(GL_FILE, acting_user=SYSTEM)
    library = InstitutionFactory()
    MembershipFactory(institution=library, network=gln)
    for year, standard, codes in (
        (2022, tla, ["7.1", "3.1"]),
        (2024, gl, ["1.1.5", "1.2", "7.1.1"]),  # an indicator, an issue without indicators
    ):
        assessment = services.open_assessment(library, year, standard, acting_user=SYSTEM)
        for code in codes:
            services.save_response(
                assessment, criterion(standard, code), narrative_en="done", acting_user=SYSTEM
            )
        for action in ("submit", "start_review"):
            workflow.perform(assessment, action, acting_user=SYSTEM)
        for response in assessment.responses.all():
            services.score_response(response, Decimal(2), acting_user=SYSTEM)
        workflow.perform(assessment, "publish", acting_user=SYSTEM)
        assert assessment.status == "published"
    draft = services.open_assessment(library, 2025, gl, acting_user=SYSTEM)
    with pytest.raises(ValidationError):  # a heading with indicators is not answered itself
        services.save_response(draft, criterion(gl, "1.1"), narrative_en="x", acting_user=SYSTEM)
