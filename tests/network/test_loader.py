"""The demo registry file: loads, is idempotent, and holds the seed's facts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from libcoop.audit.models import AuditEvent
from libcoop.network.loader import DEMO_FILE, RegistryFileError, load_provinces, load_registry
from libcoop.network.models import (
    Institution,
    InstitutionKind,
    Membership,
    Network,
    NetworkPurpose,
    Province,
    Seat,
    WorkingGroup,
)

MODELS = [Province, Institution, Network, NetworkPurpose, WorkingGroup, Membership, Seat]


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in [*MODELS, AuditEvent]}


def _snapshot() -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for model in MODELS:
        rows.extend(tuple(r) for r in model.objects.order_by("pk").values_list())
    return rows


@pytest.mark.django_db
def test_loading_twice_changes_nothing() -> None:
    load_provinces()
    first = load_registry()
    assert first.changed
    counts, snapshot = _counts(), _snapshot()
    again = load_registry()
    assert not again.changed, again.summary()
    assert load_provinces().changed is False
    assert _counts() == counts
    assert _snapshot() == snapshot


@pytest.mark.django_db
def test_demo_command_twice_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--no-migrate", "--no-catalog")
    counts = _counts()
    call_command("demo", "--no-migrate", "--no-catalog")
    out = capsys.readouterr().out
    assert _counts() == counts
    assert "0 new, 0 changed" in out
    assert "mfu.admin" in out and "libcoop-demo" in out


@pytest.mark.django_db
def test_seed_facts_are_in_the_demo_network(demo_registry: None) -> None:
    mfu = Institution.objects.get(code="MFU-LIB")
    assert mfu.name_th == "ศูนย์บรรณสารและสื่อการศึกษา มหาวิทยาลัยแม่ฟ้าหลวง"
    assert mfu.province is not None and mfu.province.code == "TH-57"
    gln = Membership.objects.get(institution=mfu, network__code="GLN", role="member")
    assert gln.start is not None and gln.start.year == 2014  # พ.ศ. 2557
    seats = set(Seat.objects.filter(institution=mfu).values_list("working_group__code", flat=True))
    assert "GLN-COMMITTEE" in seats
    # Every working group the seed names for PULINET, the HE network and ThaiLIS.
    names = set(
        WorkingGroup.objects.filter(seats__institution=mfu).values_list("name_th", flat=True)
    )
    for phrase in [
        "ฝ่ายเทคโนโลยีสารนิเทศ",
        "ข้อมูลท้องถิ่น",
        "ฝ่ายบริการ",
        "กรรมการอำนวยการ",
        "ยืมระหว่างห้องสมุด",
        "พัฒนาทรัพยากรสารนิเทศ",
        "สหบรรณานุกรม",
        "เอกสารอิเล็กทรอนิกส์",
    ]:
        assert any(phrase in n for n in names), phrase
    schools = {
        m.institution.name_th: m.start.year if m.start else None
        for m in Membership.objects.filter(institution__kind=InstitutionKind.SCHOOL).select_related(
            "institution"
        )
    }
    assert schools["โรงเรียนธารทิพย์"] == 2017
    assert schools["โรงเรียนอนุบาลนางแล (บ้านทุ่ง)"] == 2018
    assert schools["โรงเรียนห้วยห้างป่าสา"] == 2018


@pytest.mark.django_db
def test_network_is_not_a_star(demo_registry: None) -> None:
    """At least eight other university libraries are members of PULINET or ThaiLIS."""
    others = (
        Institution.objects.filter(
            kind=InstitutionKind.UNIVERSITY_LIBRARY,
            memberships__network__code__in=["PULINET", "THAILIS"],
        )
        .exclude(code="MFU-LIB")
        .distinct()
    )
    assert others.count() >= 8


@pytest.mark.django_db
def test_bad_file_is_refused_with_its_position(tmp_path: Path) -> None:
    load_provinces()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "institutions:\n  - {code: A-LIB, kind: university_library, name_en: A}\n"
        "networks:\n  - {code: N, kind: network, name_en: N}\n"
        "memberships:\n  - {institution: A-LIB, network: N, role: boss}\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryFileError, match=r"memberships\[0\].*'boss'"):
        load_registry(bad)
    # The whole file is one transaction: nothing of it stays behind.
    assert not Institution.objects.filter(code="A-LIB").exists()


@pytest.mark.django_db
def test_unknown_reference_names_the_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "memberships:\n  - {institution: NOPE, network: N, role: member}\n", encoding="utf-8"
    )
    with pytest.raises(RegistryFileError, match="NOPE"):
        load_registry(bad)


@pytest.mark.django_db
def test_registry_load_command(tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management.base import CommandError

    out = StringIO()
    call_command("registry", "load", str(DEMO_FILE), stdout=out)
    assert "institution:" in out.getvalue()
    bad = tmp_path / "bad.yaml"
    bad.write_text("institutions:\n  - {code: X, kind: castle, name_en: X}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="castle"):
        call_command("registry", "load", str(bad))
